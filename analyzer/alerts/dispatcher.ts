// Delivers alert transitions to every sink without ever blocking detection: dispatch() only
// records the alert's latest state in the sink's queue (coalesced by fingerprint, bounded)
// and returns; each sink drains on its own, one request at a time, retrying with
// exponential backoff and full jitter. Firing alerts are re-sent every resendInterval to
// sinks that want it (Alertmanager expires alerts that are not re-sent).
import { SpanStatusCode, type Tracer } from "@opentelemetry/api";
import type { Alert } from "../../core/alert.js";
import type { Clock, TimerHandle } from "../../core/clock.js";
import { errorMessage, InvalidStateError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { backoffDelay, type BackoffPolicy } from "../../core/backoff.js";
import type { AlertSink } from "./sink.js";

/** 10,000 alerts: far above any real firing set; beyond it the oldest queued states go. */
export const DEFAULT_MAX_QUEUE = 10_000;
/** 500 per request: Alertmanager takes large batches; this keeps one request well under 1 MB. */
export const MAX_BATCH = 500;
/** 500 ms first retry, 30 s cap: a restarting Alertmanager is retried promptly, a dead one gently. */
export const DISPATCH_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 };

export interface DispatcherOptions {
  sinks: readonly AlertSink[];
  clock: Clock;
  logger: Logger;
  resendIntervalMs: number;
  /** The alerts firing now, for re-sends. */
  firing: () => readonly Alert[];
  tracer: Tracer;
  maxQueue?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  onSendError?: (sink: string, err: unknown) => void;
  onSent?: (sink: string, alerts: readonly Alert[]) => void;
}

interface SinkQueue {
  sink: AlertSink;
  pending: Map<string, Alert>;
  inFlight: Promise<void> | null;
  retry: TimerHandle | null;
  attempt: number;
  dropped: number;
  scheduled: boolean;
}

export class Dispatcher {
  private readonly queues: SinkQueue[];
  private readonly o: DispatcherOptions;
  private readonly maxQueue: number;
  private readonly resendTimer: TimerHandle | null;
  private closed = false;

  constructor(o: DispatcherOptions) {
    this.o = o;
    this.maxQueue = o.maxQueue ?? DEFAULT_MAX_QUEUE;
    this.queues = o.sinks.map((sink) => ({ sink, pending: new Map(), inFlight: null, retry: null, attempt: 0, dropped: 0, scheduled: false }));
    this.resendTimer = this.queues.some((q) => q.sink.resend) && o.resendIntervalMs > 0 ? o.clock.setInterval(() => { this.resendFiring(); }, o.resendIntervalMs) : null;
  }

  /** Queues an alert's latest state for every sink. Never waits, never throws for a sink. */
  dispatch(alert: Alert): void {
    if (this.closed) throw new InvalidStateError("dispatcher is closed");
    for (const q of this.queues) this.enqueue(q, alert);
  }

  /** Re-sends every firing alert to sinks that want re-sends (also used right after a restart). */
  resendFiring(): void {
    if (this.closed) return;
    const firing = this.o.firing();
    for (const q of this.queues) if (q.sink.resend) for (const a of firing) this.enqueue(q, a);
  }

  stats(): { sink: string; queued: number; dropped: number; attempt: number }[] {
    return this.queues.map((q) => ({ sink: q.sink.name, queued: q.pending.size, dropped: q.dropped, attempt: q.attempt }));
  }

  /** Resolves once every queue is empty and nothing is in flight (tests, shutdown). */
  async idle(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const busy = this.queues.filter((q) => q.inFlight !== null || q.pending.size > 0 || q.scheduled);
      if (busy.length === 0) return true;
      await Promise.race([...busy.map((q) => q.inFlight ?? Promise.resolve()), new Promise((r) => setTimeout(r, 10))]);
    }
    return false;
  }

  /** Gives in-flight sends up to `graceMs` to finish, then stops. Idempotent. */
  async close(graceMs = 2000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.resendTimer?.cancel();
    for (const q of this.queues) q.retry?.cancel();
    const inFlight = this.queues.map((q) => q.inFlight).filter((p): p is Promise<void> => p !== null);
    await Promise.race([Promise.allSettled(inFlight), new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  private enqueue(q: SinkQueue, alert: Alert): void {
    q.pending.delete(alert.fingerprint);
    q.pending.set(alert.fingerprint, alert);
    while (q.pending.size > this.maxQueue) {
      const oldest = q.pending.keys().next().value;
      if (oldest === undefined) break;
      q.pending.delete(oldest);
      q.dropped++;
      this.o.logger.warn({ sink: q.sink.name, dropped: q.dropped }, "enqueue() | sink queue full, oldest alert state dropped");
    }
    if (!q.scheduled) {
      q.scheduled = true;
      // Coalesce everything one detector run produced into one request.
      queueMicrotask(() => {
        q.scheduled = false;
        this.drain(q);
      });
    }
  }

  private drain(q: SinkQueue): void {
    if (this.closed || q.inFlight !== null || q.retry !== null || q.pending.size === 0) return;
    const batch: Alert[] = [];
    for (const [fp, a] of q.pending) {
      batch.push(a);
      q.pending.delete(fp);
      if (batch.length >= MAX_BATCH) break;
    }
    const span = this.o.tracer.startSpan("analyzer.alert.dispatch", { attributes: { "relaywatch.sink": q.sink.name, "relaywatch.alerts": batch.length, "relaywatch.attempt": q.attempt } });
    q.inFlight = q.sink
      .send(batch)
      .then(
        () => {
          span.setStatus({ code: SpanStatusCode.OK });
          q.attempt = 0;
          this.o.onSent?.(q.sink.name, batch);
        },
        (err: unknown) => {
          span.recordException(err instanceof Error ? err : new Error(String(err)));
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
          this.o.onSendError?.(q.sink.name, err);
          this.o.logger.warn({ sink: q.sink.name, alerts: batch.length, attempt: q.attempt, error: errorMessage(err) }, "send() | sink failed, will retry");
          // Put the batch back unless a newer state of the same alert arrived meanwhile.
          const newer = new Map(q.pending);
          q.pending.clear();
          for (const a of batch) if (!newer.has(a.fingerprint)) q.pending.set(a.fingerprint, a);
          for (const [fp, a] of newer) q.pending.set(fp, a);
          if (!this.closed) {
            const delay = backoffDelay(this.o.backoff ?? DISPATCH_BACKOFF, q.attempt++, (this.o.random ?? Math.random)());
            q.retry = this.o.clock.setTimeout(() => {
              q.retry = null;
              this.drain(q);
            }, delay);
          }
        },
      )
      .finally(() => {
        span.end();
        q.inFlight = null;
        this.drain(q);
      });
  }
}
