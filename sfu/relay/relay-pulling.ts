// The pulling half of the relay machine: this region's own relay of a track — start,
// locate (after the announce policy's delay), pull with fallback through the locator's
// candidates, accept, first packet, give up on a pending pull, tear down, end. Every
// choice is a policy's (locator, pull policy, announce policy); this file only moves
// the relay between phases and says what to do (effects).
import type { Region, TrackId } from "../../core/region.js";
import type { TrackMedia } from "../media/track-media.js";
import { locateDelayMs } from "./announce-policy.js";
import { loopGuardOn } from "./legacy-behaviours.js";
import { locateForRelay, PENDING_PULL_TIMEOUT_MS } from "./pull-policy.js";
import type { Relay, RelayCause, TimerKey } from "./relay-machine-types.js";
import { closeDownstreams, refuseAttached, serveAttached } from "./relay-serving.js";
import type { Step, TrackDraft } from "./relay-step.js";
import { hasDemand, relayOf } from "./relay-views.js";

/** Starts this region's pull of `t` with `pullPath` (this region last). */
export function startRelay(s: Step, t: TrackDraft, pullPath: readonly Region[], cause: RelayCause, originOnly = false): void {
  const relay: Relay = {
    serial: s.newSerial(), pullPath, startedAt: s.now, relayIn: { kind: "none" }, candidates: [], next: 0, round: 0, phase: { kind: "locating" },
    ...(originOnly ? { originOnly } : {}),
  };
  t.source = { kind: "relay", relay };
  cancelLinger(s, t);
  s.emit({ kind: "relay-started", track: t.track, relay: relay.serial, pullPath, cause });
  s.changed(t);
  scheduleLocate(s, t, relay, locateDelayMs(s.env.behaviours, s.cfg.settleMs));
}

function scheduleLocate(s: Step, t: TrackDraft, relay: Relay, delayMs: number): void {
  relay.round++;
  s.startTimer({ kind: "locate", track: t.track, relay: relay.serial, round: relay.round }, delayMs);
}

/** The locate timer fired: ask the locator, then try the first candidate. */
export function locate(s: Step, t: TrackDraft, relay: Relay): void {
  const found = locateForRelay(t.track, s.self, relay.pullPath, { table: s.env.table, rtts: s.env.rtts, now: s.now, behaviours: s.env.behaviours });
  relay.candidates = relay.originOnly === true ? found.filter((c) => c.origin) : found;
  relay.next = 0;
  s.emit({ kind: "relay-located", track: t.track, relay: relay.serial, candidates: relay.candidates });
  tryNext(s, t, relay);
}

/** Pulls from the next candidate (once the relay-in is open), or fails when none is left. */
export function tryNext(s: Step, t: TrackDraft, relay: Relay): void {
  stopPendingTimer(s, t, relay);
  const c = relay.candidates[relay.next];
  if (c === undefined) {
    fail(s, t, relay);
    return;
  }
  relay.next++;
  relay.phase = { kind: "requested", upstream: c.region, pullId: s.newPullId() };
  s.changed(t);
  if (relay.relayIn.kind === "open") sendPull(s, t, relay);
  else if (relay.relayIn.kind === "none") {
    relay.relayIn = { kind: "opening" };
    s.emit({ kind: "open-relay-in", track: t.track, relay: relay.serial });
  }
}

/** Sends the current pull; the relay-in must be open. */
export function sendPull(s: Step, t: TrackDraft, relay: Relay): void {
  if (relay.phase.kind !== "requested" || relay.relayIn.kind !== "open") return;
  const { upstream, pullId } = relay.phase;
  s.emit({ kind: "send-pull", track: t.track, relay: relay.serial, to: upstream, pullId, path: relay.pullPath, port: relay.relayIn.port });
}

/** The current pull was served: media is known, the relay waits for its first packet. */
export function accept(s: Step, t: TrackDraft, relay: Relay, chain: readonly Region[], media: TrackMedia): void {
  const { phase } = relay;
  if (phase.kind !== "requested" && phase.kind !== "pending") return;
  stopPendingTimer(s, t, relay);
  relay.phase = { kind: "accepted", upstream: phase.upstream, pullId: phase.pullId, chain, media, mediaSet: false };
  if (relay.relayIn.kind === "open") s.emit({ kind: "set-relay-media", track: t.track, pullId: phase.pullId, relayInId: relay.relayIn.id, media, upstream: phase.upstream });
  s.changed(t);
}

/** The upstream attached us to its own relay being set up: wait for its pull-result. */
export function attachedUpstream(s: Step, t: TrackDraft, relay: Relay): void {
  if (relay.phase.kind !== "requested") return;
  relay.phase = { kind: "pending", upstream: relay.phase.upstream, pullId: relay.phase.pullId };
  s.startTimer(pendingTimer(t.track, relay.phase.pullId), PENDING_PULL_TIMEOUT_MS);
  s.changed(t);
}

