// The relay control plane of one region, as one pure state machine:
//
//   initialRelays(config) → RelayMachineState
//   step(state, event, env) → { state, effects[] }
//
// Events are what happens to the region (local demand, the engine's answers, peers'
// calls and answers, heartbeats' verdicts, timers); effects are what it must do (pull,
// leave, close, answer, open or close relay pipes on the engine, start or cancel timers,
// serve or refuse waiting subscribes, report a change). It never sends, never sets a
// timer, never touches the engine: the region node (sfu/node/relay-manager.ts) performs
// the effects against HTTP, the MediaEngine and a Clock, and the property tests'
// simulator (test/support/relay-sim/simulate.ts) performs them against a simulated network — the same machine.
// Decisions are the pure policies' (locator, pull policy and loop guard, announce policy,
// legacy behaviours); the protocol itself is in the pulling and serving halves
// (relay-pulling.ts, relay-serving.ts). The input state is never mutated.
import type { Region } from "../../core/region.js";
import type { PullResultBody, RelayConfig, RelayEnv, RelayEvent, RelayMachineState, StepResult, TimerKey } from "./relay-machine-types.js";
import { accept, attachedUpstream, cancelLinger, endRelay, flowing, lingerOver, locate, maybeStop, pendingTimedOut, resetRelay, sendPull, startRelay, teardown, tryNext } from "./relay-pulling.js";
import { closeDownstreams, leaveArrived, pullArrived, pullResultAnswered, refuseAttached, relayOutClosed, relayOutFailed, relayOutOpened } from "./relay-serving.js";
import { Step, type TrackDraft } from "./relay-step.js";
import { PULL_REFUSALS } from "./pull-policy.js";
import { hasMedia, relayOf } from "./relay-views.js";

/**
 * 500 ms: a relay whose candidates all refused tries again this soon while a subscribe
 * waits — announcements and refusals change within one or two RTTs (≤ 300 ms between the
 * lab's farthest regions), and a subscribe waits seconds (subscribeTimeoutMs) in all.
 */
export const RELAY_RETRY_MS = 500;

/** One string per timer, so a restarted timer replaces the one it supersedes (for the effect performers). */
export function timerKey(t: TimerKey): string {
  switch (t.kind) {
    case "locate": return `locate|${t.track}|${t.relay}|${t.round}`;
    case "pending-timeout": return `pending|${t.track}|${t.pullId}`;
    case "linger": return `linger|${t.track}`;
    case "upstream-lost": return `lost|${t.region}`;
  }
}

export function initialRelays(config: RelayConfig): RelayMachineState {
  return { config, tracks: new Map(), suspects: new Set(), nextSerial: 1, pullCounter: 0, closed: false };
}

export function step(state: RelayMachineState, event: RelayEvent, env: RelayEnv): StepResult {
  const s = new Step(state, env);
  if (state.closed) {
    whenClosed(s, event);
    return s.finish();
  }
  apply(s, event);
  return s.finish();
}

