// Delivery of probe results to the analyzer ingest (`POST /v1/ingest/probes`, core's
// probeIngestSchema): batches by size and time, retries with exponential backoff and full
// jitter (honouring Retry-After), and holds at most `maxBuffered` results — the newest; on
// overflow the oldest waiting results are dropped, because on-call needs the present. Every
// drop is counted by reason (stats(), `relaywatch_probe_results_dropped_total`) and logged
// (rate-limited lines that carry the exact counts). Never drops a batch while it is in flight.
//
// A batch keeps its `x-relaywatch-batch` id across retries; the analyzer recognises every
// window it already has (pair + window end), so a batch whose answer was lost, or results
// re-sent after a restart, are stored once.
//
// With a spool directory (IngestSink.open), every submitted result is also on disk until it
// is settled (delivered, or dropped and counted), and a restarted agent sends what an
// earlier run left: killing the agent while the analyzer is down loses nothing. The cap is
// the same `maxBuffered` results on disk as in memory (~0.5 KB each), oldest dropped first.
//
// The agent authenticates with a bearer token (an agent token bound to its region). A 401 or
// 403 is a problem of this agent's credentials, not of the batch: it is logged as an error
// (once per minute), counted (`relaywatch_probe_delivery_attempts_total{outcome="unauthorized"}`)
// and the results are kept and retried, so fixing the token and restarting delivers them.
import { randomUUID } from "node:crypto";
import { systemClock, type Clock, type TimerHandle } from "../../core/clock.js";
import { InvalidStateError, errorMessage } from "../../core/errors.js";
import { silentLogger, type Logger } from "../../core/logger.js";
import { MAX_PROBE_BATCH, type ProbeIngest, type ProbeResult } from "../../core/probe-result.js";
import { backoffDelay, type BackoffPolicy } from "../../core/backoff.js";
import type { DropReason, ProbeMetrics } from "../metrics.js";
import { parseRetryAfter } from "../whip-client.js";
import { ResultSpool, type SpoolLine } from "./result-spool.js";
import { emptySinkStats, type ProbeSink, type SinkStats } from "./sink.js";

export const INGEST_PATH = "/v1/ingest/probes";
/** 3600 results: 10 minutes of a 5-region agent (4 pairs/s) or 6.7 of a 10-region one, at ~0.5 KB each < 2 MB. */
export const DEFAULT_MAX_BUFFERED = 3600;
/** 500 per POST: ~250 KB bodies, far below the ingest's 10,000 limit. */
export const DEFAULT_MAX_BATCH = 500;
/** 1 s: results reach the analyzer about one probe window after they are made. */
export const DEFAULT_FLUSH_DELAY_MS = 1000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
/** 250 ms first retry, 5 s cap: an analyzer back from an outage gets the backlog within ~5 s. */
export const DEFAULT_INGEST_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 5000 };
/** One drop line per 10 s at most, each with exact counts, so an outage cannot flood the log. */
const DROP_LOG_INTERVAL_MS = 10_000;
/** One "token refused" line per minute: loud enough to be found, not a flood. */
const AUTH_LOG_INTERVAL_MS = 60_000;
/** The analyzer's refusal detail is logged up to this many characters. */
const MAX_DETAIL_CHARS = 500;

export interface IngestSinkOptions {
  /** The analyzer's base URL, e.g. http://127.0.0.1:7400. */
  analyzerUrl: string;
  /** Agent id sent in every body (`agent`). */
  agent: string;
  metrics: ProbeMetrics;
  fetch?: typeof globalThis.fetch;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
  maxBuffered?: number;
  maxBatch?: number;
  flushDelayMs?: number;
  requestTimeoutMs?: number;
  backoff?: BackoffPolicy;
  /** Bearer token for the analyzer (an agent token for this agent's region). */
  token?: string | undefined;
}

type Attempt =
  | { outcome: "delivered" }
  | { outcome: "rejected"; status: number; detail: string }
  | { outcome: "unauthorized"; status: number; detail: string }
  | { outcome: "retry"; detail: string; retryAfterMs: number | null };

interface Entry {
  result: ProbeResult;
  line: SpoolLine | null;
}

export class IngestSink implements ProbeSink {
  readonly name = "ingest";
  private readonly url: string;
  private readonly agent: string;
  private readonly metrics: ProbeMetrics;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly maxBuffered: number;
  private readonly maxBatch: number;
  private readonly flushDelayMs: number;
  private readonly requestTimeoutMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly bootId = randomUUID().slice(0, 8);
  private readonly counts: SinkStats = emptySinkStats();
  private readonly token: string | undefined;
  private readonly spool: ResultSpool | null = null;
  private queue: Entry[] = [];
  private inflight: { id: string; entries: Entry[] } | null = null;
  private lastAuthLogAt = Number.NEGATIVE_INFINITY;
  private batchSeq = 0;
  private timer: TimerHandle | null = null;
  private request: Promise<void> | null = null;
  private attempt = 0;
  private failing = false;
  private lastDropLogAt = Number.NEGATIVE_INFINITY;
  private droppedSinceLog = 0;
  private closed = false;
  private closing: Promise<void> | null = null;

