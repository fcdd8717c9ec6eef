// Heartbeats to every peer (HTTP, HMAC-signed), one round per interval of the injected
// clock: RTT and reachability per peer, then one isolation decision per round from the
// injected IsolationDriver (the pure policy: guarded by default, naive as legacy). When
// every peer is silent the witness is asked too. This module measures and reports; it
// never decides by itself whether the region is offline.
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { Clock, TimerHandle } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { Region } from "../../core/region.js";
import type { IsolationPolicy } from "../../core/region-health.js";
import type { PeerEntry } from "../../core/sfu-state.js";
import { parsePayload } from "../../core/validate.js";
import { initialIsolation, observeIsolation, overrideOnline, withPolicy, type IsolationDecision, type IsolationOptions, type IsolationState, type WitnessState } from "../health/isolation-policy.js";
import { applyRound, emptyPeerTable, measuredRtts, type HeartbeatResult, type PeerTable, type PeerTableOptions } from "../health/peer-table.js";
import type { SfuMetrics } from "../telemetry/metrics.js";
import type { PeerClient } from "./peer-client.js";
import type { PeerDirectory } from "./peers.js";
import { heartbeatReplySchema, RELAY_PATHS } from "./relay-protocol.js";

/** 1 s (DESIGN): often enough that a 3 s blip shows as ~3 missed rounds, cheap on any mesh. */
export const DEFAULT_HEARTBEAT_MS = 1_000;
/** 800 ms: a heartbeat must settle before the next round starts. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 800;

export interface HealthMonitorOptions {
  self: Region;
  clock: Clock;
  logger: Logger;
  metrics: SfuMetrics;
  peers: PeerDirectory;
  client: PeerClient;
  policy: IsolationPolicy;
  isolation?: IsolationOptions;
  peerTable?: PeerTableOptions;
  witnessUrl?: string;
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
  onPeerChange: (peer: PeerEntry) => void;
  /** Every round's isolation decision (the caller acts on a changed state). */
  onDecision: (decision: IsolationDecision, lagMs: number) => void;
  /** Measures RTT; performance.now by default (a manual clock does not move during I/O). */
  monotonicMs?: () => number;
}

export class HealthMonitor {
  private table: PeerTable;
  private isolation: IsolationState;
  private witness: WitnessState;
  private witnessUrl: string | undefined;
  private readonly o: HealthMonitorOptions;
  private readonly timer: TimerHandle;
  private readonly lag: ReturnType<typeof monitorEventLoopDelay>;
  private round: Promise<void> | null = null;
  private closed = false;

