// LiveSource: the dashboard fed by a running analyzer — a snapshot over HTTP
// (`/v1/overview`, `/v1/alerts`, `/v1/tracks`), then the SSE stream `/v1/stream`, with
// reconnects. Every payload is parsed against core/analyzer-api.ts; fetch and the clock are
// injected. It must never show old data as live: losing the analyzer flips the connection
// to "unreachable since …" at once, and the views say so.
import type { z } from "zod";
import type { Alert } from "../../core/alert.js";
import {
  alertsResponseSchema,
  analyzerStreamEventSchema,
  overviewSchema,
  trackGraphSchema,
  tracksListSchema,
  type AnalyzerStreamEvent,
  type TrackGraph,
} from "../../core/analyzer-api.js";
import { backoffDelay, type BackoffPolicy } from "../../core/backoff.js";
import type { Clock, TimerHandle } from "../../core/clock.js";
import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { readSse } from "../../core/sse.js";
import { emptyState, type DashboardSource, type DashboardState } from "./dashboard-state.js";
import { LIVE_RETRY } from "./retry.js";
import { StateBox } from "./state-box.js";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** 3 s: the analyzer answers snapshots from memory; longer means it is not answering. */
const REQUEST_TIMEOUT_MS = 3_000;
/** 10 s without a byte on the stream (the analyzer sends an overview every second): reconnect. */
const STREAM_IDLE_MS = 10_000;
/** 15 s: resync alerts and the track list, which the stream only updates one by one. */
const RESYNC_MS = 15_000;
/**
 * 2 s: the analyzer streams a track's graph only to clients that named it when connecting
 * (`?track=`) or when its loop fires/resolves; a track picked later is refreshed by polling.
 */
const GRAPH_REFRESH_MS = 2_000;
/** Resolved alerts older than this drop off the list (the analyzer keeps its own window). */
const RESOLVED_KEEP_MS = 60 * 60_000;

export interface LiveSourceOptions {
  url: string;
  token?: string | undefined;
  fetch: FetchLike;
  clock: Clock;
  logger?: Logger | undefined;
  /** Reconnect delays (default LIVE_RETRY). */
  retry?: BackoffPolicy;
  /** Jitter draws in [0, 1) (default Math.random). */
  random?: () => number;
}

export class LiveSource implements DashboardSource {
  readonly replay = null;
  private readonly box: StateBox;
  private readonly base: string;
  private closed = false;
  private started = false;
  private attempts = 0;
  private lostAt: number | null = null;
  private abort: AbortController | null = null;
  private retryTimer: TimerHandle | null = null;
  private idleTimer: TimerHandle | null = null;
  private resyncTimer: TimerHandle | null = null;
  private graphTimer: TimerHandle | null = null;

  private readonly options: LiveSourceOptions;

  constructor(options: LiveSourceOptions) {
    this.options = options;
    this.base = options.url.replace(/\/+$/, "");
    this.box = new StateBox(emptyState("live", { kind: "connecting", since: options.clock.now() }, this.base));
  }

  getState(): DashboardState {
    return this.box.get();
  }

  subscribe(listener: () => void): () => void {
    return this.box.subscribe(listener);
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.connect();
    this.resyncTimer = this.options.clock.setInterval(() => {
      if (this.box.get().connection.kind === "live") void this.resync();
    }, RESYNC_MS);
    this.graphTimer = this.options.clock.setInterval(() => {
      const track = this.box.get().selectedTrack;
      if (track !== null && this.box.get().connection.kind === "live") void this.loadGraph(track);
    }, GRAPH_REFRESH_MS);
  }

  selectTrack(track: string | null): void {
    if (this.box.get().selectedTrack === track) return;
    this.box.update({ selectedTrack: track, graph: null });
    if (track !== null && this.box.get().connection.kind === "live") void this.loadGraph(track);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.abort?.abort();
    for (const t of [this.retryTimer, this.idleTimer, this.resyncTimer, this.graphTimer]) t?.cancel();
    return Promise.resolve();
  }

