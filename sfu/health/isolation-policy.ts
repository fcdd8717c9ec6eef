// The isolation policy: should this region take itself offline because it is cut off?
// A state machine over heartbeat rounds, with time passed in. It never sends anything,
// never sets a timer and never drains a session; the caller feeds it one observation per
// heartbeat round and acts on the state it returns.
//
//   initialIsolation(policy, now) → IsolationState
//   observeIsolation(state, input, opts?) → IsolationState   (.decision says what and why)
//
// `naive` (legacy, the 2024-02-07 incident): offline on the first round in which no peer
// answers; back online once every peer has answered for NAIVE_RECOVERY_MS.
//
// `guarded` (default), after SWIM/Lifeguard and the Kubernetes node controller: offline
// only when every peer has been silent for GUARDED_SUSPECT_WINDOW_MS, AND the independent
// witness (e.g. the analyzer) is unreachable too, AND this node is healthy (event-loop lag
// under EVENT_LOOP_LAG_LIMIT_MS, so the silence is not our own stall). Back online once
// some peer has answered every round for GUARDED_RECOVERY_MS (hysteresis).
// With no witness configured, the witness condition is skipped (documented choice:
// peers + self-health + the window still have to agree).
import type { IsolationPolicy, RegionState } from "../../core/region-health.js";

/**
 * 15 s: Lifeguard/memberlist suspicion timeouts are ≈ 4–24 s on a LAN-to-WAN range; the
 * incident's blip lasted "a few seconds", and a 3 s blip must never isolate. 15 s is also
 * well under the ~1 min a full failover to another region takes anyway.
 */
export const GUARDED_SUSPECT_WINDOW_MS = 15_000;

/**
 * 10 s of answers before coming back: every state change drains or admits sessions, so a
 * flapping link must not toggle the region each round (the Kubernetes node controller
 * likewise waits out a grace period before acting on a node's condition).
 */
export const GUARDED_RECOVERY_MS = 10_000;

/** 30 s: the legacy recovery period DESIGN describes for `naive`. */
export const NAIVE_RECOVERY_MS = 30_000;

/**
 * 500 ms: half the 1 s heartbeat interval. A loop stalled that long makes answers that
 * did arrive look late or lost, so our own stall is not evidence about the network
 * (Lifeguard's Local Health Awareness backs off suspicion for the same reason).
 */
export const EVENT_LOOP_LAG_LIMIT_MS = 500;

export const WITNESS_STATES = ["reachable", "unreachable", "unconfigured"] as const;
export type WitnessState = (typeof WITNESS_STATES)[number];

/** One heartbeat round, as the policy needs it. */
export interface IsolationInput {
  now: number;
  peersAnswered: number;
  peersTotal: number;
  /** The latest witness probe result. */
  witness: WitnessState;
  eventLoopLagMs: number;
}

export const ISOLATION_REASONS = [
  "no_peers",
  "peers_reachable",
  "all_peers_unreachable",
  "suspect",
  "witness_reachable",
  "self_unhealthy",
  "isolated",
  "still_isolated",
  "recovering",
  "recovered",
  "overridden",
] as const;
/** Metric label values for `relaywatch_sfu_isolation_decisions_total{reason}`. */
export type IsolationReason = (typeof ISOLATION_REASONS)[number];

export interface IsolationDecision {
  at: number;
  policy: IsolationPolicy;
  state: RegionState;
  /** True when this observation changed the region's state. */
  changed: boolean;
  reason: IsolationReason;
  /** For logs, /v1/state and the analyzer, e.g. "0/4 peers answered for 15.0 s; witness unreachable". */
  detail: string;
}

export interface IsolationState {
  policy: IsolationPolicy;
  state: RegionState;
  /** When `state` last changed. */
  since: number;
  /** Start of the current run of rounds in which no peer answered (healthy rounds only, for guarded). */
  silentSince: number | null;
  /** Start of the current run of rounds that count towards recovery. */
  answeringSince: number | null;
  decision: IsolationDecision | null;
}

export interface IsolationOptions {
  suspectWindowMs?: number;
  guardedRecoveryMs?: number;
  naiveRecoveryMs?: number;
  lagLimitMs?: number;
}

export function initialIsolation(policy: IsolationPolicy, now: number): IsolationState {
  return { policy, state: "online", since: now, silentSince: null, answeringSince: null, decision: null };
}

/** Switching policy at run time (admin API) keeps the state and restarts the clocks. */
export function withPolicy(state: IsolationState, policy: IsolationPolicy): IsolationState {
  return policy === state.policy ? state : { ...state, policy, silentSince: null, answeringSince: null };
}

/**
 * An operator's override (admin API, after a false isolation): online now, and handed back to
 * the policy at once — its clocks restart, so it takes the region offline again only on fresh
 * evidence (a new silent run from now), never on the rounds that isolated it before.
 */
