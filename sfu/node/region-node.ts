// One region of the reference SFU, in-process: signaling (WHIP/WHEP), the relay control
// plane, health and isolation, telemetry — wired around an injected MediaEngine, Clock,
// Logger, prom-client Registry and OTel Tracer. `RegionNode.start()` binds the HTTP server;
// `close()` is idempotent and closes every server, socket, stream, timer and the engine.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import type { Registry } from "prom-client";
import { InvalidStateError } from "../../core/errors.js";
import type { Region, TrackId } from "../../core/region.js";
import { baseUrl, createHttpServer } from "../../core/tls.js";
import type { RegionSnapshot, RegionStatus } from "../../core/sfu-state.js";
import type { MediaEngine } from "../media/engine.js";
import { holders, type Holder } from "../relay/track-table.js";
import { formatBehaviours, isolationPolicyOf, type LegacyBehaviours } from "../relay/legacy-behaviours.js";
import { SfuMetrics } from "../telemetry/metrics.js";
import { adminRouter } from "../http/admin-routes.js";
import { jsonErrorHandler } from "../http/http-errors.js";
import { observeRouter } from "../http/observe-routes.js";
import { relayRouter } from "../http/relay-routes.js";
import { signalingRouter } from "../http/signaling-routes.js";
import { requestMetrics } from "../http/request-metrics.js";
import { Announcer } from "./announcer.js";
import { EventLog } from "./event-log.js";
import type { IsolationDecision } from "../health/isolation-policy.js";
import { HealthMonitor } from "./health-monitor.js";
import { resolveOptions, type RegionNodeOptions, type ResolvedOptions } from "./options.js";
import { PeerClient } from "./peer-client.js";
import { PeerDirectory, type PeerConfig } from "./peers.js";
import { pipeSourceResolver } from "./pipe-sources.js";
import { RelayManager } from "./relay-manager.js";
import { RelayServer } from "./relay-server.js";
import { Sessions } from "./sessions.js";
import { snapshotOf, TrackEvents } from "./snapshot.js";
import { wireEngine } from "./engine-wiring.js";
import { localTrack } from "./track-state.js";

export class RegionNode {
  readonly region: Region;
  readonly registry: Registry;
  readonly engine: MediaEngine;
  readonly events: EventLog;
  readonly health: HealthMonitor;
  readonly manager: RelayManager;
  private readonly o: ResolvedOptions;
  private readonly server: Server;
  private readonly peers: PeerDirectory;
  private readonly client: PeerClient;
  private readonly announcer: Announcer;
  private readonly sessions: Sessions;
  private readonly metrics: SfuMetrics;
  private readonly trackEvents: TrackEvents;
  private readonly streams = new Set<() => void>();
  private readonly unwire: () => void;
  private behavioursNow: LegacyBehaviours;
  private status: RegionStatus;
  private lastDecision = "";
  private closing: Promise<void> | null = null;