function apply(s: Step, e: RelayEvent): void {
  switch (e.kind) {
    case "waiter-added": { waiterAdded(s, e.track, e.id); return; }
    case "waiter-gone": { demandLeft(s, e.track, (t) => t.waiters.delete(e.id)); return; }
    case "subscribe-failed": { demandLeft(s, e.track, () => true); return; }
    case "subscriber-added": { subscriberAdded(s, e.track, e.id); return; }
    case "subscriber-gone": { demandLeft(s, e.track, (t) => t.subscribers.delete(e.id)); return; }
    case "publisher-added": { publisherAdded(s, e.track); return; }
    case "publisher-gone": { publisherGone(s, s.track(e.track)); return; }
    case "relay-in-opened": { relayInOpened(s, e.track, e.relay, e.id, e.port); return; }
    case "relay-in-failed": { relayInFailed(s, s.track(e.track), e.relay); return; }
    case "relay-in-closed": { relayInClosed(s, s.track(e.track), e.id); return; }
    case "relay-media-set": { relayMediaSet(s, s.track(e.track), e.pullId, e.ok); return; }
    case "first-packet": { firstPacket(s, s.track(e.track), e.relayInId, e.at); return; }
    case "relay-out-opened": { relayOutOpened(s, e.track, e.region, e.pullId, e.id, e.media); return; }
    case "relay-out-failed": { relayOutFailed(s, s.track(e.track), e.region, e.pullId); return; }
    case "relay-out-closed": { relayOutClosed(s.track(e.track), e.id); return; }
    case "pull-answered": { pullAnswered(s, e); return; }
    case "pull-result": { pullResult(s, e.requestId, e.track, e.from, e.pullId, e.result); return; }
    case "upstream-closed": { upstreamClosed(s, e.requestId, e.track, e.from, e.pullId); return; }
    case "pull-arrived": { pullArrived(s, e); return; }
    case "leave-arrived": { leaveArrived(s, e); return; }
    case "pull-result-answered": { pullResultAnswered(s, s.track(e.track), e.to, e.pullId, e.accepted); return; }
    case "peer-reachability": { peerReachability(s, e.region, e.reachable); return; }
    case "timer": { timer(s, e.timer); return; }
    case "relay-reset": { const t = s.track(e.track); if (t !== undefined) resetRelay(s, t); return; }
    case "close": { close(s); return; }
  }
}

/** After close: answer what must be answered, release what the engine handed back; start nothing. */
function whenClosed(s: Step, e: RelayEvent): void {
  if (e.kind === "relay-in-opened" || e.kind === "relay-out-opened") s.emit({ kind: "close-relay", track: e.track, id: e.id });
  if (e.kind === "waiter-added") s.emit({ kind: "reject-waiters", track: e.track, ids: [e.id], code: "closed", message: "region node is closing" });
  if (e.kind === "pull-arrived" || e.kind === "leave-arrived" || e.kind === "pull-result" || e.kind === "upstream-closed") {
    s.emit({ kind: "reply", requestId: e.requestId, status: 503, body: { error: "closing", detail: `${s.self} is closing` } });
  }
}

/** A local subscribe waits for media: answered now, or the wait is demand and starts a relay. */
function waiterAdded(s: Step, track: string, id: string): void {
  if (hasMedia(s.track(track))) {
    s.emit({ kind: "resolve-waiters", track, ids: [id] });
    return;
  }
  const t = s.ensure(track);
  t.waiters.add(id);
  cancelLinger(s, t);
  if (t.source.kind === "none") startRelay(s, t, [s.self], { kind: "waiter", id });
}

function subscriberAdded(s: Step, track: string, id: string): void {
  const t = s.ensure(track);
  t.subscribers.add(id);
  cancelLinger(s, t);
  s.changed(t);
}

/** Some demand went away (`remove` says whether it was there): stop after linger if none is left. */
function demandLeft(s: Step, track: string, remove: (t: TrackDraft) => boolean): void {
  const t = s.track(track);
  if (t === undefined || !remove(t)) return;
  s.changed(t);
  maybeStop(s, t);
}

function publisherAdded(s: Step, track: string): void {
  const t = s.ensure(track);
  if (relayOf(t) !== null) endRelay(s, t, true, "local publisher");
  refuseAttached(s, t);
  t.source = { kind: "publisher" };
  s.changed(t);
  if (t.waiters.size > 0) s.emit({ kind: "resolve-waiters", track, ids: [...t.waiters] });
  t.waiters.clear();
}

function publisherGone(s: Step, t: TrackDraft | undefined): void {
  if (t?.source.kind !== "publisher") return;
  t.source = { kind: "none" };
  refuseAttached(s, t);
  closeDownstreams(s, t);
  s.changed(t);
  s.cleanup(t);
}

