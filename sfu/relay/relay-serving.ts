// The serving half of the relay machine: a peer's pull gets the pull policy's decision
// (serve, attach, pull, refuse — or stale_pull when the same region already holds a newer
// pull here), relay-outs are opened before a serve is answered, attached pulls are served
// once our own copy flows (pull-result) or refused when it cannot, and `leave` releases.
import type { Region, TrackId } from "../../core/region.js";
import type { TrackMedia } from "../media/track-media.js";
import { decidePull, isStalePull, PULL_REFUSAL_STATUS } from "./pull-policy.js";
import type { Downstream, PeerCall } from "./relay-machine-types.js";
import { maybeStop, startRelay } from "./relay-pulling.js";
import type { Step, TrackDraft } from "./relay-step.js";
import { localCopy, relayView } from "./relay-views.js";

export interface PullRequestEvent extends PeerCall {
  path: readonly Region[];
  port: number;
}

/** A peer's `POST /relay/v1/pull` (already authenticated and checked for shape by the node). */
export function pullArrived(s: Step, e: PullRequestEvent): void {
  const existing = s.track(e.track);
  const held = existing?.served.get(e.from) ?? existing?.attached.get(e.from);
  if (held !== undefined && isStalePull(e.pullId, held.pullId)) {
    s.emit({ kind: "pull-decided", track: e.track, requestId: e.requestId, from: e.from, decision: "stale_pull" });
    reply(s, e.requestId, PULL_REFUSAL_STATUS.stale_pull, { error: "stale_pull", detail: `${e.from} already pulls ${e.track} with a newer pull` });
    return;
  }
  const { env } = s;
  const decision = decidePull(e, { self: s.self, copy: localCopy(existing), table: env.table, rtts: env.rtts, now: s.now, behaviours: env.behaviours });
  s.emit({ kind: "pull-decided", track: e.track, requestId: e.requestId, from: e.from, decision: decision.action === "refuse" ? decision.error : decision.action });
  const ds: Downstream = { region: e.from, pullId: e.pullId, port: e.port, relayOut: { kind: "none" } };
  switch (decision.action) {
    case "serve": {
      const t = s.ensure(e.track);
      replace(s, t, e.from);
      t.served.set(e.from, { ...ds, relayOut: { kind: "opening", reply: e.requestId } });
      s.emit({ kind: "open-relay-out", track: e.track, region: e.from, pullId: e.pullId, port: e.port });
      return;
    }
    case "attach":
    case "pull": {
      const t = s.ensure(e.track);
      replace(s, t, e.from);
      t.attached.set(e.from, ds);
      s.changed(t);
      if (decision.action === "pull") startRelay(s, t, [...decision.path], { kind: "pull", requestId: e.requestId });
      const chain = decision.action === "pull" ? [s.self] : [...decision.chain];
      reply(s, e.requestId, 202, { chain, pending: true });
      return;
    }
    case "refuse":
      reply(s, e.requestId, PULL_REFUSAL_STATUS[decision.error], { error: decision.error, detail: decision.detail });
      return;
  }
}

/** A downstream releases the relay of `pullId`. */
export function leaveArrived(s: Step, e: PeerCall): void {
  const t = s.track(e.track);
  let released = false;
  if (t !== undefined) {
    for (const map of [t.served, t.attached]) {
      const ds = map.get(e.from);
      if (ds?.pullId !== e.pullId) continue;
      drop(s, t, map, ds, "released");
      released = true;
    }
    if (released) {
      s.changed(t);
      maybeStop(s, t);
    }
  }
  reply(s, e.requestId, 200, { released });
}

/** The engine opened the relay-out of a served pull: answer the pull, or send the pull-result. */
export function relayOutOpened(s: Step, track: TrackId, region: Region, pullId: string, id: string, media: TrackMedia): void {
  const t = s.track(track);
  const ds = t?.served.get(region);
  const chain = t === undefined ? null : servingChain(s, t);
  if (t === undefined || ds?.pullId !== pullId || ds.relayOut.kind !== "opening" || chain === null) {
    s.emit({ kind: "close-relay", track, id });
    return;
  }
  t.served.set(region, { ...ds, relayOut: { kind: "open", id } });
  if (ds.relayOut.reply !== null) reply(s, ds.relayOut.reply, 200, { chain, pending: false, media });
  else s.emit({ kind: "send-pull-result", track: t.track, to: region, pullId, result: { chain, media } });
  s.changed(t);
}

