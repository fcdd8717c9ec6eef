// Typed events (mediasoup's EnhancedEventEmitter): listeners are typed per event name and
// safeEmit() never lets a throwing listener break the emitter's own state.
import { EventEmitter } from "node:events";

export type EventMap = Record<string, unknown[]>;

export class TypedEmitter<E extends EventMap> {
  private readonly emitter = new EventEmitter();
  private readonly onListenerError: (event: string, err: unknown) => void;

  constructor(onListenerError: (event: string, err: unknown) => void = () => undefined) {
    this.onListenerError = onListenerError;
    this.emitter.setMaxListeners(Infinity);
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Calls every listener; one that throws is reported and the rest still run. */
  safeEmit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    const listeners = this.emitter.listeners(event) as ((...a: E[K]) => void)[];
    for (const l of listeners) {
      try {
        l(...args);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
    return listeners.length > 0;
  }

  listenerCount(event: keyof E & string): number {
    return this.emitter.listenerCount(event);
  }

  removeAllListeners(): void {
    this.emitter.removeAllListeners();
  }
}
