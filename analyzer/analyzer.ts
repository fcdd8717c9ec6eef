// The analyzer process: region watchers and the probe ingest in, the engine (graph,
// detectors, alert book) in the middle, alert sinks, the store, the live API and metrics
// out. Analyzer.start() wires it all from a config and injected Clock/Logger/Registry/
// fetch/Tracer, in dependency order, registering each part's close on one stack as it
// opens: a step that fails closes whatever was opened before it (nothing is left
// listening or open), and close() undoes it all, in reverse, once.
import type { Server } from "node:http";
import { trace, type Tracer } from "@opentelemetry/api";
import type { Registry } from "prom-client";
import type { Alert } from "../core/alert.js";
import { systemClock, type Clock } from "../core/clock.js";
import { Closers, describeCloseFailures } from "../core/closers.js";
import type { RelaywatchConfig } from "../core/config.js";
import { errorMessage } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/logger.js";
import type { ServerTls } from "../core/tls.js";
import { actionRow, ACTIONS_TABLE } from "../store/action-queries.js";
import { alertsInRange } from "../store/queries.js";
import type { Store } from "../store/store.js";
import { StoreWriter } from "../store/writer.js";
import type { AlertTransition } from "./alerts/alert-book.js";
import { Dispatcher } from "./alerts/dispatcher.js";
import { AlertmanagerSink, WebhookSink, type FetchFn } from "./alerts/http-sinks.js";
import type { AlertSink, SinkContext } from "./alerts/sink.js";
import { loadResultKeys, ProbeIngest } from "./ingest/probe-ingest.js";
import { bindHttp, createApiApp } from "./api/server.js";
import { StreamHub } from "./api/stream-hub.js";
import { ActionRunner } from "./actions/action-runner.js";
import { AnalyzerEngine } from "./engine.js";
import { RegionWatcher } from "./inputs/region-watcher.js";
import { EDGE_SNAPSHOT_INTERVAL_MS, HEALTH_SNAPSHOT_INTERVAL_MS, Persister } from "./persist.js";
import { AnalyzerMetrics } from "./telemetry.js";
import { buildOverview, buildTrackGraph } from "./views.js";

/** 1 s sweep (DESIGN): time-based detectors (for-periods, restore grace) fire within a second. */
export const SWEEP_INTERVAL_MS = 1000;

export interface AnalyzerOptions {
  config: RelaywatchConfig;
  /** An open, migrated store (embedded: this process owns it). Without one nothing is persisted. */
  store?: Store;
  /** Spool directory for the store writer; default config.store.spoolDir. */
  spoolDir?: string;
  clock?: Clock;
  logger?: Logger;
  registry: Registry;
  fetch?: FetchFn;
  tracer?: Tracer;
  /** HOST:PORT to listen on; default config.analyzer.listen. Port 0 picks a free one. */
  listen?: string;
  /** Serve the ingest and live API over HTTPS with this certificate and key. */
  tls?: ServerTls | null;
  /** The URL alerts link back to (generatorURL); default the listening URL. */
  externalUrl?: string;
  /** Base of the alerts' `runbook_url` annotation (<base>/<AlertName>.md); default this installation's docs/runbooks. */
  runbookBaseUrl?: string;
  /** The SFU admin token for on-call actions (POST /v1/actions); without one actions are refused. */
  adminToken?: string | undefined;
  /** Bearer token for ingest and read API; default config.analyzer.token. */
  token?: string;
  /** Extra sinks besides the configured Alertmanagers and webhooks. */
  sinks?: readonly AlertSink[];
  random?: () => number;
}

interface Parts {
  engine: AnalyzerEngine;
  url: string;
  dispatcher: Dispatcher;
  writer: StoreWriter | null;
  metrics: AnalyzerMetrics;
  closers: Closers;
  logger: Logger;
}

/** What every part is built from: the options with their defaults resolved. */
interface Context {
  o: AnalyzerOptions;
  config: RelaywatchConfig;
  clock: Clock;
  logger: Logger;
  fetchFn: FetchFn;
  tracer: Tracer;
  configured: string[];
  closers: Closers;
}