export function relayOutFailed(s: Step, t: TrackDraft | undefined, region: Region, pullId: string): void {
  const ds = t?.served.get(region);
  if (t === undefined || ds?.pullId !== pullId || ds.relayOut.kind !== "opening") return;
  drop(s, t, t.served, ds, "no_source");
  s.changed(t);
  maybeStop(s, t);
}

/** The downstream answered our pull-result: unless it took it, undo the relay-out. */
export function pullResultAnswered(s: Step, t: TrackDraft | undefined, to: Region, pullId: string, accepted: boolean): void {
  const ds = t?.served.get(to);
  if (accepted || t === undefined || ds?.pullId !== pullId) return;
  drop(s, t, t.served, ds, "released");
  s.changed(t);
  maybeStop(s, t);
}

/** The engine closed a relay-out by itself (its source ended): forget the id. */
export function relayOutClosed(t: TrackDraft | undefined, id: string): void {
  for (const ds of t?.served.values() ?? []) {
    if (ds.relayOut.kind === "open" && ds.relayOut.id === id) t?.served.set(ds.region, { ...ds, relayOut: { kind: "none" } });
  }
}

/** Our copy flows: serve every attached pull (relay-out first, then the pull-result). */
export function serveAttached(s: Step, t: TrackDraft): void {
  for (const ds of [...t.attached.values()]) {
    t.attached.delete(ds.region);
    t.served.set(ds.region, { ...ds, relayOut: { kind: "opening", reply: null } });
    s.emit({ kind: "open-relay-out", track: t.track, region: ds.region, pullId: ds.pullId, port: ds.port });
  }
}

/** Attached pulls fail with no_source (a pull-result each); they fall back to their next candidate. */
export function refuseAttached(s: Step, t: TrackDraft): void {
  for (const ds of [...t.attached.values()]) drop(s, t, t.attached, ds, "no_source");
}

/** Our source ended: every served downstream is told (close), or refused if not yet answered. */
export function closeDownstreams(s: Step, t: TrackDraft): void {
  for (const ds of [...t.served.values()]) {
    const told = ds.relayOut.kind === "opening";
    drop(s, t, t.served, ds, "no_source");
    if (!told) s.emit({ kind: "send-close", track: t.track, to: ds.region, pullId: ds.pullId });
  }
}

/** Our chain as served to a downstream ([self, ...upstream chain]), or null when nothing can be served. */
function servingChain(s: Step, t: TrackDraft): Region[] | null {
  if (t.source.kind === "publisher") return [s.self];
  if (t.source.kind !== "relay") return null;
  const v = relayView(t.source.relay);
  return v.state === "flowing" ? [s.self, ...v.chain] : null;
}

/** Removes an older pull by `region` (either map) before a newer one takes its place. */
function replace(s: Step, t: TrackDraft, region: Region): void {
  for (const map of [t.served, t.attached]) {
    const old = map.get(region);
    if (old !== undefined) drop(s, t, map, old, "replaced");
  }
}

/**
 * Takes `ds` out of `map`, closes its relay-out, and settles what it still awaits: a pull
 * being served is answered (409 stale_pull when a newer pull replaced it, else 404); an
 * attached pull, or one whose pull-result is not out yet, gets a pull-result error — unless
 * the downstream released it or has moved on to a newer pull (`replaced`).
 */
function drop(s: Step, t: TrackDraft, map: Map<Region, Downstream>, ds: Downstream, why: "released" | "replaced" | "no_source"): void {
  map.delete(ds.region);
  const out = ds.relayOut;
  if (out.kind === "open") s.emit({ kind: "close-relay", track: t.track, id: out.id });
  if (why === "released") return;
  if (out.kind === "opening" && out.reply !== null) {
    const [status, error] = why === "replaced" ? [PULL_REFUSAL_STATUS.stale_pull, "stale_pull"] : [404, "no_source"];
    reply(s, out.reply, status, { error, detail: `${t.track}: the pull of ${ds.region} ended before its relay-out was open` });
    return;
  }
  if (why === "no_source" && (map === t.attached || out.kind === "opening")) {
    s.emit({ kind: "send-pull-result", track: t.track, to: ds.region, pullId: ds.pullId, result: { error: why } });
  }
}

function reply(s: Step, requestId: string, status: number, body: unknown): void {
  s.emit({ kind: "reply", requestId, status, body });
}
