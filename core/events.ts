// Typed events, mediasoup EnhancedEventEmitter style: listeners are typed per event and a
// throwing listener is logged and skipped — it never corrupts the emitter's state or stops
// the other listeners.
import type { Logger } from "./logger.js";

export type EventMap = Record<string, unknown[]>;
export type Listener<A extends unknown[]> = (...args: A) => void;
export type Unsubscribe = () => void;

/** The listening half, which is what a seam (MediaEngine, StoreWriter…) exposes. */
export interface TypedEvents<E extends EventMap> {
  on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): Unsubscribe;
  off<K extends keyof E & string>(event: K, listener: Listener<E[K]>): void;
}

export class TypedEmitter<E extends EventMap> implements TypedEvents<E> {
  // Stored untyped: the on()/safeEmit() signatures keep each event's listeners consistent.
  private readonly listeners = new Map<keyof E, Set<unknown>>();
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): Unsubscribe {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener);
    return () => {
      this.off(event, listener);
    };
  }

  once<K extends keyof E & string>(event: K, listener: Listener<E[K]>): Unsubscribe {
    const wrapper: Listener<E[K]> = (...args) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  off<K extends keyof E & string>(event: K, listener: Listener<E[K]>): void {
    this.listeners.get(event)?.delete(listener);
  }

  /** Calls every listener of `event`; one that throws is logged and the rest still run. */
  safeEmit<K extends keyof E & string>(event: K, ...args: E[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<E[K]>)(...args);
      } catch (err) {
        this.logger.error({ event, err }, "safeEmit() | event listener threw");
      }
    }
  }

  listenerCount(event: keyof E & string): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }
}
