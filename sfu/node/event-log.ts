// The region's change feed (core/sfu-state.ts contract): every change becomes an SfuEvent
// with the next sequence number, handed to live listeners (the SSE endpoint). Nothing is
// stored: a consumer that misses a sequence refetches /v1/state, whose `seq` is the last
// event folded into it. Listeners are isolated: one that throws never stops the others.
import { randomUUID } from "node:crypto";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { Region } from "../../core/region.js";
import type { SfuEvent } from "../../core/sfu-state.js";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type SfuEventBody = DistributiveOmit<SfuEvent, "seq" | "ts" | "region">;

export class EventLog {
  /** Identifies this process: a restart resets seq and consumers must refetch. */
  readonly instance = randomUUID();
  private lastSeq = 0;
  private readonly listeners = new Set<(e: SfuEvent) => void>();
  private readonly region: Region;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(region: Region, clock: Clock, logger: Logger) {
    this.region = region;
    this.clock = clock;
    this.logger = logger;
  }

  get seq(): number {
    return this.lastSeq;
  }

  emit(body: SfuEventBody): SfuEvent {
    const event = { ...body, seq: ++this.lastSeq, ts: Math.floor(this.clock.now()), region: this.region };
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (err) {
        this.logger.warn({ err, type: event.type }, "emit() | event listener threw");
      }
    }
    return event;
  }

  /** Calls `listener` for every later event; returns the unsubscribe function. */
  subscribe(listener: (e: SfuEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  close(): void {
    this.listeners.clear();
  }
}