  /**
   * A sink whose unsettled results live in `spoolDir` too; results an earlier run left
   * there are queued first (beyond maxBuffered, the oldest are dropped and counted).
   */
  static async open(options: IngestSinkOptions & { spoolDir: string }): Promise<IngestSink> {
    const logger = (options.logger ?? silentLogger).child({ component: "probe-ingest" });
    const onError = (err: unknown): void => { logger.error({ error: errorMessage(err) }, "spool() | result spool write failed; results stay in memory"); };
    const { spool, restored, skippedLines } = await ResultSpool.open(options.spoolDir, onError);
    const sink = new IngestSink(options, spool);
    if (restored.length > 0 || skippedLines > 0) logger.info({ results: restored.length, skippedLines, dir: options.spoolDir }, "open() | results from an earlier run queued for delivery");
    if (restored.length > 0) sink.enqueue(restored);
    return sink;
  }

  constructor(options: IngestSinkOptions, spool: ResultSpool | null = null) {
    this.token = options.token;
    this.spool = spool;
    this.url = new URL(INGEST_PATH, options.analyzerUrl).href;
    this.agent = options.agent;
    this.metrics = options.metrics;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ component: "probe-ingest" });
    this.random = options.random ?? Math.random;
    this.maxBatch = Math.min(options.maxBatch ?? DEFAULT_MAX_BATCH, MAX_PROBE_BATCH);
    this.maxBuffered = Math.max(options.maxBuffered ?? DEFAULT_MAX_BUFFERED, this.maxBatch);
    this.flushDelayMs = options.flushDelayMs ?? DEFAULT_FLUSH_DELAY_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.backoff = options.backoff ?? DEFAULT_INGEST_BACKOFF;
    this.metrics.initSink(this.name);
  }

  submit(results: readonly ProbeResult[]): void {
    if (this.closed) throw new InvalidStateError("IngestSink.submit(): sink closed");
    if (results.length === 0) return;
    const line = this.spool?.append(results) ?? null;
    this.enqueue(results.map((result) => ({ result, line })));
  }

  private enqueue(entries: readonly Entry[]): void {
    for (const e of entries) this.queue.push(e);
    this.counts.submitted += entries.length;
    this.metrics.resultsSubmitted.inc({ sink: this.name }, entries.length);
    const over = this.queue.length + (this.inflight?.entries.length ?? 0) - this.maxBuffered;
    if (over > 0) this.settle(this.queue.splice(0, over), "buffer_full");
    this.updateBuffered();
    this.schedule();
  }

  /** Entries delivered (reason null) or dropped: off the disk too. */
  private settle(entries: readonly Entry[], reason: DropReason | null): void {
    if (this.spool !== null) for (const e of entries) if (e.line !== null) this.spool.settle(e.line);
    if (reason !== null) this.drop(reason, entries.length);
  }

  stats(): SinkStats {
    return { ...this.counts, dropped: { ...this.counts.dropped }, buffered: this.buffered() };
  }

  /** Resolves once no request is in flight (tests and close()). */
  async whenIdle(): Promise<void> {
    while (this.request !== null) await this.request;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.timer?.cancel();
    this.timer = null;
    await this.whenIdle();
    // One last pass without backoff: deliver while the ingest accepts, stop at the first failure.
    while (this.inflight !== null || this.queue.length > 0) {
      const a = await this.attemptOnce();
      if (a.outcome === "retry" || a.outcome === "unauthorized") break;
    }
    const left = [...(this.inflight?.entries ?? []), ...this.queue];
    if (this.spool !== null) {
      // Kept on disk for the next start: not dropped.
      if (left.length > 0) this.logger.info({ results: left.length }, "close() | undelivered results stay in the spool for the next start");
      await this.spool.close();
    } else {
      this.queue = [];
      this.inflight = null;
      if (left.length > 0) this.drop("shutdown", left.length);
    }
    this.flushDropLog(true);
    this.updateBuffered();
  }

  private buffered(): number {
    return this.queue.length + (this.inflight?.entries.length ?? 0);
  }

  private schedule(delayMs?: number): void {
    if (this.closed || this.timer !== null || this.request !== null) return;
    if (this.inflight === null && this.queue.length === 0) return;
    const delay = delayMs ?? (this.queue.length >= this.maxBatch ? 0 : this.flushDelayMs);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.request = this.cycle();
    }, delay);
  }

  /** One attempt, then the next timer: scheduled before whenIdle() resolves, so tests see it. */
  private async cycle(): Promise<void> {
    const a = await this.attemptOnce();
    this.request = null;
    if (a.outcome === "retry" || a.outcome === "unauthorized") {
      const backoff = backoffDelay(this.backoff, this.attempt++, this.random());
      this.schedule(Math.min(this.backoff.maxMs, Math.max(backoff, a.outcome === "retry" ? (a.retryAfterMs ?? 0) : 0)));
    } else {
      this.schedule();
    }
  }

  private async attemptOnce(): Promise<Attempt> {
    if (this.inflight === null) {
      const entries = this.queue.splice(0, this.maxBatch);
      this.inflight = { id: `${this.agent}:${this.bootId}:${++this.batchSeq}`, entries };
    }
    const batch = this.inflight;
    const a = await this.post(batch.id, batch.entries.map((e) => e.result));
    this.metrics.deliveryAttempts.inc({ sink: this.name, outcome: a.outcome });
    if (a.outcome === "unauthorized") {
      this.logAuthFailure(a.status, a.detail);
      return a;
    }
    if (a.outcome === "retry") {
      if (!this.failing) this.logger.warn({ url: this.url, detail: a.detail, buffered: this.stats().buffered }, "deliver() | analyzer ingest unavailable, buffering");
      this.failing = true;
      return a;
    }
    this.inflight = null;
    this.attempt = 0;
    if (a.outcome === "delivered") {
      this.counts.delivered += batch.entries.length;
      this.metrics.resultsDelivered.inc({ sink: this.name }, batch.entries.length);
      this.settle(batch.entries, null);
      if (this.failing) {
        this.flushDropLog(true);
        this.logger.info({ url: this.url, delivered: this.counts.delivered, dropped: { ...this.counts.dropped } }, "deliver() | analyzer ingest recovered");
      }
      this.failing = false;
    } else {
      this.logger.error({ url: this.url, status: a.status, results: batch.entries.length, detail: a.detail }, "deliver() | analyzer rejected a batch; dropped");
      this.settle(batch.entries, "rejected");
    }
    this.updateBuffered();
    return a;
  }

  private async post(id: string, results: ProbeResult[]): Promise<Attempt> {
    const body: ProbeIngest = { agent: this.agent, results };
    // A network timeout is real time, whatever clock drives the schedule.
    const signal = AbortSignal.timeout(this.requestTimeoutMs);
    try {
      const res = await this.fetchFn(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-relaywatch-batch": id,
          ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
        },
        body: JSON.stringify(body),
        signal,
      });
      if (res.ok) {
        await res.body?.cancel();
        return { outcome: "delivered" };
      }
      const detail = (await res.text().catch(() => "")).slice(0, MAX_DETAIL_CHARS);
      // This agent's credentials, not the batch: keep the results and say so loudly.
      if (res.status === 401 || res.status === 403) return { outcome: "unauthorized", status: res.status, detail };
      // 408 and 429 are "later", like 5xx; any other 4xx is a verdict on the batch itself.
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) return { outcome: "rejected", status: res.status, detail };
      return { outcome: "retry", detail: `HTTP ${res.status}`, retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), this.clock.now()) };
    } catch (err) {
      return { outcome: "retry", detail: signal.aborted ? `no answer within ${this.requestTimeoutMs} ms` : errorMessage(err), retryAfterMs: null };
    }
  }

  private drop(reason: DropReason, n: number): void {
    this.counts.dropped[reason] += n;
    this.metrics.resultsDropped.inc({ sink: this.name, reason }, n);
    this.droppedSinceLog += n;
    this.flushDropLog(false);
  }

  private flushDropLog(force: boolean): void {
    if (this.droppedSinceLog === 0) return;
    const now = this.clock.now();
    if (!force && now - this.lastDropLogAt < DROP_LOG_INTERVAL_MS) return;
    this.logger.warn({ url: this.url, droppedSinceLastLine: this.droppedSinceLog, dropped: { ...this.counts.dropped } }, "deliver() | probe results dropped");
    this.lastDropLogAt = now;
    this.droppedSinceLog = 0;
  }

  private logAuthFailure(status: number, detail: string): void {
    const now = this.clock.now();
    if (now - this.lastAuthLogAt < AUTH_LOG_INTERVAL_MS) return;
    this.lastAuthLogAt = now;
    const hint = this.token === undefined ? "no --analyzer-token is set" : "check --analyzer-token (an agent token for this region)";
    this.logger.error({ url: this.url, status, detail, buffered: this.buffered() }, `deliver() | analyzer refused this agent's token; results kept and retried (${hint})`);
  }

  private updateBuffered(): void {
    this.metrics.resultsBuffered.set({ sink: this.name }, this.buffered());
  }
}