  private constructor(o: ResolvedOptions, server: Server) {
    this.o = o;
    this.server = server;
    this.region = o.region;
    this.engine = o.engine;
    this.registry = o.registry;
    this.behavioursNow = o.behaviours;
    const { clock, logger, tracer } = o;
    this.metrics = new SfuMetrics(o.registry);
    this.events = new EventLog(o.region, clock, logger);
    this.peers = new PeerDirectory(o.region, o.peers);
    o.engine.setRelaySources(pipeSourceResolver(this.peers));
    this.client = new PeerClient(o.region, this.peers, o.relayAuth, o.announce);
    this.sessions = new Sessions({
      engine: o.engine, logger, clock, limits: o.sessionLimits,
      onExpired: (kind, reason) => { this.metrics.sessionExpired(kind, reason); },
    });
    this.status = { state: "online", isolation: isolationPolicyOf(o.behaviours), reason: "started", since: Math.floor(clock.now()), eventLoopLagMs: 0 };
    // Built in dependency order; the late-bound closures break the announcer ↔ manager cycle.
    let announcer: Announcer | null = null;
    let manager: RelayManager | null = null;
    this.health = new HealthMonitor({
      self: o.region, clock, logger, metrics: this.metrics, peers: this.peers, client: this.client,
      policy: isolationPolicyOf(o.behaviours), isolation: o.isolation, peerTable: o.peerTable, heartbeatMs: o.heartbeatMs, heartbeatTimeoutMs: o.heartbeatTimeoutMs,
      onPeerChange: (peer) => {
        this.events.emit({ type: "peer", peer });
        if (peer.reachable) announcer?.resend();
        manager?.peerReachability(peer.region, peer.reachable);
      },
      onDecision: (d, lag) => {
        this.applyDecision(d, lag);
      },
      ...(o.witnessUrl === undefined ? {} : { witnessUrl: o.witnessUrl }),
    });
    this.manager = manager = new RelayManager({
      self: o.region, engine: o.engine, clock, logger, tracer, metrics: this.metrics, client: this.client,
      table: () => announcer?.current() ?? new Map(), rtts: () => this.health.rtts(), behaviours: () => this.behavioursNow,
      announce: () => announcer?.update(), onChange: (track) => { this.trackEvents.changed(track); },
      lingerMs: o.lingerMs, settleMs: o.settleMs, upstreamLostMs: o.upstreamLostMs,
    });
    this.announcer = announcer = new Announcer({
      self: o.region, clock, logger, peers: this.peers, client: this.client,
      localTracks: () => [...this.manager.tracks.values()].map((t) => localTrack(t)),
      behaviours: () => this.behavioursNow,
      onAnnouncedChange: () => { for (const t of this.manager.tracks.keys()) this.trackEvents.changed(t); },
      antiEntropyMs: o.antiEntropyMs,
    });
    this.trackEvents = new TrackEvents(o.region, this.events, this.manager, this.announcer, o.engine);
    const relayServer = new RelayServer({
      self: o.region, engine: o.engine, clock, logger, tracer, metrics: this.metrics, client: this.client, peers: this.peers,
      manager: this.manager, table: () => this.announcer.current(), rtts: () => this.health.rtts(), behaviours: () => this.behavioursNow,
    });
    this.unwire = wireEngine({ engine: o.engine, manager: this.manager, server: relayServer, sessions: this.sessions, metrics: this.metrics, logger });
    this.metrics.setSampler(() => this.trackEvents.sample());
    server.on("request", this.buildApp(o, relayServer));
    this.announcer.update();
  }

  /** The HTTP surface: signaling, relay, observability and admin routes, then 404 and the JSON error handler. */
  private buildApp(o: ResolvedOptions, relayServer: RelayServer): express.Express {
    const { clock, logger, tracer } = o;
    const app = express();
    app.disable("x-powered-by");
    app.use(requestMetrics(this.metrics));
    app.use(signalingRouter({
      self: o.region, engine: o.engine, manager: this.manager, sessions: this.sessions, tokens: o.tokens, tracer, logger,
      isOnline: () => this.status.state === "online", retryAfterSeconds: o.retryAfterSeconds, subscribeTimeoutMs: o.subscribeTimeoutMs, http: o.http,
    }));
    app.use(relayRouter({
      self: o.region, clock, auth: o.relayAuth, server: relayServer, announcer: this.announcer,
      regionState: () => this.status.state,
    }));
    app.use(observeRouter({
      snapshot: () => this.snapshot(), events: this.events, registry: o.registry,
      ready: () => (this.closing !== null ? { ok: false, reason: "closing" } : this.status.state === "online" ? { ok: true, reason: "online" } : { ok: false, reason: this.status.reason }),
      every: (fn, ms) => clock.setInterval(fn, ms),
      trackStream: (close) => {
        this.streams.add(close);
        return () => this.streams.delete(close);
      },
    }));
    app.use(adminRouter({
      enabled: o.admin.enabled, token: o.admin.token, behaviours: () => this.behavioursNow,
      setBehaviours: (b) => { this.setBehaviours(b); }, drain: () => this.sessions.drain(),
      resetRelay: (track) => this.manager.resetRelay(track),
      overrideIsolation: (detail) => {
        const v = this.health.overrideOnline(detail);
        return { state: v.state, changed: v.changed, policy: v.policy };
      },
    }));
    app.use((_req, res) => {
      res.status(404).json({ error: "not_found", detail: "no such endpoint" });
    });
    app.use(jsonErrorHandler((err) => { logger.error({ err }, "http | unexpected error"); }));
    return app;
  }