export class Analyzer {
  readonly engine: AnalyzerEngine;
  readonly url: string;
  readonly dispatcher: Dispatcher;
  readonly writer: StoreWriter | null;
  readonly metrics: AnalyzerMetrics;
  private readonly closers: Closers;
  private readonly logger: Logger;
  private closing: Promise<void> | null = null;

  private constructor(p: Parts) {
    this.engine = p.engine;
    this.url = p.url;
    this.dispatcher = p.dispatcher;
    this.writer = p.writer;
    this.metrics = p.metrics;
    this.closers = p.closers;
    this.logger = p.logger;
  }

  /**
   * Builds the analyzer: store writer, API socket, alert dispatcher, engine, API routes,
   * region watchers, timers — each close pushed as its part opens. If any step throws,
   * what was opened is closed (in reverse) before the error is passed on.
   */
  static async start(o: AnalyzerOptions): Promise<Analyzer> {
    const logger = (o.logger ?? silentLogger).child({ component: "analyzer" });
    // Close timeouts run on real time: they guard real I/O, which a manual test clock does not move.
    const closers = new Closers();
    const ctx: Context = {
      o, config: o.config, clock: o.clock ?? systemClock, logger, fetchFn: o.fetch ?? fetch,
      tracer: o.tracer ?? trace.getTracer("relaywatch-analyzer"), configured: o.config.regions.map((r) => r.name), closers,
    };
    try {
      return new Analyzer(await build(ctx));
    } catch (err) {
      const report = await closers.closeAll();
      for (const line of describeCloseFailures(report)) logger.warn({ error: line }, "start() | close after a failed start failed");
      throw err;
    }
  }

