// The TURN probe of one region's agent: every window (a) one TURN allocation on the region's
// TURN server, timed, with the server's error code when refused (allocate.ts), and (b) media
// through a relay candidate end to end: the agent subscribes to its own region's probe track
// with a relay-only peer (iceTransportPolicy relay), so every packet crosses the TURN server.
// One ProbeResult per window, src = dst = the region, `via: "turn"`: the media window's
// figures, its status turned failed when the window's allocation failed. It never throws at
// the agent; it owns no timers (the agent's window drives it).
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { ProbeResult, ProbeStatus } from "../../core/probe-result.js";
import type { Region } from "../../core/region.js";
import type { PeerOptions } from "../client/werift-peer.js";
import { PairMonitor } from "../pair-monitor.js";
import type { RotationSchedule } from "../rotation.js";
import type { Thresholds } from "../stats/classify.js";
import type { PairSubscription } from "../subscription.js";
import { allocate, describeAllocation, type AllocationOutcome } from "./allocate.js";
import { credentialsAt, type CredentialSource } from "./credentials.js";
import type { TurnServer } from "./ice-server.js";
import type { TurnMetrics } from "./turn-metrics.js";

/**
 * 2 s: an allocation is one or two round trips to a server in the probe's own region; one
 * that takes seconds is as good as refused for a caller's ICE, and the next window starts
 * the next attempt.
 */
export const DEFAULT_ALLOCATE_TIMEOUT_MS = 2000;

export interface TurnProbeConfig {
  server: TurnServer;
  credentials: CredentialSource;
  allocateTimeoutMs?: number;
}

export interface TurnProbeDeps {
  region: Region;
  schedule: RotationSchedule;
  windowMs: number;
  thresholds: Thresholds;
  clock: Clock;
  logger: Logger;
  metrics: TurnMetrics;
  bindAddress: string;
  /** A subscription of the agent's kind, with these peer options (relay only). */
  subscribe: (src: Region, rotation: number, peerOptions: PeerOptions) => PairSubscription;
  /** The agent's own peer options (clock, bind address), extended with the TURN server. */
  peerOptions: PeerOptions;
}

export class TurnProbe {
  private readonly config: TurnProbeConfig;
  private readonly deps: TurnProbeDeps;
  private readonly monitor: PairMonitor;
  private inFlight: Promise<void> | null = null;
  private last: AllocationOutcome | null = null;
  private lastStatus: ProbeStatus | null = null;
  private closed = false;

  constructor(config: TurnProbeConfig, deps: TurnProbeDeps) {
    this.config = config;
    this.deps = deps;
    this.monitor = new PairMonitor({
      src: deps.region,
      dst: deps.region,
      schedule: deps.schedule,
      windowMs: deps.windowMs,
      thresholds: deps.thresholds,
      subscribe: (src, rotation) => deps.subscribe(src, rotation, this.relayPeerOptions()),
    });
  }

  /** Relay-only peer options with credentials valid from now (REST credentials expire). */
  relayPeerOptions(): PeerOptions {
    return relayOnly(this.deps.peerOptions, this.config, this.deps.clock.now());
  }

  /** Keeps the relayed subscription in line with the rotation and starts this window's allocation. */
  maintain(now: number): void {
    if (this.closed) return;
    this.monitor.maintain(now);
    this.inFlight ??= this.allocateOnce().finally(() => {
      this.inFlight = null;
    });
  }

  observeWindow(end: number, agentStallMs = 0): ProbeResult {
    const media = this.monitor.observeWindow(end, agentStallMs);
    this.deps.metrics.mediaOk.set({ region: this.deps.region }, media.status === "ok" || media.status === "degraded" ? 1 : 0);
    const result = mergeAllocation({ ...media, via: "turn" }, this.last);
    if (result.status !== this.lastStatus) {
      const fields = { region: this.deps.region, server: this.config.server.url, from: this.lastStatus, to: result.status, reason: result.reason };
      if (result.status === "ok") this.deps.logger.info(fields, "turn() | TURN probe status changed");
      else this.deps.logger.warn(fields, "turn() | TURN probe status changed");
      this.lastStatus = result.status;
    }
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.monitor.close(), this.inFlight]);
  }

  private async allocateOnce(): Promise<void> {
    const { clock, bindAddress, metrics, region } = this.deps;
    const outcome = await allocate({
      server: this.config.server,
      credentials: credentialsAt(this.config.credentials, clock.now()),
      clock,
      timeoutMs: this.config.allocateTimeoutMs ?? DEFAULT_ALLOCATE_TIMEOUT_MS,
      bindAddress,
    });
    if (this.closed) return;
    this.last = outcome;
    metrics.observeAllocation(region, outcome);
  }
}

/** The agent's peer options, relay only through `config.server`. */
export function relayOnly(base: PeerOptions, config: TurnProbeConfig, nowMs: number): PeerOptions {
  const c = credentialsAt(config.credentials, nowMs);
  return { ...base, iceServers: [{ urls: config.server.url, username: c.username, credential: c.credential }], iceTransportPolicy: "relay" };
}

/**
 * A window's TURN result: the relayed media's, unless the latest allocation failed — then
 * that failure is the status (a refused allocation is what a new user behind a NAT meets,
 * whatever an older relayed session still carries). Timeouts stay `timeout`.
 */
export function mergeAllocation(media: ProbeResult, allocation: AllocationOutcome | null): ProbeResult {
  if (allocation === null) return media;
  if (allocation.ok) return media.status === "ok" || media.status === "degraded" ? media : { ...media, reason: `${media.reason}; ${describeAllocation(allocation)}` };
  const status: ProbeStatus = allocation.kind === "timeout" ? "timeout" : "setup_failed";
  return { ...media, status, reason: describeAllocation(allocation) };
}