export function overrideOnline(state: IsolationState, now: number, detail: string): IsolationState {
  const changed = state.state !== "online";
  return {
    policy: state.policy,
    state: "online",
    since: changed ? now : state.since,
    silentSince: null,
    answeringSince: null,
    decision: { at: now, policy: state.policy, state: "online", changed, reason: "overridden", detail },
  };
}

export function observeIsolation(state: IsolationState, input: IsolationInput, opts: IsolationOptions = {}): IsolationState {
  return state.policy === "naive" ? observeNaive(state, input, opts) : observeGuarded(state, input, opts);
}

function observeNaive(s: IsolationState, i: IsolationInput, opts: IsolationOptions): IsolationState {
  const silent = i.peersTotal > 0 && i.peersAnswered === 0;
  const allAnswer = i.peersAnswered >= i.peersTotal;
  const silentSince = silent ? (s.silentSince ?? i.now) : null;
  if (s.state === "online") {
    if (i.peersTotal === 0) return next(s, i, { silentSince, answeringSince: null }, "online", "no_peers", "no peers configured");
    if (silent) return next(s, i, { silentSince, answeringSince: null }, "offline", "all_peers_unreachable", `0/${i.peersTotal} peers answered this round`);
    return next(s, i, { silentSince, answeringSince: null }, "online", "peers_reachable", answered(i));
  }
  const answeringSince = allAnswer ? (s.answeringSince ?? i.now) : null;
  const recovery = opts.naiveRecoveryMs ?? NAIVE_RECOVERY_MS;
  if (answeringSince === null) return next(s, i, { silentSince, answeringSince }, "offline", "still_isolated", `${answered(i)}; every peer must answer for ${seconds(recovery)}`);
  if (i.now - answeringSince >= recovery) return next(s, i, { silentSince, answeringSince: null }, "online", "recovered", `every peer answered for ${seconds(i.now - answeringSince)}`);
  return next(s, i, { silentSince, answeringSince }, "offline", "recovering", `every peer answered for ${seconds(i.now - answeringSince)} of ${seconds(recovery)}`);
}

function observeGuarded(s: IsolationState, i: IsolationInput, opts: IsolationOptions): IsolationState {
  const silent = i.peersTotal > 0 && i.peersAnswered === 0;
  const lagging = i.eventLoopLagMs > (opts.lagLimitMs ?? EVENT_LOOP_LAG_LIMIT_MS);
  // Rounds observed while we were stalled are not evidence: the window restarts once healthy.
  const silentSince = !silent || lagging ? null : (s.silentSince ?? i.now);
  if (s.state === "online") {
    const keep = { silentSince, answeringSince: null };
    if (i.peersTotal === 0) return next(s, i, keep, "online", "no_peers", "no peers configured");
    if (!silent) return next(s, i, keep, "online", "peers_reachable", answered(i));
    if (lagging) return next(s, i, keep, "online", "self_unhealthy", `0/${i.peersTotal} peers answered, but event-loop lag is ${Math.round(i.eventLoopLagMs)} ms`);
    const window = opts.suspectWindowMs ?? GUARDED_SUSPECT_WINDOW_MS;
    const silentFor = i.now - (silentSince ?? i.now);
    if (silentFor < window) return next(s, i, keep, "online", "suspect", `0/${i.peersTotal} peers answered for ${seconds(silentFor)} of ${seconds(window)}`);
    if (i.witness === "reachable") return next(s, i, keep, "online", "witness_reachable", `0/${i.peersTotal} peers answered for ${seconds(silentFor)}, but the witness answers: the peers are cut off, not this region`);
    const witness = i.witness === "unreachable" ? "witness unreachable" : "no witness configured";
    return next(s, i, { silentSince, answeringSince: null }, "offline", "isolated", `0/${i.peersTotal} peers answered for ${seconds(silentFor)}; ${witness}; event-loop lag ${Math.round(i.eventLoopLagMs)} ms`);
  }
  const answeringSince = silent ? null : (s.answeringSince ?? i.now);
  const recovery = opts.guardedRecoveryMs ?? GUARDED_RECOVERY_MS;
  if (answeringSince === null) return next(s, i, { silentSince, answeringSince }, "offline", "still_isolated", `0/${i.peersTotal} peers answered`);
  if (i.now - answeringSince >= recovery) return next(s, i, { silentSince: null, answeringSince: null }, "online", "recovered", `peers answered for ${seconds(i.now - answeringSince)}`);
  return next(s, i, { silentSince, answeringSince }, "offline", "recovering", `peers answered for ${seconds(i.now - answeringSince)} of ${seconds(recovery)}`);
}

function next(
  s: IsolationState,
  i: IsolationInput,
  clocks: Pick<IsolationState, "silentSince" | "answeringSince">,
  state: RegionState,
  reason: IsolationReason,
  detail: string,
): IsolationState {
  const changed = state !== s.state;
  return {
    policy: s.policy,
    state,
    since: changed ? i.now : s.since,
    ...clocks,
    decision: { at: i.now, policy: s.policy, state, changed, reason, detail },
  };
}

function answered(i: IsolationInput): string {
  return `${i.peersAnswered}/${i.peersTotal} peers answered`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