function relayInOpened(s: Step, track: string, serial: number, id: string, port: number): void {
  const t = s.track(track);
  const relay = t === undefined ? null : relayOf(t);
  if (t === undefined || relay?.serial !== serial || relay.relayIn.kind !== "opening") {
    s.emit({ kind: "close-relay", track, id });
    return;
  }
  relay.relayIn = { kind: "open", id, port };
  sendPull(s, t, relay);
}

function relayInFailed(s: Step, t: TrackDraft | undefined, serial: number): void {
  const relay = t === undefined ? null : relayOf(t);
  if (t === undefined || relay?.serial !== serial || relay.relayIn.kind !== "opening") return;
  relay.relayIn = { kind: "none" };
  // No port to name in a pull: no candidate can be tried.
  relay.next = relay.candidates.length;
  if (relay.phase.kind === "requested") tryNext(s, t, relay);
}

/** The engine ended our relay-in (worker died, pipe failed): the relay is over. */
function relayInClosed(s: Step, t: TrackDraft | undefined, id: string): void {
  const relay = t === undefined ? null : relayOf(t);
  if (t === undefined || relay?.relayIn.kind !== "open" || relay.relayIn.id !== id) return;
  relay.relayIn = { kind: "none" };
  teardown(s, t, true);
}

function relayMediaSet(s: Step, t: TrackDraft | undefined, pullId: string, ok: boolean): void {
  const relay = t === undefined ? null : relayOf(t);
  const phase = relay?.phase;
  if (t === undefined || relay === null || (phase?.kind !== "accepted" && phase?.kind !== "flowing") || phase.pullId !== pullId) return;
  if (!ok) {
    // The engine refused what the upstream sends: release it and try the next candidate.
    s.emit({ kind: "send-leave", track: t.track, to: phase.upstream, pullId });
    relay.phase = { kind: "requested", upstream: phase.upstream, pullId };
    tryNext(s, t, relay);
    return;
  }
  relay.phase = { ...phase, mediaSet: true };
  s.changed(t);
  if (t.waiters.size > 0) s.emit({ kind: "resolve-waiters", track: t.track, ids: [...t.waiters] });
  t.waiters.clear();
}

function firstPacket(s: Step, t: TrackDraft | undefined, relayInId: string | null, at: number): void {
  if (t === undefined) return;
  t.firstPacketAt = at;
  const relay = relayOf(t);
  if (relay?.relayIn.kind === "open" && relay.relayIn.id === relayInId) flowing(s, t, relay);
  s.changed(t);
}

function pullAnswered(s: Step, e: Extract<RelayEvent, { kind: "pull-answered" }>): void {
  const t = s.track(e.track);
  const relay = t === undefined ? null : relayOf(t);
  const current = relay !== null && relay.phase.kind !== "locating" && relay.phase.pullId === e.pullId && relay.phase.upstream === e.from;
  // Accepted, or no answer at all (timeout, unreachable): the upstream may hold the pull.
  const mayHold = e.outcome.kind !== "refused" || !(PULL_REFUSALS as readonly string[]).includes(e.outcome.why);
  const release = (): void => { if (mayHold) s.emit({ kind: "send-leave", track: e.track, to: e.from, pullId: e.pullId }); };
  if (t === undefined || relay === null || !current) {
    // An answer to a pull we have given up on: release it.
    release();
    return;
  }
  // A pull-result that overtook this answer has already moved the relay on.
  if (relay.phase.kind !== "requested") return;
  if (e.outcome.kind === "refused") {
    // Falling back: a pull the upstream may have served after all must not keep a relay-out open to us.
    release();
    tryNext(s, t, relay);
  } else if (e.outcome.kind === "pending") attachedUpstream(s, t, relay);
  else accept(s, t, relay, e.outcome.chain, e.outcome.media);
}

