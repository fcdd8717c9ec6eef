// Watches one region node through the core contract (core/sfu-state.ts): GET /v1/state,
// then SSE GET /v1/events. Sequence numbers are checked: a gap refetches the state (the
// stream stays open, so it converges under load); a dropped stream or a failed fetch
// reconnects with backoff and refetches, so a restarted region (new instance, seq reset)
// is replaced wholesale. It never runs detectors: it hands snapshots and events on.
import type { Clock, TimerHandle } from "../../core/clock.js";
import { backoffDelay, type BackoffPolicy } from "../../core/backoff.js";
import { errorMessage, InvalidStateError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { Region } from "../../core/region.js";
import { regionSnapshotSchema, sfuEventSchema, type RegionSnapshot, type SfuEvent } from "../../core/sfu-state.js";
import { readSse } from "../../core/sse.js";
import { parsePayload } from "../../core/validate.js";

/** 3 s: /v1/state is served from memory; a region that cannot answer in 3 s is not reachable. */
export const STATE_TIMEOUT_MS = 3000;
/** 200 ms first retry, 5 s cap: a restarted region is back within a second or two, and
 *  RegionUnreachable (3 s) should resolve promptly once it is. */
export const WATCH_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 5000 };

export type FetchFn = typeof fetch;

export interface RegionWatcherHandlers {
  snapshot(s: RegionSnapshot, reason: "initial" | "reconnect" | "gap" | "restart"): void;
  event(e: SfuEvent): void;
  connected(): void;
  disconnected(reason: string): void;
}

export interface RegionWatcherOptions {
  region: Region;
  url: string;
  fetch: FetchFn;
  clock: Clock;
  logger: Logger;
  handlers: RegionWatcherHandlers;
  backoff?: BackoffPolicy;
  random?: () => number;
}

export interface WatcherStats {
  connected: boolean;
  lastSeq: number;
  instance: string | null;
  refetches: number;
  reconnects: number;
  invalidEvents: number;
}

export class RegionWatcher {
  readonly region: Region;
  private readonly o: RegionWatcherOptions;
  private readonly logger: Logger;
  private readonly base: string;
  private abort: AbortController | null = null;
  private retryTimer: TimerHandle | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  private attempt = 0;
  private readonly s: WatcherStats = { connected: false, lastSeq: 0, instance: null, refetches: 0, reconnects: 0, invalidEvents: 0 };

  constructor(o: RegionWatcherOptions) {
    this.o = o;
    this.region = o.region;
    this.base = o.url.replace(/\/$/, "");
    this.logger = o.logger.child({ component: "region-watcher", region: o.region });
  }

  start(): void {
    if (this.closed) throw new InvalidStateError("region watcher is closed");
    if (this.running !== null || this.retryTimer !== null) return;
    this.running = this.connectOnce().finally(() => {
      this.running = null;
    });
  }

  stats(): WatcherStats {
    return { ...this.s };
  }

  /** Stops watching. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.retryTimer?.cancel();
    this.abort?.abort();
    await this.running;
  }

  private async connectOnce(): Promise<void> {
    let reason: string;
    try {
      // Subscribe first, then fetch the state: an event emitted in between is then either
      // in the snapshot (seq <= snapshot.seq, skipped) or on the stream — never lost.
      const body = await this.subscribe();
      const snap = await this.fetchState();
      const restart = this.s.instance !== null && snap.instance !== this.s.instance;
      if (restart) this.logger.info({ from: this.s.instance, to: snap.instance }, "connect() | region restarted, state replaced");
      this.apply(snap, this.s.instance === null ? "initial" : restart ? "restart" : "reconnect");
      this.attempt = 0;
      this.setConnected(true, "");
      await this.consume(body);
      reason = "event stream ended";
    } catch (err) {
      reason = errorMessage(err);
    }
    if (this.closed) return;
    this.setConnected(false, reason);
    const delay = backoffDelay(this.o.backoff ?? WATCH_BACKOFF, this.attempt++, (this.o.random ?? Math.random)());
    this.logger.debug({ reason, delayMs: delay }, "connect() | will reconnect");
    this.retryTimer = this.o.clock.setTimeout(() => {
      this.retryTimer = null;
      if (this.closed) return;
      this.s.reconnects++;
      this.start();
    }, delay);
  }

  private setConnected(up: boolean, reason: string): void {
    if (this.s.connected === up) return;
    this.s.connected = up;
    if (up) this.o.handlers.connected();
    else this.o.handlers.disconnected(reason);
  }

  private apply(snap: RegionSnapshot, reason: "initial" | "reconnect" | "gap" | "restart"): void {
    this.s.instance = snap.instance;
    this.s.lastSeq = snap.seq;
    this.o.handlers.snapshot(snap, reason);
  }

  private async fetchState(): Promise<RegionSnapshot> {
    const res = await this.o.fetch(`${this.base}/v1/state`, { signal: AbortSignal.timeout(STATE_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`GET /v1/state → ${res.status}`);
    const parsed = parsePayload(regionSnapshotSchema, await res.json());
    if (!parsed.ok) throw new Error(`GET /v1/state: invalid snapshot: ${parsed.error.message}`);
    if (parsed.value.region !== this.region) throw new Error(`GET /v1/state: region is ${parsed.value.region}, expected ${this.region}`);
    return parsed.value;
  }

  private async subscribe(): Promise<ReadableStream<Uint8Array>> {
    this.abort = new AbortController();
    const connectTimeout = AbortSignal.timeout(STATE_TIMEOUT_MS);
    const res = await Promise.race([
      this.o.fetch(`${this.base}/v1/events`, { headers: { accept: "text/event-stream" }, signal: this.abort.signal }),
      new Promise<never>((_, reject) => { connectTimeout.addEventListener("abort", () => { reject(new Error("GET /v1/events: no response within 3 s")); }); }),
    ]).catch((err: unknown) => {
      this.abort?.abort();
      throw err;
    });
    if (!res.ok || res.body === null) throw new Error(`GET /v1/events → ${res.status}`);
    return res.body;
  }

  private async consume(body: ReadableStream<Uint8Array>): Promise<void> {
    for await (const msg of readSse(body)) {
      if (this.closed) return;
      let json: unknown;
      try {
        json = JSON.parse(msg.data);
      } catch {
        json = undefined;
      }
      const parsed = parsePayload(sfuEventSchema, json);
      if (!parsed.ok) {
        this.s.invalidEvents++;
        this.logger.warn({ error: parsed.error.message }, "stream() | invalid event skipped");
        continue;
      }
      await this.onEvent(parsed.value);
    }
  }

  private async onEvent(ev: SfuEvent): Promise<void> {
    if (ev.seq <= this.s.lastSeq) return;
    if (ev.seq > this.s.lastSeq + 1) {
      this.s.refetches++;
      this.logger.info({ expected: this.s.lastSeq + 1, got: ev.seq }, "onEvent() | sequence gap, refetching state");
      const snap = await this.fetchState();
      if (snap.instance !== this.s.instance) this.logger.info({ from: this.s.instance, to: snap.instance }, "onEvent() | region restarted");
      this.apply(snap, snap.instance !== this.s.instance ? "restart" : "gap");
      if (ev.seq <= this.s.lastSeq) return;
      // The snapshot predates this event and the events between are lost: take it as is.
      if (ev.seq > this.s.lastSeq + 1) this.logger.warn({ snapshotSeq: this.s.lastSeq, got: ev.seq }, "onEvent() | snapshot older than the stream");
    }
    this.s.lastSeq = ev.seq;
    this.o.handlers.event(ev);
  }
}