  /** One connection: snapshot, then the stream until it ends; then schedules the next. */
  private async connect(): Promise<void> {
    if (this.closed) return;
    const abort = new AbortController();
    this.abort = abort;
    try {
      // Stream first, snapshot second: events sent while the snapshot loads wait in the
      // stream's buffer and apply on top of it, so an alert fired in between is not lost.
      const stream = await this.openStream(abort.signal);
      const [overview, alerts, tracks] = await Promise.all([
        this.getJson("/v1/overview", overviewSchema, abort.signal),
        this.getJson("/v1/alerts", alertsResponseSchema, abort.signal),
        this.getJson("/v1/tracks", tracksListSchema, abort.signal),
      ]);
      const now = this.options.clock.now();
      this.attempts = 0;
      this.lostAt = null;
      this.box.update({ connection: { kind: "live", since: now }, overview, alerts: alerts.alerts, tracks: tracks.tracks, receivedAt: now });
      const track = this.box.get().selectedTrack;
      if (track !== null) void this.loadGraph(track);
      await this.consume(stream, abort);
      this.lostAt = this.options.clock.now();
      throw new Error("stream closed by the analyzer");
    } catch (err) {
      if (this.isClosed()) return;
      this.failed(err);
    }
  }

  /** A method, not the field: the flag changes across awaits, which narrowing cannot see. */
  private isClosed(): boolean {
    return this.closed;
  }

  private failed(err: unknown): void {
    const now = this.options.clock.now();
    this.idleTimer?.cancel();
    this.abort?.abort();
    const prev = this.box.get().connection;
    // The first failure right after a dropped stream retries at once: a stream cut by a
    // proxy or restart should not flash "unreachable" when the analyzer is still there.
    const droppedJustNow = prev.kind === "live" && this.attempts === 0;
    this.attempts += 1;
    this.lostAt ??= now;
    if (!droppedJustNow) {
      const since = prev.kind === "unreachable" ? prev.since : this.lostAt;
      this.box.update({ connection: { kind: "unreachable", since, error: errorMessage(err), attempts: this.attempts } });
    }
    this.options.logger?.warn({ url: this.base, attempt: this.attempts, error: errorMessage(err) }, "connect() | analyzer unreachable");
    const delay = droppedJustNow ? 0 : backoffDelay(this.options.retry ?? LIVE_RETRY, this.attempts - 1, (this.options.random ?? Math.random)());
    this.retryTimer = this.options.clock.setTimeout(() => void this.connect(), delay);
  }

  private async openStream(signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const ctl = new AbortController();
    const timer = this.options.clock.setTimeout(() => {
      ctl.abort(new Error(`GET /v1/stream: no answer in ${REQUEST_TIMEOUT_MS / 1000}s`));
    }, REQUEST_TIMEOUT_MS);
    try {
      const track = this.box.get().selectedTrack;
      const query = track === null ? "" : `?track=${encodeURIComponent(track)}`;
      const res = await this.options.fetch(`${this.base}/v1/stream${query}`, { headers: { ...this.headers(), accept: "text/event-stream" }, signal: AbortSignal.any([signal, ctl.signal]) });
      if (res.status === 401 || res.status === 403) throw new Error(`GET /v1/stream: HTTP ${res.status} (check --token)`);
      if (!res.ok || res.body === null) throw new Error(`GET /v1/stream: HTTP ${res.status}`);
      return res.body;
    } catch (err) {
      throw new Error(shortError(err), { cause: err });
    } finally {
      timer.cancel();
    }
  }

  private async consume(body: ReadableStream<Uint8Array>, abort: AbortController): Promise<void> {
    const armIdle = (): void => {
      this.idleTimer?.cancel();
      this.idleTimer = this.options.clock.setTimeout(() => {
        abort.abort(new Error(`no data on /v1/stream for ${STREAM_IDLE_MS / 1000}s`));
      }, STREAM_IDLE_MS);
    };
    armIdle();
    for await (const m of readSse(body, { onActivity: armIdle })) {
      let json: unknown;
      try {
        json = JSON.parse(m.data);
      } catch {
        continue;
      }
      const ev = analyzerStreamEventSchema.safeParse(json);
      if (ev.success) this.apply(ev.data);
      else this.options.logger?.warn({ event: m.event, error: ev.error.message.slice(0, 200) }, "stream() | bad event ignored");
    }
    this.idleTimer?.cancel();
  }