  constructor(options: HealthMonitorOptions) {
    this.o = options;
    const now = options.clock.now();
    this.table = emptyPeerTable(options.peers.regions(), now);
    this.isolation = initialIsolation(options.policy, now);
    this.witnessUrl = options.witnessUrl;
    this.witness = options.witnessUrl === undefined ? "unconfigured" : "reachable";
    this.lag = monitorEventLoopDelay({ resolution: 20 });
    this.lag.enable();
    this.timer = options.clock.setInterval(() => {
      void this.tick();
    }, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  }

  /** Every configured peer's row, sorted by region. */
  peers(): PeerEntry[] {
    return this.o.peers.regions().map((region) => {
      const row = this.table.get(region);
      return { region, reachable: row?.reachable ?? false, rttMs: row?.rttMs == null ? null : round1(row.rttMs), lastSeenAt: row?.lastAnswerAt == null ? null : Math.floor(row.lastAnswerAt) };
    });
  }

  /** Smoothed RTTs of reachable peers, for the locator. */
  rtts(): Map<Region, number> {
    return measuredRtts(this.table);
  }

  get state(): IsolationState {
    return this.isolation;
  }

  /** Sets or clears the witness (e.g. the analyzer's URL as the lab routes it). */
  setWitnessUrl(url: string | undefined): void {
    this.witnessUrl = url;
    this.witness = url === undefined ? "unconfigured" : "reachable";
  }

  /** Switches the isolation policy at run time; the region state is kept. */
  setPolicy(policy: IsolationPolicy): void {
    this.isolation = withPolicy(this.isolation, policy);
  }

  /** An operator's override (admin API): online now, the policy deciding again from this round on. */
  overrideOnline(detail: string): IsolationDecision {
    this.isolation = overrideOnline(this.isolation, this.o.clock.now(), detail);
    const decision = this.isolation.decision as IsolationDecision;
    this.o.metrics.isolationDecisionsTotal.inc({ decision: decision.reason });
    this.o.onDecision(decision, this.eventLoopLagMs());
    return decision;
  }

  eventLoopLagMs(): number {
    const mean = this.lag.mean / 1e6;
    return Number.isFinite(mean) ? Math.round(mean * 10) / 10 : 0;
  }

  /** Starts a round now unless one is in flight; resolves when the round has been decided. */
  tick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.round ??= this.runRound().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  /** The round in flight, if any (tests with a manual clock await it). */
  idle(): Promise<void> {
    return this.round ?? Promise.resolve();
  }

  close(): void {
    this.closed = true;
    this.timer.cancel();
    this.lag.disable();
  }

  private async runRound(): Promise<void> {
    const peers = this.o.peers.regions();
    const results = await Promise.all(peers.map((p) => this.beat(p)));
    if (this.closed) return;
    const now = this.o.clock.now();
    const before = this.peers();
    const known = new Set(peers);
    const table = new Map([...this.table].filter(([r]) => known.has(r)));
    this.table = applyRound(table, new Map(peers.map((p, i) => [p, results[i] ?? { ok: false }])), now, this.o.peerTable);
    this.report(before);
    const answered = results.filter((r) => r.ok).length;
    const witnessUrl = this.witnessUrl;
    if (peers.length > 0 && answered === 0 && witnessUrl !== undefined) this.witness = (await this.askWitness(witnessUrl)) ? "reachable" : "unreachable";
    const lag = this.eventLoopLagMs();
    this.isolation = observeIsolation(this.isolation, { now, peersAnswered: answered, peersTotal: peers.length, witness: this.witness, eventLoopLagMs: lag }, this.o.isolation);
    const decision = this.isolation.decision;
    if (decision === null) return;
    this.o.metrics.isolationDecisionsTotal.inc({ decision: decision.reason });
    this.o.onDecision(decision, lag);
  }

  /** One heartbeat and its RTT in ms. */
  private async beat(peer: Region): Promise<HeartbeatResult> {
    const mono = this.o.monotonicMs ?? (() => performance.now());
    const started = mono();
    const res = await this.o.client.post(peer, RELAY_PATHS.heartbeat, { region: this.o.self, ts: Math.floor(this.o.clock.now()) }, {
      timeoutMs: this.o.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    });
    if (!res.ok || res.status !== 200) return { ok: false };
    const reply = parsePayload(heartbeatReplySchema, res.body);
    if (!reply.ok || reply.value.region !== peer) return { ok: false };
    return { ok: true, rttMs: Math.max(0, mono() - started) };
  }

  private report(before: readonly PeerEntry[]): void {
    for (const row of this.peers()) {
      const prev = before.find((p) => p.region === row.region);
      this.o.metrics.peerReachable.set({ peer: row.region }, row.reachable ? 1 : 0);
      if (row.rttMs !== null) this.o.metrics.peerRttSeconds.set({ peer: row.region }, row.rttMs / 1000);
      if (prev?.reachable !== row.reachable || (prev.rttMs === null) !== (row.rttMs === null)) {
        this.o.logger.info({ peer: row.region, reachable: row.reachable }, "report() | peer reachability changed");
        this.o.onPeerChange(row);
      }
    }
  }

  private async askWitness(url: string): Promise<boolean> {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.o.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS) });
      await res.body?.cancel();
      return true;
    } catch {
      return false;
    }
  }
}

function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}
