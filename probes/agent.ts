// The synthetic probe agent of one region (DESIGN "probes/"): publishes a fresh probe track
// into its own region over WHIP every rotation, subscribes over WHEP — through its own
// region — to the current probe track of every other region, and every window emits one
// ProbeResult per ordered pair src→dst with dst = this region.
//
// Track naming (rotation.ts): during rotation k = floor(now / rotate) region R publishes
// `probe/<R>.<k>`. Every agent computes every region's current track from the time alone,
// so there is no discovery round trip; track k+1 is published before the boundary and
// track k kept after it, and subscribers warm up to k+1 before the boundary, so old and
// new overlap and no window goes unmeasured. Agents need the same --rotate and clocks that
// agree to well within a second (NTP).
//
// Windows are epoch-aligned (ts = end of window, a multiple of the interval), so results
// from different agents line up. The agent never throws at its caller after start();
// everything that goes wrong is a status in a result or a counted, logged drop.
import type { Registry } from "prom-client";
import type { Clock, TimerHandle } from "../core/clock.js";
import { ConfigError, InvalidStateError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { silentLogger, type Logger } from "../core/logger.js";
import type { ProbeResult, ProbeStatus } from "../core/probe-result.js";
import type { Region } from "../core/region.js";
import type { PeerOptions, SendPath } from "./client/werift-peer.js";
import type { ProbeSink } from "./delivery/sink.js";
import { endpoints, type TokenProvider } from "./endpoints.js";
import { SfuFailover } from "./failover.js";
import { ProbeMetrics } from "./metrics.js";
import { PairMonitor } from "./pair-monitor.js";
import { preciseClock } from "./precise-clock.js";
import { ProbePublisher } from "./probe-publisher.js";
import { liveRotations, rotationSchedule, type RotationSchedule } from "./rotation.js";
import { DEFAULT_THRESHOLDS, type Thresholds } from "./stats/classify.js";
import { STALL_DISCOUNT_MS, StallMeter } from "./stats/stall-meter.js";
import { describeFailure } from "./stats/observation.js";
import { PairSubscription } from "./subscription.js";
import { JanusTarget } from "./targets/janus.js";
import type { ProbeTarget } from "./targets/target.js";
import { WhipWhepTarget } from "./targets/whip-whep.js";
import { WhipClient } from "./whip-client.js";
import { relayOnly, TurnProbe, type TurnProbeConfig } from "./turn/turn-probe.js";
import { TurnMetrics } from "./turn/turn-metrics.js";

export const DEFAULT_INTERVAL_MS = 1000;
export const DEFAULT_ROTATE_MS = 30_000;
/** 50 packets/s: one 20 ms Opus frame per packet, the cadence of real audio. */
export const DEFAULT_PPS = 50;
/** 120 bytes: about a 20 ms Opus frame at 48 kbit/s, so relays carry probe packets like audio. */
export const DEFAULT_PAYLOAD_BYTES = 120;
/** 5 s: ICE + DTLS on a working path take tens of ms; 5 s means the media path is broken. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/**
 * 20 ms: one packet per pacer tick, as before issue 17. Longer intervals send the packets
 * due in one burst (each stamped when it leaves), so loss, jitter and latency keep their
 * meaning and time to first packet grows by up to one interval. bench/probe.bench.ts on
 * the loaded 2-core machine: 0.7–0.95× the CPU per pair at 100 ms, 0.5× at 200 ms; not the
 * default yet, as the in-process agent test (3 agents and an SFU on one event loop) missed
 * its first-ok-window and p95 < 100 ms checks at 100 ms under load (not investigated).
 */
export const DEFAULT_SEND_INTERVAL_MS = 20;
/** 1000 pps per track is far beyond what a probe needs and what the bench shows affordable. */
const MAX_PPS = 1000;

export interface ProbeAgentOptions {
  region: Region;
  /** Every region of the mesh; the agent subscribes to all but its own. */
  regions: readonly Region[];
  sfuUrl?: string | undefined;
  /**
   * Other regions' SFUs to fail over to, nearest first, when the home SFU refuses sessions
   * (failover.ts) — as clients of the region would. Needs `sfuUrl` (not templates).
   */
  failover?: readonly string[] | undefined;
  failoverHoldMs?: number | undefined;
  whipTemplate?: string | undefined;
  whepTemplate?: string | undefined;
  /** Publish and subscribe through this Janus VideoRoom instead of WHIP/WHEP (probes/targets/janus.ts). */
  janus?: { baseUrl: string; room: number } | undefined;
  token?: string | TokenProvider | undefined;
  intervalMs?: number;
  rotateMs?: number;
  pps?: number;
  payloadBytes?: number;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  thresholds?: Thresholds;
  sink: ProbeSink;
  registry: Registry;
  logger?: Logger;
  /** Schedules windows and stamps packets; must be epoch ms (default: sub-ms wall clock). */
  clock?: Clock;
  fetch?: typeof globalThis.fetch;
  /** The one local address the WebRTC peers bind to (default 127.0.0.1). */
  bindAddress?: string;
  /** The region's TURN server: a TURN probe (allocation + relayed media) runs beside the pairs. */
  turn?: TurnProbeConfig | undefined;
  /** Every session (publish and pairs) through the TURN server only; results are `via: "turn"`. */
  relayOnly?: boolean | undefined;
  /** How often the pacer sends the packets due (default DEFAULT_SEND_INTERVAL_MS; never below 1000/pps). */
  sendIntervalMs?: number | undefined;
  /** How publishers hand packets to werift (default `track`; `direct` measured no better in bench/probe.bench.ts; see SendPath). */
  sendPath?: SendPath | undefined;
}

export type ProbeAgentEvents = {
  /** Every window: one result per pair, in --regions order. */
  window: [results: ProbeResult[]];
};

export class ProbeAgent {
  readonly region: Region;
  readonly events: TypedEmitter<ProbeAgentEvents>;
  readonly metrics: ProbeMetrics;
  readonly intervalMs: number;
  readonly schedule: RotationSchedule;
  private readonly pps: number;
  private readonly sendIntervalMs: number;
  private readonly stalls: StallMeter;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly sink: ProbeSink;
  private readonly target: ProbeTarget;
  private readonly failover: SfuFailover | undefined;
  private servingLogged: string | undefined;
  private readonly peerOptions: PeerOptions;
  private readonly connectTimeoutMs: number;
  private readonly payloadBytes: number;
  private readonly monitors: PairMonitor[];
  private readonly turn: TurnProbe | null;
  private readonly turnConfig: TurnProbeConfig | undefined;
  private readonly relayOnly: boolean;
  private readonly publishers = new Map<number, ProbePublisher>();
  private readonly lastStatus = new Map<Region, ProbeStatus>();
  private windowTimer: TimerHandle | null = null;
  private pacer: TimerHandle | null = null;
  private started = false;
  private closing: Promise<void> | null = null;

  constructor(o: ProbeAgentOptions) {
    this.region = o.region;
    this.intervalMs = positive("--interval", o.intervalMs ?? DEFAULT_INTERVAL_MS);
    const rotateMs = positive("--rotate", o.rotateMs ?? DEFAULT_ROTATE_MS);
    if (rotateMs < 2 * this.intervalMs || rotateMs % this.intervalMs !== 0) {
      throw new ConfigError("--rotate", rotateMs, `a multiple of --interval (${this.intervalMs} ms), at least two windows, so windows never straddle rotations`);
    }
    this.schedule = rotationSchedule(rotateMs);
    this.pps = positive("--pps", o.pps ?? DEFAULT_PPS);
    if (this.pps > MAX_PPS) throw new ConfigError("--pps", this.pps, `at most ${MAX_PPS}`);
    this.sendIntervalMs = Math.max(1000 / this.pps, positive("sendIntervalMs", o.sendIntervalMs ?? DEFAULT_SEND_INTERVAL_MS));
    this.stalls = new StallMeter(this.sendIntervalMs);
    this.clock = o.clock ?? preciseClock;
    this.logger = (o.logger ?? silentLogger).child({ component: "probe-agent", region: o.region });
    this.events = new TypedEmitter(this.logger);
    this.metrics = new ProbeMetrics(o.registry);
    this.sink = o.sink;
    const eps = o.janus === undefined ? endpoints({ sfuUrl: o.sfuUrl, whipTemplate: o.whipTemplate, whepTemplate: o.whepTemplate, region: o.region, token: o.token }) : null;
    if (o.failover !== undefined && o.failover.length > 0) {
      if (eps === null) throw new ConfigError("--failover", o.failover.join(","), "used with WHIP/WHEP targets, not --target janus");
      if (o.sfuUrl === undefined || o.whipTemplate !== undefined || o.whepTemplate !== undefined) {
        throw new ConfigError("--failover", o.failover.join(","), "used with --sfu (failover swaps the SFU base URL; endpoint templates have none)");
      }
      this.failover = new SfuFailover({ bases: [o.sfuUrl, ...o.failover], holdMs: o.failoverHoldMs, clock: this.clock });
    }
    this.servingLogged = this.failover?.home;
    const whip = new WhipClient({ clock: this.clock, failover: this.failover, ...(o.fetch === undefined ? {} : { fetch: o.fetch }), ...(o.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: o.requestTimeoutMs }) });
    this.target = eps !== null ? new WhipWhepTarget(whip, eps) : new JanusTarget({ baseUrl: o.janus?.baseUrl ?? "", room: o.janus?.room ?? 0, clock: this.clock, fetch: o.fetch });
    this.peerOptions = { clock: this.clock, sendPath: o.sendPath ?? "track", ...(o.bindAddress === undefined ? {} : { bindAddress: o.bindAddress }) };
    this.connectTimeoutMs = o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.payloadBytes = o.payloadBytes ?? DEFAULT_PAYLOAD_BYTES;
    const thresholds = o.thresholds ?? DEFAULT_THRESHOLDS;
    if (o.relayOnly === true && o.turn === undefined) throw new ConfigError("--relay-only", true, "a TURN server (--ice-server) to relay through");
    this.relayOnly = o.relayOnly === true;
    this.turnConfig = o.turn;
    this.turn =
      o.turn === undefined
        ? null
        : new TurnProbe(o.turn, {
            region: o.region,
            schedule: this.schedule,
            windowMs: this.intervalMs,
            thresholds,
            clock: this.clock,
            logger: this.logger,
            metrics: new TurnMetrics(o.registry),
            bindAddress: o.bindAddress ?? "127.0.0.1",
            peerOptions: this.peerOptions,
            subscribe: (src, rotation, peerOptions) => this.newSubscription(src, rotation, peerOptions),
          });
    const others = [...new Set(o.regions)].filter((r) => r !== o.region);
    this.monitors = others.map(
      (src) =>
        new PairMonitor({
          src,
          dst: o.region,
          schedule: this.schedule,
          windowMs: this.intervalMs,
          thresholds,
          subscribe: (s, rotation) => this.newSubscription(s, rotation),
        }),
    );
  }

  /** The pairs this agent measures, src→dst. */
  get pairs(): { src: Region; dst: Region }[] {
    return this.monitors.map((m) => ({ src: m.src, dst: m.dst }));
  }

  /** The rotations this agent is publishing, with their state (tests, once-mode output). */
  publications(): { track: string; phase: string; setupMs: number | null; reason: string | null; sessionUrl: string | null }[] {
    return [...this.publishers.values()].map((p) => ({ track: p.track, phase: p.phase, setupMs: p.setupMs, reason: p.failure === null ? null : describeFailure(p.failure), sessionUrl: p.sessionUrl }));
  }

  start(): void {
    if (this.closing !== null) throw new InvalidStateError("ProbeAgent.start(): agent closed");
    if (this.started) throw new InvalidStateError("ProbeAgent.start(): already started");
    this.started = true;
    const now = this.clock.now();
    this.maintain(now);
    this.pacer = this.clock.setInterval(() => {
      this.stalls.tick(this.clock.now());
      for (const p of this.publishers.values()) p.sendDue(this.pps);
    }, this.sendIntervalMs);
    // The first window ends on the grid at least half a window away, so it is not a sliver.
    let firstEnd = Math.ceil(now / this.intervalMs) * this.intervalMs;
    if (firstEnd - now < this.intervalMs / 2) firstEnd += this.intervalMs;
    this.scheduleWindow(firstEnd);
    this.logger.info({ pairs: this.monitors.length, rotateMs: this.schedule.rotateMs, intervalMs: this.intervalMs, pps: this.pps }, "start() | probing");
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private scheduleWindow(end: number): void {
    this.windowTimer = this.clock.setTimeout(() => {
      this.closeWindow(end);
      this.scheduleWindow(end + this.intervalMs);
    }, Math.max(0, end - this.clock.now()));
  }

  private closeWindow(end: number): void {
    if (this.closing !== null) return;
    const stallMs = this.stalls.takeWindow();
    if (stallMs >= STALL_DISCOUNT_MS) {
      this.metrics.stalledWindows.inc();
      this.logger.debug({ stallMs, windowEnd: end }, "window() | agent stalled: this window reports no latency");
    }
    const results = this.monitors.map((m) => m.observeWindow(end, stallMs));
    for (const r of results) {
      this.metrics.observeResult(r);
      const before = this.lastStatus.get(r.src);
      if (before !== r.status) {
        this.lastStatus.set(r.src, r.status);
        const fields = { src: r.src, dst: r.dst, track: r.track, from: before ?? null, to: r.status, reason: r.reason };
        if (r.status === "ok") this.logger.info(fields, "window() | pair status changed");
        else this.logger.warn(fields, "window() | pair status changed");
      }
    }
    if (this.relayOnly) results.forEach((r, i) => (results[i] = { ...r, via: "turn" }));
    if (this.turn !== null) results.push(this.turn.observeWindow(end, stallMs));
    if (results.length > 0) this.sink.submit(results);
    this.noteFailover();
    this.events.safeEmit("window", results);
    this.maintain(this.clock.now());
  }

  /** The SFU that served this agent's last session: its home, or the one it failed over to. */
  get servingSfu(): string | undefined {
    return this.failover?.serving;
  }

  private noteFailover(): void {
    const serving = this.failover?.serving;
    if (serving === undefined || serving === this.servingLogged) return;
    const home = this.failover?.home;
    this.metrics.failedOver.set(serving === home ? 0 : 1);
    if (serving === home) this.logger.info({ from: this.servingLogged, to: serving }, "failover() | back on the home SFU");
    else this.logger.warn({ from: this.servingLogged, to: serving }, "failover() | the home SFU refuses sessions; new sessions go to the next SFU");
    this.servingLogged = serving;
  }

  private maintain(now: number): void {
    const live = new Set(liveRotations(now, this.schedule));
    for (const [rotation, p] of this.publishers) {
      if (!live.has(rotation)) {
        this.publishers.delete(rotation);
        void p.close();
      }
    }
    for (const rotation of live) {
      const p = this.publishers.get(rotation);
      if (p !== undefined && !(p.phase === "failed" && now - (p.failedAtMs ?? now) >= this.intervalMs)) continue;
      void p?.close();
      const fresh = new ProbePublisher(this.region, rotation, {
        target: this.target,
        clock: this.clock,
        peerOptions: this.sessionPeerOptions(),
        connectTimeoutMs: this.connectTimeoutMs,
        payloadBytes: this.payloadBytes,
        metrics: this.metrics,
        logger: this.logger,
      });
      this.publishers.set(rotation, fresh);
      fresh.start();
    }
    for (const m of this.monitors) m.maintain(now);
    this.turn?.maintain(now);
  }

  /** The peer options of a new session: relay only (fresh credentials) in relay-only mode. */
  private sessionPeerOptions(): PeerOptions {
    return this.relayOnly && this.turnConfig !== undefined ? relayOnly(this.peerOptions, this.turnConfig, this.clock.now()) : this.peerOptions;
  }

  private newSubscription(src: Region, rotation: number, peerOptions: PeerOptions = this.sessionPeerOptions()): PairSubscription {
    return new PairSubscription(src, rotation, {
      target: this.target,
      clock: this.clock,
      peerOptions,
      connectTimeoutMs: this.connectTimeoutMs,
      metrics: this.metrics,
      logger: this.logger,
    });
  }

  private async shutdown(): Promise<void> {
    // First: no publisher or subscription may wait out an SFU's request timeout.
    this.target.close();
    this.windowTimer?.cancel();
    this.pacer?.cancel();
    this.windowTimer = null;
    this.pacer = null;
    const pubs = [...this.publishers.values()];
    this.publishers.clear();
    await Promise.all([...this.monitors.map((m) => m.close()), ...pubs.map((p) => p.close()), this.turn?.close()]);
    await this.sink.close();
    this.logger.info({ sink: this.sink.stats() }, "close() | probe agent stopped");
  }
}

function positive(key: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new ConfigError(key, v, "a positive number");
  return v;
}