  /** Stops input (API, watchers, timers) first, then flushes sinks and the store writer. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const report = await this.closers.closeAll();
      for (const line of describeCloseFailures(report)) this.logger.warn({ error: line }, "close() | a part did not close cleanly");
      this.logger.info({}, "close() | analyzer stopped");
    })();
    return this.closing;
  }
}

async function build(c: Context): Promise<Parts> {
  const { o, config, clock, logger, closers } = c;
  const restored = await readFiringAlerts(o.store, clock, logger);
  const writer = o.store === undefined
    ? null
    : await closers.open("store writer", () => StoreWriter.open({ store: o.store as Store, spoolDir: o.spoolDir ?? config.store.spoolDir, clock, logger }), (w) => w.close());
  const persister = writer === null ? null : new Persister(writer);
  // Before the socket: a batch re-sent across a restart must be recognised from the first request.
  const skew = { maxAheadMs: config.analyzer.maxClockAhead, maxBehindMs: config.analyzer.maxClockBehind };
  const keys = await loadResultKeys({ store: o.store ?? null, writer, skew, now: clock.now(), logger });
  // The socket first (its URL goes into alerts), the routes once everything they use exists.
  const hub = new StreamHub();
  const { server, url } = await bindHttp(o.listen ?? config.analyzer.listen, o.tls ?? null);
  const stopInput = once(() => closeServer(hub, server));
  closers.push("api server", stopInput);
  const outputs = createOutputs(c, url, hub, persister);
  const { engine, metrics, dispatcher } = outputs;
  engine.book.restore(restored, clock.now());
  if (restored.length > 0) {
    logger.info({ alerts: restored.length }, "start() | restored firing alerts from the store");
    // Re-sent at once: same labels and startsAt, so Alertmanager keeps them active and does not notify again.
    dispatcher.resendFiring();
  }
  server.on("request", createApiApp({
    engine, configuredRegions: c.configured, clock, registry: o.registry, metrics, tracer: c.tracer, hub, token: o.token ?? config.analyzer.token,
    ingest: new ProbeIngest({ engine, writer, regions: c.configured, skew, clock, logger, metrics }, keys),
    actions: startActions(c, engine, writer),
  }));
  startWatchers(c, engine, metrics);
  startTimers(c, engine, hub, persister);
  // Input stops first on close: no ingest may reach a closed dispatcher or writer.
  closers.push("api input", stopInput);
  logger.info({ url, regions: c.configured, sinks: outputs.sinkNames, store: o.store !== undefined }, "start() | analyzer listening");
  return { engine, url, dispatcher, writer, metrics, closers, logger };
}

interface Outputs {
  engine: AnalyzerEngine;
  metrics: AnalyzerMetrics;
  dispatcher: Dispatcher;
  sinkNames: string[];
}

/**
 * The engine and where its observations go (metrics, dispatcher, store, stream hub). The
 * metrics and the dispatcher read the engine only later (on a scrape, on a resend), so
 * they can be built first and the engine last, with every output it feeds already there.
 */
function createOutputs(c: Context, url: string, hub: StreamHub, persister: Persister | null): Outputs {
  const { o, config, clock, logger } = c;
  const ctx: SinkContext = { externalUrl: o.externalUrl ?? url, now: () => clock.now(), resendIntervalMs: config.alerting.resendInterval, ...(o.runbookBaseUrl === undefined ? {} : { runbookBaseUrl: o.runbookBaseUrl }) };
  const sinks: AlertSink[] = [
    ...config.alerting.alertmanager.map((u) => new AlertmanagerSink(u, ctx, c.fetchFn)),
    ...config.alerting.webhooks.map((u) => new WebhookSink(u, ctx, c.fetchFn)),
    ...(o.sinks ?? []),
  ];
  const metrics = new AnalyzerMetrics(o.registry, (name) => engine.book.firingCount(name));
  const dispatcher = new Dispatcher({
    sinks, clock, logger, resendIntervalMs: config.alerting.resendInterval, tracer: c.tracer,
    firing: () => engine.book.notifiable(),
    ...(o.random === undefined ? {} : { random: o.random }),
    onSendError: (sink) => { metrics.sinkErrors.inc({ sink }); },
  });
  c.closers.push("alert dispatcher", () => dispatcher.close());
  const engine: AnalyzerEngine = new AnalyzerEngine(
    {
      probe: { k: config.thresholds.probeFailWindows, n: config.thresholds.probeWindowHistory },
      relayLatencyMs: config.thresholds.relayLatencyMs,
      staleRelayAfterMs: config.thresholds.staleRelayAfter,
      gracePeriodMs: config.thresholds.gracePeriod,
      pagingHorizonMs: config.thresholds.pagingHorizon,
    },
    {
      transition: (t) => { onTransition(t, { clock, logger, hub, persister, metrics, dispatcher, engine }); },
      edge: (e) => persister?.edge(e),
      health: (h) => persister?.health(h),
      track: (track) => {
        if (hub.size === 0 || !hub.watches(track)) return;
        const g = buildTrackGraph(engine, track, clock.now());
        if (g !== null) hub.track({ type: "track", graph: g }, false);
      },
      detectorSeconds: (input, s) => { metrics.detectorSeconds.observe({ input }, s); },
      observerError: (err) => { logger.error({ error: errorMessage(err) }, "observer() | listener threw"); },
    },
  );
  return { engine, metrics, dispatcher, sinkNames: sinks.map((s) => s.name) };
}

function onTransition(
  t: AlertTransition,
  d: { clock: Clock; logger: Logger; hub: StreamHub; persister: Persister | null; metrics: AnalyzerMetrics; dispatcher: Dispatcher; engine: AnalyzerEngine },
): void {
  const now = d.clock.now();
  if (t.kind === "fired" && t.observedAt !== undefined) d.metrics.timeToDetect.observe({ alertname: t.alert.name }, Math.max(0, now - t.observedAt) / 1000);
  // Muted (inhibited) alerts stay visible in the API and the store, but never page.
  if (t.notify) d.dispatcher.dispatch(t.alert);
  d.persister?.alert(t.alert);
  d.hub.broadcast({ type: "alert", alert: t.alert });
  const track = t.alert.labels["track"];
  if (t.alert.name === "RelayLoop" && track !== undefined) {
    const g = buildTrackGraph(d.engine, track, now);
    if (g !== null) d.hub.track({ type: "track", graph: g }, true);
  }
  d.logger.info({ alert: t.alert.name, fingerprint: t.alert.fingerprint, labels: t.alert.labels, summary: t.alert.summary }, `transition() | ${t.kind}`);
}

function startWatchers(c: Context, engine: AnalyzerEngine, metrics: AnalyzerMetrics): void {
  const { clock } = c;
  const watchers = c.config.regions.map(
    (r) =>
      new RegionWatcher({
        region: r.name, url: r.url, fetch: c.fetchFn, clock, logger: c.logger,
        ...(c.o.random === undefined ? {} : { random: c.o.random }),
        handlers: {
          snapshot: (s) => {
            engine.applySnapshot(s, clock.now());
            metrics.events.inc({ kind: "snapshot" });
          },
          event: (e) => {
            engine.applyEvent(e, clock.now());
            metrics.events.inc({ kind: "sfu_event" });
          },
          connected: () => {
            engine.setConnected(r.name, true, clock.now());
            metrics.regionConnected.set({ region: r.name }, 1);
          },
          disconnected: (reason) => {
            engine.setConnected(r.name, false, clock.now(), reason);
            metrics.regionConnected.set({ region: r.name }, 0);
          },
        },
      }),
  );
  // Regions never reached count as unreachable from the start (RegionUnreachable after its for period).
  for (const r of c.configured) engine.setConnected(r, false, clock.now(), "not connected yet");
  c.closers.push("region watchers", () => Promise.all(watchers.map((w) => w.close())).then(() => undefined));
  for (const w of watchers) w.start();
}

/** On-call actions on the regions' admin APIs, each state change a row of the actions table. */
function startActions(c: Context, engine: AnalyzerEngine, writer: StoreWriter | null): ActionRunner {
  const urls = new Map(c.config.regions.map((r) => [r.name, r.url]));
  const runner = new ActionRunner({
    engine, configured: c.configured, regionUrl: (r) => urls.get(r), adminToken: c.o.adminToken, fetch: c.fetchFn, clock: c.clock, logger: c.logger,
    record: (a, ts) => { writer?.write(ACTIONS_TABLE, [actionRow(a, ts)]); },
  });
  c.closers.push("actions", () => { runner.close(); });
  return runner;
}

function startTimers(c: Context, engine: AnalyzerEngine, hub: StreamHub, persister: Persister | null): void {
  const { clock } = c;
  const timers = [
    clock.setInterval(() => {
      engine.tick(clock.now());
      if (hub.size > 0) hub.broadcast({ type: "overview", overview: buildOverview(engine, c.configured, clock.now()) });
    }, SWEEP_INTERVAL_MS),
  ];
  if (persister !== null) {
    timers.push(clock.setInterval(() => { persister.snapshotEdges(engine, clock.now()); }, EDGE_SNAPSHOT_INTERVAL_MS));
    timers.push(clock.setInterval(() => { persister.snapshotHealth(engine, clock.now()); }, HEALTH_SNAPSHOT_INTERVAL_MS));
  }
  c.closers.push("timers", () => { for (const t of timers) t.cancel(); });
}

/** Restart safety: alerts that were firing keep their fingerprints and startsAt. A store that cannot say is not fatal. */
async function readFiringAlerts(store: Store | undefined, clock: Clock, logger: Logger): Promise<Alert[]> {
  if (store === undefined) return [];
  try {
    const now = clock.now();
    return (await alertsInRange(store, { from: now, to: now })).filter((a) => a.state === "firing");
  } catch (err) {
    logger.warn({ error: errorMessage(err) }, "start() | could not read firing alerts from the store; starting without them");
    return [];
  }
}

async function closeServer(hub: StreamHub, server: Server): Promise<void> {
  hub.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => { r(); }));
}

/** `fn` run at most once; later calls share its promise. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | null = null;
  return () => (p ??= fn());
}
