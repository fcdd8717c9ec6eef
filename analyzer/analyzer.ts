// The analyzer process: region watchers and the probe ingest in, the engine (graph,
// detectors, alert book) in the middle, alert sinks, the store, the live API and metrics
// out. Analyzer.start() wires it all from a config and injected Clock/Logger/Registry/
// fetch/Tracer; close() undoes it all, in reverse, once.
import { trace, type Tracer } from "@opentelemetry/api";
import type { Registry } from "prom-client";
import type { Alert } from "../core/alert.js";
import { systemClock, type Clock, type TimerHandle } from "../core/clock.js";
import type { RelaywatchConfig } from "../core/config.js";
import { errorMessage } from "../core/errors.js";
import { silentLogger, type Logger } from "../core/logger.js";
import { alertsInRange } from "../store/queries.js";
import type { Store } from "../store/store.js";
import { StoreWriter } from "../store/writer.js";
import type { AlertTransition } from "./alerts/alert-book.js";
import { Dispatcher } from "./alerts/dispatcher.js";
import { AlertmanagerSink, WebhookSink, type FetchFn } from "./alerts/http-sinks.js";
import type { AlertSink, SinkContext } from "./alerts/sink.js";
import { createApiApp, listen } from "./api/server.js";
import { StreamHub } from "./api/stream-hub.js";
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
  /** The URL alerts link back to (generatorURL); default the listening URL. */
  externalUrl?: string;
  /** Bearer token for ingest and read API; default config.analyzer.token. */
  token?: string;
  /** Extra sinks besides the configured Alertmanagers and webhooks. */
  sinks?: readonly AlertSink[];
  random?: () => number;
}

export class Analyzer {
  readonly engine: AnalyzerEngine;
  readonly url: string;
  readonly dispatcher: Dispatcher;
  readonly writer: StoreWriter | null;
  readonly metrics: AnalyzerMetrics;
  private readonly watchers: RegionWatcher[];
  private readonly timers: TimerHandle[];
  private readonly hub: StreamHub;
  private readonly closeServer: () => Promise<void>;
  private readonly logger: Logger;
  private closing: Promise<void> | null = null;

  private constructor(p: {
    engine: AnalyzerEngine;
    url: string;
    dispatcher: Dispatcher;
    writer: StoreWriter | null;
    metrics: AnalyzerMetrics;
    watchers: RegionWatcher[];
    timers: TimerHandle[];
    hub: StreamHub;
    closeServer: () => Promise<void>;
    logger: Logger;
  }) {
    this.engine = p.engine;
    this.url = p.url;
    this.dispatcher = p.dispatcher;
    this.writer = p.writer;
    this.metrics = p.metrics;
    this.watchers = p.watchers;
    this.timers = p.timers;
    this.hub = p.hub;
    this.closeServer = p.closeServer;
    this.logger = p.logger;
  }