/** The upstream's pull-result for a pull it attached: accepted (200) only while that pull is current. */
function pullResult(s: Step, requestId: string, track: string, from: Region, pullId: string, result: PullResultBody): void {
  const t = s.track(track);
  const relay = t === undefined ? null : relayOf(t);
  const phase = relay?.phase;
  if (t === undefined || relay === null || (phase?.kind !== "requested" && phase?.kind !== "pending") || phase.upstream !== from || phase.pullId !== pullId) {
    s.emit({ kind: "reply", requestId, status: 409, body: { error: "stale_pull", detail: "no such pull is waiting here" } });
    return;
  }
  s.emit({ kind: "reply", requestId, status: 200, body: { ok: true } });
  if ("error" in result) tryNext(s, t, relay);
  else accept(s, t, relay, result.chain, result.media);
}

/** The upstream closed the relay of `pullId` (whatever its phase: a close can overtake the answer). */
function upstreamClosed(s: Step, requestId: string, track: string, from: Region, pullId: string): void {
  const t = s.track(track);
  const phase = t === undefined ? null : (relayOf(t)?.phase ?? null);
  const closed = t !== undefined && phase !== null && phase.kind !== "locating" && phase.upstream === from && phase.pullId === pullId;
  if (closed) teardown(s, t, false);
  s.emit({ kind: "reply", requestId, status: 200, body: { closed } });
}

/** Heartbeats' verdict on a peer: unreachable for upstreamLostMs tears down the relays pulling from it. */
function peerReachability(s: Step, region: Region, reachable: boolean): void {
  const timer: TimerKey = { kind: "upstream-lost", region };
  if (reachable) {
    if (s.suspects.delete(region)) s.cancelTimer(timer);
    return;
  }
  if (s.suspects.has(region)) return;
  s.suspects.add(region);
  s.startTimer(timer, s.cfg.upstreamLostMs);
}

function upstreamLost(s: Step, region: Region): void {
  if (!s.suspects.delete(region)) return;
  for (const id of s.trackIds()) {
    const t = s.track(id);
    const phase = t === undefined ? null : (relayOf(t)?.phase ?? null);
    if (t === undefined || phase === null || phase.kind === "locating" || phase.upstream !== region) continue;
    s.emit({ kind: "gave-up", track: id, upstream: region, why: "upstream_lost", afterMs: s.cfg.upstreamLostMs });
    teardown(s, t, false);
  }
}

function timer(s: Step, k: TimerKey): void {
  if (k.kind === "upstream-lost") {
    upstreamLost(s, k.region);
    return;
  }
  const t = s.track(k.track);
  const relay = t === undefined ? null : relayOf(t);
  if (k.kind === "linger") {
    if (t !== undefined) lingerOver(s, t);
  } else if (t === undefined || relay === null) {
    return;
  } else if (k.kind === "locate") {
    if (relay.serial === k.relay && relay.round === k.round && relay.phase.kind === "locating") locate(s, t, relay);
  } else {
    pendingTimedOut(s, t, relay, k.pullId);
  }
}

/** Node shutdown: waiting subscribes are refused, timers stopped; the engine closes the pipes itself. */
function close(s: Step): void {
  s.closed = true;
  for (const region of s.suspects) s.cancelTimer({ kind: "upstream-lost", region });
  s.suspects.clear();
  for (const id of s.trackIds()) {
    const t = s.track(id);
    if (t === undefined) continue;
    if (t.waiters.size > 0) s.emit({ kind: "reject-waiters", track: id, ids: [...t.waiters], code: "closed", message: "region node is closing" });
    t.waiters.clear();
    cancelLinger(s, t);
    const relay = relayOf(t);
    if (relay === null) continue;
    if (relay.phase.kind === "locating") s.cancelTimer({ kind: "locate", track: id, relay: relay.serial, round: relay.round });
    if (relay.phase.kind === "pending") s.cancelTimer({ kind: "pending-timeout", track: id, pullId: relay.phase.pullId });
    s.emit({ kind: "relay-ended", track: id, relay: relay.serial, why: "region node closing", flowing: relay.phase.kind === "flowing" });
  }
}