  static async start(options: RegionNodeOptions): Promise<RegionNode> {
    const o = resolveOptions(options);
    const server = createHttpServer(o.tls);
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(o.listen.port, o.listen.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const node = new RegionNode(o, server);
    o.logger.info({ region: o.region, url: node.url, engine: o.engine.name, behaviours: formatBehaviours(o.behaviours) }, "RegionNode.start() | listening");
    return node;
  }

  /** The base URL this node listens on, e.g. http://127.0.0.1:7101 or https://10.231.1.2:7101. */
  get url(): string {
    return baseUrl(this.o.tls, this.server.address() as AddressInfo);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get behaviours(): LegacyBehaviours {
    return this.behavioursNow;
  }

  get state(): RegionStatus {
    return { ...this.status };
  }

  /** Replaces the peer list (a test or launcher that learns addresses after start). */
  setPeers(peers: readonly PeerConfig[]): void {
    this.assertOpen("setPeers");
    this.peers.set(peers);
    this.announcer.resend();
  }

  /** Sets the isolation witness (the lab learns the analyzer's routed URL after start). */
  setWitnessUrl(url: string | undefined): void {
    this.assertOpen("setWitnessUrl");
    this.health.setWitnessUrl(url);
  }

  setBehaviours(b: LegacyBehaviours): void {
    this.assertOpen("setBehaviours");
    const policyChanged = isolationPolicyOf(b) !== isolationPolicyOf(this.behavioursNow);
    this.behavioursNow = new Set(b);
    if (policyChanged) {
      this.health.setPolicy(isolationPolicyOf(b));
      this.status = { ...this.status, isolation: isolationPolicyOf(b) };
      this.events.emit({ type: "status", status: this.state });
    }
    this.events.emit({ type: "behaviours", behaviours: formatBehaviours(b) === "" ? [] : (formatBehaviours(b).split(",") as RegionSnapshot["behaviours"]) });
    this.announcer.update();
  }

  snapshot(): RegionSnapshot {
    return snapshotOf({
      region: this.region, seq: this.events.seq, now: this.o.clock.now(), instance: this.events.instance, engine: this.engine.name, engineReason: this.engine.selectionReason,
      status: { ...this.status, eventLoopLagMs: this.health.eventLoopLagMs() }, behaviours: this.behavioursNow,
      peers: this.health.peers(), tracks: this.trackEvents.entries(),
    });
  }

  /** Regions announcing `track` as this region's track table holds it (origin or copy). */
  holders(track: TrackId): Holder[] {
    return holders(this.announcer.current(), track, this.o.clock.now());
  }

  /** Relay-Path of a track held here (tests, probes in-process). */
  relayPath(track: TrackId): string {
    return this.manager.relayPath(track);
  }

  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private applyDecision(v: IsolationDecision, lagMs: number): void {
    const was = this.status.state;
    const reason = `${v.reason}: ${v.detail}`.slice(0, 1000);
    const now = Math.floor(this.o.clock.now());
    this.status = { state: v.state, isolation: v.policy, reason, since: v.state === was ? this.status.since : now, eventLoopLagMs: lagMs };
    // The detail changes every round ("silent for 3.0 s"); an event only when the decision does.
    if (v.state === was && v.reason === this.lastDecision) return;
    this.lastDecision = v.reason;
    this.metrics.regionState.set(v.state === "online" ? 1 : 0);
    this.events.emit({ type: "status", status: this.state });
    if (v.state !== was) {
      this.o.logger.warn({ region: this.region, state: v.state, reason: v.reason }, "applyVerdict() | region state changed");
      if (v.state === "offline") void this.sessions.drain();
    }
  }

  private async closeAll(): Promise<void> {
    this.health.close();
    this.announcer.close();
    this.manager.close();
    this.client.close();
    for (const end of [...this.streams]) end();
    this.events.close();
    this.unwire();
    this.sessions.close();
    this.engine.setRelaySources(null);
    const closed = new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
    this.server.closeAllConnections();
    await Promise.all([closed, this.engine.close()]);
    this.o.logger.info({ region: this.region }, "close() | region node closed");
  }

  private assertOpen(method: string): void {
    if (this.closing !== null) throw new InvalidStateError(`${method}(): region node closed`);
  }
}