  static async start(o: AnalyzerOptions): Promise<Analyzer> {
    const { config } = o;
    const clock = o.clock ?? systemClock;
    const logger = (o.logger ?? silentLogger).child({ component: "analyzer" });
    const fetchFn = o.fetch ?? fetch;
    const tracer = o.tracer ?? trace.getTracer("relaywatch-analyzer");
    const hub = new StreamHub();
    const configured = config.regions.map((r) => r.name);

    let persister: Persister | null = null;
    let dispatcher: Dispatcher | null = null;
    let metrics: AnalyzerMetrics | null = null;
    const onTransition = (t: AlertTransition): void => {
      const now = clock.now();
      if (t.kind === "fired" && t.observedAt !== undefined) metrics?.timeToDetect.observe({ alertname: t.alert.name }, Math.max(0, now - t.observedAt) / 1000);
      // Muted (inhibited) alerts stay visible in the API and the store, but never page.
      if (t.notify) dispatcher?.dispatch(t.alert);
      persister?.alert(t.alert);
      hub.broadcast({ type: "alert", alert: t.alert });
      const track = t.alert.labels["track"];
      if (t.alert.name === "RelayLoop" && track !== undefined) {
        const g = buildTrackGraph(engine, track, now);
        if (g !== null) hub.track({ type: "track", graph: g }, true);
      }
      logger.info({ alert: t.alert.name, fingerprint: t.alert.fingerprint, labels: t.alert.labels, summary: t.alert.summary }, `transition() | ${t.kind}`);
    };
    const engine = new AnalyzerEngine(
      {
        probe: { k: config.thresholds.probeFailWindows, n: config.thresholds.probeWindowHistory },
        relayLatencyMs: config.thresholds.relayLatencyMs,
        staleRelayAfterMs: config.thresholds.staleRelayAfter,
      },
      {
        transition: onTransition,
        edge: (e) => persister?.edge(e),
        health: (h) => persister?.health(h),
        track: (track) => {
          if (hub.size === 0 || !hub.watches(track)) return;
          const g = buildTrackGraph(engine, track, clock.now());
          if (g !== null) hub.track({ type: "track", graph: g }, false);
        },
        detectorSeconds: (input, s) => metrics?.detectorSeconds.observe({ input }, s),
        observerError: (err) => { logger.error({ error: errorMessage(err) }, "observer() | listener threw"); },
      },
    );
    metrics = new AnalyzerMetrics(o.registry, (name) => engine.book.firingCount(name));

    // Restart safety: alerts that were firing keep their fingerprints and startsAt.
    let restored: Alert[] = [];
    if (o.store !== undefined) {
      try {
        const now = clock.now();
        restored = (await alertsInRange(o.store, { from: now, to: now })).filter((a) => a.state === "firing");
        engine.book.restore(restored, now);
        if (restored.length > 0) logger.info({ alerts: restored.length }, "start() | restored firing alerts from the store");
      } catch (err) {
        logger.warn({ error: errorMessage(err) }, "start() | could not read firing alerts from the store; starting without them");
      }
    }
    const writer = o.store === undefined ? null : await StoreWriter.open({ store: o.store, spoolDir: o.spoolDir ?? config.store.spoolDir, clock, logger });
    if (writer !== null) persister = new Persister(writer);

    const token = o.token ?? config.analyzer.token;
    const app = createApiApp({
      engine,
      configuredRegions: configured,
      clock,
      registry: o.registry,
      metrics,
      tracer,
      hub,
      token,
      onProbes: (results) => {
        engine.ingestProbes(results, clock.now());
        metrics.events.inc({ kind: "probe_result" }, results.length);
        persister?.probes(results);
      },
    });
    const { server, url } = await listen(app, o.listen ?? config.analyzer.listen);
    const ctx: SinkContext = { externalUrl: o.externalUrl ?? url, now: () => clock.now(), resendIntervalMs: config.alerting.resendInterval };
    const sinks: AlertSink[] = [
      ...config.alerting.alertmanager.map((u) => new AlertmanagerSink(u, ctx, fetchFn)),
      ...config.alerting.webhooks.map((u) => new WebhookSink(u, ctx, fetchFn)),
      ...(o.sinks ?? []),
    ];
    dispatcher = new Dispatcher({
      sinks,
      clock,
      logger,
      resendIntervalMs: config.alerting.resendInterval,
      firing: () => engine.book.notifiable(),
      tracer,
      ...(o.random === undefined ? {} : { random: o.random }),
      onSendError: (sink) => { metrics.sinkErrors.inc({ sink }); },
    });
    // Re-send restored alerts at once: same labels and startsAt, so Alertmanager keeps them
    // active and does not notify again.
    if (restored.length > 0) dispatcher.resendFiring();

    const watchers = config.regions.map(
      (r) =>
        new RegionWatcher({
          region: r.name,
          url: r.url,
          fetch: fetchFn,
          clock,
          logger,
          ...(o.random === undefined ? {} : { random: o.random }),
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
    for (const r of configured) engine.setConnected(r, false, clock.now(), "not connected yet");
    for (const w of watchers) w.start();

    const timers: TimerHandle[] = [
      clock.setInterval(() => {
        engine.tick(clock.now());
        if (hub.size > 0) hub.broadcast({ type: "overview", overview: buildOverview(engine, configured, clock.now()) });
      }, SWEEP_INTERVAL_MS),
    ];
    if (persister !== null) {
      const p = persister;
      timers.push(clock.setInterval(() => { p.snapshotEdges(engine, clock.now()); }, EDGE_SNAPSHOT_INTERVAL_MS));
      timers.push(clock.setInterval(() => { p.snapshotHealth(engine, clock.now()); }, HEALTH_SNAPSHOT_INTERVAL_MS));
    }
    const closeServer = async (): Promise<void> => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => { r(); }));
    };
    logger.info({ url, regions: configured, sinks: sinks.map((s) => s.name), store: o.store !== undefined }, "start() | analyzer listening");
    return new Analyzer({ engine, url, dispatcher, writer, metrics, watchers, timers, hub, closeServer, logger });
  }

  /** Stops watchers, timers and the API, flushes sinks and the store writer. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const t of this.timers) t.cancel();
      await Promise.all(this.watchers.map((w) => w.close()));
      this.hub.close();
      await this.closeServer();
      await this.dispatcher.close();
      await this.writer?.close();
      this.logger.info({}, "close() | analyzer stopped");
    })();
    return this.closing;
  }
}