  private apply(ev: AnalyzerStreamEvent): void {
    const now = this.options.clock.now();
    switch (ev.type) {
      case "overview":
        this.box.update({ overview: ev.overview, receivedAt: now });
        break;
      case "alert":
        this.box.update((s) => ({ alerts: upsertAlert(s.alerts, ev.alert, now), receivedAt: now }));
        break;
      case "track":
        this.box.update((s) => ({
          tracks: upsertTrack(s.tracks, ev.graph),
          graph: s.selectedTrack === ev.graph.track ? ev.graph : s.graph,
          receivedAt: now,
        }));
        break;
    }
  }

  private async resync(): Promise<void> {
    try {
      const [alerts, tracks] = await Promise.all([this.getJson("/v1/alerts", alertsResponseSchema), this.getJson("/v1/tracks", tracksListSchema)]);
      this.box.update({ alerts: alerts.alerts, tracks: tracks.tracks });
    } catch {
      // The stream's own failure handling reports an unreachable analyzer.
    }
  }

  private async loadGraph(track: string): Promise<void> {
    const [room = "", name = ""] = track.split("/");
    try {
      const graph = await this.getJson(`/v1/tracks/${encodeURIComponent(room)}/${encodeURIComponent(name)}`, trackGraphSchema);
      if (this.box.get().selectedTrack === track) this.box.update({ graph });
    } catch (err) {
      this.options.logger?.debug({ track, error: errorMessage(err) }, "loadGraph() | failed");
    }
  }

  private headers(): Record<string, string> {
    return this.options.token === undefined ? {} : { authorization: `Bearer ${this.options.token}` };
  }

  private async getJson<S extends z.ZodType>(path: string, schema: S, outer?: AbortSignal): Promise<z.infer<S>> {
    const ctl = new AbortController();
    const timer = this.options.clock.setTimeout(() => {
      ctl.abort(new Error(`GET ${path}: no answer in ${REQUEST_TIMEOUT_MS / 1000}s`));
    }, REQUEST_TIMEOUT_MS);
    const signal = outer === undefined ? ctl.signal : AbortSignal.any([ctl.signal, outer]);
    try {
      const res = await this.options.fetch(`${this.base}${path}`, { headers: { ...this.headers(), accept: "application/json" }, signal });
      if (res.status === 401 || res.status === 403) throw new Error(`GET ${path}: HTTP ${res.status} (check --token)`);
      if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
      const parsed = schema.safeParse(await res.json());
      if (!parsed.success) throw new Error(`GET ${path}: payload does not match the contract: ${parsed.error.message.slice(0, 200)}`);
      return parsed.data;
    } catch (err) {
      throw new Error(shortError(err), { cause: err });
    } finally {
      timer.cancel();
    }
  }
}

/** fetch's "fetch failed" hides the useful part (ECONNREFUSED…) in `cause`. */
function shortError(err: unknown): string {
  if (err instanceof Error && err.message === "fetch failed" && err.cause instanceof Error) {
    const code = (err.cause as Error & { code?: unknown }).code;
    return typeof code === "string" ? code : err.cause.message;
  }
  return errorMessage(err);
}

export function upsertAlert(alerts: readonly Alert[], alert: Alert, now: number): Alert[] {
  const rest = alerts.filter((a) => a.fingerprint !== alert.fingerprint && !(a.state === "resolved" && now - (a.endsAt ?? a.updatedAt) > RESOLVED_KEEP_MS));
  return [alert, ...rest];
}

export function upsertTrack(tracks: DashboardState["tracks"], graph: TrackGraph): DashboardState["tracks"] {
  const entry = { track: graph.track, origin: graph.origin, regions: graph.nodes.length, cycle: graph.cycle !== null };
  return [entry, ...tracks.filter((t) => t.track !== graph.track)];
}