/** Loop guard backstop: a pull still pending without media leaves that upstream (re-armed while the guard is off). */
export function pendingTimedOut(s: Step, t: TrackDraft, relay: Relay, pullId: string): void {
  const { phase } = relay;
  if (phase.kind !== "pending" || phase.pullId !== pullId) return;
  if (!loopGuardOn(s.env.behaviours)) {
    s.startTimer(pendingTimer(t.track, pullId), PENDING_PULL_TIMEOUT_MS);
    return;
  }
  s.emit({ kind: "gave-up", track: t.track, upstream: phase.upstream, why: "pending_timeout", afterMs: PENDING_PULL_TIMEOUT_MS });
  s.emit({ kind: "send-leave", track: t.track, to: phase.upstream, pullId });
  tryNext(s, t, relay);
}

/** The engine saw the relay's first packet: it flows, and attached pulls are served. */
export function flowing(s: Step, t: TrackDraft, relay: Relay): void {
  const { phase } = relay;
  if (phase.kind !== "accepted") return;
  relay.phase = { ...phase, kind: "flowing" };
  s.emit({ kind: "relay-flowing", track: t.track, relay: relay.serial, chain: phase.chain, setupMs: Math.max(0, s.now - relay.startedAt) });
  serveAttached(s, t);
  s.changed(t);
}

/** No candidate accepted: attached pulls are refused; a waiting subscribe retries later. */
function fail(s: Step, t: TrackDraft, relay: Relay): void {
  refuseAttached(s, t);
  relay.phase = { kind: "locating" };
  if (relay.candidates.length === 0 && t.waiters.size > 0) {
    s.emit({ kind: "reject-waiters", track: t.track, ids: [...t.waiters], code: "unknown_track", message: `no region announces ${t.track}` });
    t.waiters.clear();
  }
  s.changed(t);
  if (t.waiters.size > 0 && !s.closed) {
    scheduleLocate(s, t, relay, s.cfg.retryMs);
    return;
  }
  endRelay(s, t, false, "no candidate accepted");
  s.cleanup(t);
}

/** Ends this region's relay of `t`: downstreams are told, and it starts again if someone waits. */
export function teardown(s: Step, t: TrackDraft, tellUpstream: boolean): void {
  const relay = relayOf(t);
  if (relay === null) return;
  endRelay(s, t, tellUpstream, "torn down");
  refuseAttached(s, t);
  closeDownstreams(s, t);
  if (t.waiters.size > 0 && !s.closed) startRelay(s, t, [s.self], { kind: "restart", previous: relay.serial });
  s.changed(t);
  s.cleanup(t);
}

/**
 * An operator's reset (admin API, breaking a loop): the relay is released, the regions it
 * served or held attached are told, and — while anyone here still wants the track — it
 * starts again pulling from the origin only, so it cannot land on a looped copy again.
 */
export function resetRelay(s: Step, t: TrackDraft): void {
  const relay = relayOf(t);
  if (relay === null) return;
  endRelay(s, t, true, "reset by operator");
  refuseAttached(s, t);
  closeDownstreams(s, t);
  if ((t.waiters.size > 0 || t.subscribers.size > 0) && !s.closed) startRelay(s, t, [s.self], { kind: "restart", previous: relay.serial }, true);
  s.changed(t);
  s.cleanup(t);
}

/** Releases the relay: leave to the upstream, relay-in closed, timers stopped. */
export function endRelay(s: Step, t: TrackDraft, tellUpstream: boolean, why: string): void {
  const relay = relayOf(t);
  if (relay === null) return;
  t.source = { kind: "none" };
  cancelLinger(s, t);
  if (relay.phase.kind === "locating") s.cancelTimer({ kind: "locate", track: t.track, relay: relay.serial, round: relay.round });
  stopPendingTimer(s, t, relay);
  if (tellUpstream && relay.phase.kind !== "locating") s.emit({ kind: "send-leave", track: t.track, to: relay.phase.upstream, pullId: relay.phase.pullId });
  if (relay.relayIn.kind === "open") s.emit({ kind: "close-relay", track: t.track, id: relay.relayIn.id });
  s.emit({ kind: "relay-ended", track: t.track, relay: relay.serial, why, flowing: relay.phase.kind === "flowing" });
  s.changed(t);
}

/** Demand is gone: stop the relay after the linger period unless demand returns. */
export function maybeStop(s: Step, t: TrackDraft): void {
  if (hasDemand(t) || t.lingering || relayOf(t) === null) {
    s.cleanup(t);
    return;
  }
  t.lingering = true;
  s.startTimer({ kind: "linger", track: t.track }, s.cfg.lingerMs);
}

export function lingerOver(s: Step, t: TrackDraft): void {
  if (!t.lingering) return;
  t.lingering = false;
  if (!hasDemand(t) && relayOf(t) !== null) endRelay(s, t, true, "linger over");
  s.cleanup(t);
}

export function cancelLinger(s: Step, t: TrackDraft): void {
  if (!t.lingering) return;
  t.lingering = false;
  s.cancelTimer({ kind: "linger", track: t.track });
}

function pendingTimer(track: TrackId, pullId: string): TimerKey {
  return { kind: "pending-timeout", track, pullId };
}

function stopPendingTimer(s: Step, t: TrackDraft, relay: Relay): void {
  if (relay.phase.kind === "pending") s.cancelTimer(pendingTimer(t.track, relay.phase.pullId));
}
