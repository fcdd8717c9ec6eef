// A discrete-event simulator of the relay control plane, built on the pure policies
// (track table, locator, pull policy, announce policy) and nothing else: no sockets, no
// timers, no media. Messages between regions are delivered after a delay the caller
// chooses, so tests can enumerate or randomise every interleaving of announcements and
// pulls; the analyzer bench can use it to generate relay graphs with loops on demand.
//
//   simulate(config, actions, untilMs) → SimResult
//
// It models: demand (subscribers arriving/leaving), announcements (full snapshots on
// change), locate (after the announce policy's delay), pulls with fallback through the
// candidate list, serve/attach/forward/refuse, teardown cascading downstream when an
// upstream closes, retry after a failed locate, and the pending-pull timeout. It checks
// after every event whether the upstream graph of any track has a cycle, and records the
// first one seen.
import type { Region, TrackId } from "../../core/region.js";
import { announcedEntries, earlyAnnounced, entriesKey, locateDelayMs, type LocalTrack } from "./announce-policy.js";
import { loopGuardOn, NO_LEGACY_BEHAVIOURS, type LegacyBehaviours } from "./legacy-behaviours.js";
import type { Candidate } from "./locator.js";
import { decidePull, locateForRelay, PENDING_PULL_TIMEOUT_MS, type LocalCopy } from "./pull-policy.js";
import { findCycle } from "../../core/cycle.js";
import type { SimAction, SimConfig, SimMessage, SimMessageInfo, SimRelayView, SimResult } from "./simulate-types.js";
import { applyAnnouncement, emptyTrackTable, MAX_TTL_MS, snapshotAnnouncement, type TrackTable } from "./track-table.js";

export type { SimAction, SimConfig, SimMessage, SimMessageInfo, SimRelayView, SimResult } from "./simulate-types.js";

/** 500 ms: how long a region with demand but no usable candidate waits before locating again. */
export const SIM_RETRY_MS = 500;

interface Relay {
  /** `requested`: a pull is in flight to `upstream`, not yet accepted. */
  state: SimRelayView["state"] | "requested";
  pullPath: Region[];
  upstream: Region | null;
  chain: Region[];
  candidates: Candidate[];
  tried: number;
  pullId: number;
  gen: number;
  waiters: Map<Region, number>;
  /** Served downstream regions, with the pull id that each is served under. */
  downstreams: Map<Region, number>;
  local: boolean;
}

interface Node {
  name: Region;
  behaviours: LegacyBehaviours;
  table: TrackTable;
  relays: Map<TrackId, Relay>;
  version: number;
  lastKey: string;
  early: ReadonlySet<TrackId>;
}

type Queued = { at: number; seq: number; label: string; run(): void };

export function simulate(config: SimConfig, actions: readonly SimAction[], untilMs: number): SimResult {
  return new Simulation(config).run(actions, untilMs);
}

class Simulation {
  private readonly nodes = new Map<Region, Node>();
  private readonly queue: Queued[] = [];
  private now = 0;
  private seq = 0;
  private sent = 0;
  private nextPullId = 1;
  private firstCycle: SimResult["firstCycle"] = null;
  private firstUnhealingCycle: SimResult["firstUnhealingCycle"] = null;
  /** `close` messages in flight, as `to|track`, counted. */
  private readonly closesInFlight = new Map<string, number>();
  private readonly log: string[] = [];
  private readonly config: SimConfig;

  constructor(config: SimConfig) {
    this.config = config;
    for (const name of config.regions) {
      const behaviours = config.behaviours?.get(name) ?? NO_LEGACY_BEHAVIOURS;
      this.nodes.set(name, { name, behaviours, table: emptyTrackTable(), relays: new Map(), version: 0, lastKey: "", early: new Set() });
    }
  }

  run(actions: readonly SimAction[], untilMs: number): SimResult {
    for (const n of this.nodes.values()) this.announce(n);
    for (const a of actions) this.at(a.at, `${a.kind} ${a.region} ${a.track}`, () => { this.act(a); });
    let quiescent = true;
    for (;;) {
      this.queue.sort((x, y) => x.at - y.at || x.seq - y.seq);
      const next = this.queue.shift();
      if (next === undefined) break;
      if (next.at > untilMs) {
        quiescent = false;
        break;
      }
      this.now = next.at;
      this.log.push(next.label);
      next.run();
      this.checkCycles();
    }
    return { relays: this.views(), firstCycle: this.firstCycle, firstUnhealingCycle: this.firstUnhealingCycle, log: this.log, quiescent };
  }

  private act(a: SimAction): void {
    const n = this.node(a.region);
    if (this.config.origins.get(a.track) === a.region) return;
    const relay = n.relays.get(a.track);
    if (a.kind === "demand") {
      if (relay !== undefined) relay.local = true;
      else this.startRelay(n, a.track, [n.name], true);
    } else if (relay !== undefined && a.kind === "undemand") {
      relay.local = false;
      this.maybeStop(n, a.track, relay);
    } else if (relay !== undefined && relay.upstream !== null) {
      this.send(n.name, relay.upstream, { kind: "leave", track: a.track, id: relay.pullId });
      this.teardown(n, a.track, relay);
    }
  }

  private startRelay(n: Node, track: TrackId, pullPath: Region[], local: boolean): Relay {
    const relay: Relay = {
      state: "locating", pullPath, upstream: null, chain: [], candidates: [], tried: 0, pullId: 0, gen: 0,
      waiters: new Map(), downstreams: new Map(), local,
    };
    n.relays.set(track, relay);
    this.scheduleLocate(n, track, relay, locateDelayMs(n.behaviours, this.config.settleMs));
    this.announce(n);
    return relay;
  }

  private scheduleLocate(n: Node, track: TrackId, relay: Relay, delay: number): void {
    const gen = ++relay.gen;
    this.at(this.now + delay, `locate ${n.name} ${track}`, () => {
      if (n.relays.get(track) !== relay || relay.gen !== gen || relay.state !== "locating") return;
      const ctx = { table: n.table, rtts: this.rtts(n.name), now: this.now, behaviours: n.behaviours };
      relay.candidates = locateForRelay(track, n.name, relay.pullPath, ctx);
      relay.tried = 0;
      this.tryNext(n, track, relay);
    });
  }

  private tryNext(n: Node, track: TrackId, relay: Relay): void {
    const c = relay.candidates[relay.tried++];
    if (c === undefined) {
      this.fail(n, track, relay);
      return;
    }
    relay.state = "requested";
    relay.upstream = c.region;
    relay.pullId = this.nextPullId++;
    this.send(n.name, c.region, { kind: "pull", track, path: relay.pullPath, id: relay.pullId });
    this.announce(n);
  }

  /** No candidate left: refuse whoever waits, and try again later if we still have subscribers. */
  private fail(n: Node, track: TrackId, relay: Relay): void {
    this.refuseWaiters(n, track, relay);
    relay.state = "locating";
    relay.upstream = null;
    relay.pullId = 0;
    if (relay.local) this.scheduleLocate(n, track, relay, this.config.retryMs ?? SIM_RETRY_MS);
    else n.relays.delete(track);
    this.announce(n);
  }

  private deliver(from: Region, to: Region, m: SimMessage): void {
    const n = this.node(to);
    switch (m.kind) {
      case "announce":
        n.table = applyAnnouncement(n.table, m.a, this.now);
        return;
      case "pull":
        this.onPull(n, from, m.track, m.path, m.id);
        return;
      case "reply":
        this.onReply(n, from, m);
        return;
      case "close": {
        // Whatever state the pull is in: with reordering the close can overtake the upstream's
        // "ok" reply, which then arrives for a relay that no longer exists upstream (the
        // region node's upstreamClosed() has no state check either).
        const relay = n.relays.get(m.track);
        if (relay?.upstream === from && relay.pullId === m.id) this.teardown(n, m.track, relay);
        return;
      }
      case "leave": {
        const relay = n.relays.get(m.track);
        if (relay === undefined) return;
        if (relay.downstreams.get(from) === m.id) relay.downstreams.delete(from);
        if (relay.waiters.get(from) === m.id) relay.waiters.delete(from);
        this.maybeStop(n, m.track, relay);
        return;
      }
    }
  }

  private onPull(n: Node, from: Region, track: TrackId, path: readonly Region[], id: number): void {
    // Ids grow with time here (the node's newPullId() orders them the same way): a late
    // duplicate of an older pull must not replace the newer one (stale_pull).
    const held = n.relays.get(track)?.downstreams.get(from) ?? n.relays.get(track)?.waiters.get(from);
    if (held !== undefined && held > id) {
      this.send(n.name, from, { kind: "reply", track, id, chain: null, pending: false, error: "stale_pull" });
      return;
    }
    const d = decidePull({ track, path }, { self: n.name, copy: this.copyOf(n, track), table: n.table, rtts: this.rtts(n.name), now: this.now, behaviours: n.behaviours });
    const relay = n.relays.get(track);
    switch (d.action) {
      case "serve":
        relay?.downstreams.set(from, id);
        this.send(n.name, from, { kind: "reply", track, id, chain: d.chain, pending: false, error: null });
        return;
      case "attach":
        relay?.waiters.set(from, id);
        this.send(n.name, from, { kind: "reply", track, id, chain: d.chain, pending: true, error: null });
        return;
      case "pull":
        this.startRelay(n, track, [...d.path], false).waiters.set(from, id);
        this.send(n.name, from, { kind: "reply", track, id, chain: [n.name], pending: true, error: null });
        return;
      case "refuse":
        this.send(n.name, from, { kind: "reply", track, id, chain: null, pending: false, error: d.error });
        return;
    }
  }

  private onReply(n: Node, from: Region, m: Extract<SimMessage, { kind: "reply" }>): void {
    const relay = n.relays.get(m.track);
    if (relay === undefined || relay.pullId !== m.id) {
      // An answer to a pull we have given up on: release it.
      if (m.chain !== null) this.send(n.name, from, { kind: "leave", track: m.track, id: m.id });
      return;
    }
    // The "accepted, pending" answer overtaken by the packets themselves.
    if (relay.state === "flowing") return;
    if (m.chain === null) {
      this.tryNext(n, m.track, relay);
      return;
    }
    if (m.pending) {
      relay.state = "pulling";
      this.watchPending(n, m.track, relay, from, m.id);
      return;
    }
    relay.state = "flowing";
    relay.chain = [...m.chain];
    for (const [w, id] of relay.waiters) {
      relay.downstreams.set(w, id);
      this.send(n.name, w, { kind: "reply", track: m.track, id, chain: [n.name, ...relay.chain], pending: false, error: null });
    }
    relay.waiters.clear();
    this.announce(n);
  }

  /** The region node's pending-pull timeout (loop guard backstop; see PENDING_PULL_TIMEOUT_MS). */
  private watchPending(n: Node, track: TrackId, relay: Relay, upstream: Region, id: number): void {
    this.at(this.now + PENDING_PULL_TIMEOUT_MS, `pending-timeout ${n.name} ${track}`, () => {
      if (n.relays.get(track) !== relay || relay.pullId !== id || relay.state !== "pulling") return;
      if (!loopGuardOn(n.behaviours)) {
        this.watchPending(n, track, relay, upstream, id);
        return;
      }
      this.send(n.name, upstream, { kind: "leave", track, id });
      this.tryNext(n, track, relay);
    });
  }

  /** Our upstream is gone: close every downstream (they re-locate), then re-locate if we still have subscribers. */
  private teardown(n: Node, track: TrackId, relay: Relay): void {
    for (const [d, id] of relay.downstreams) this.send(n.name, d, { kind: "close", track, id });
    relay.downstreams.clear();
    relay.state = "locating";
    relay.upstream = null;
    relay.pullId = 0;
    relay.chain = [];
    relay.pullPath = [n.name];
    // Waiters were vetted against the old pull path only: let them fall back instead.
    this.refuseWaiters(n, track, relay);
    if (relay.local) this.scheduleLocate(n, track, relay, locateDelayMs(n.behaviours, this.config.settleMs));
    else n.relays.delete(track);
    this.announce(n);
  }

  private refuseWaiters(n: Node, track: TrackId, relay: Relay): void {
    for (const [w, id] of relay.waiters) this.send(n.name, w, { kind: "reply", track, id, chain: null, pending: false, error: "no_source" });
    relay.waiters.clear();
  }

  private maybeStop(n: Node, track: TrackId, relay: Relay): void {
    if (relay.local || relay.downstreams.size > 0 || relay.waiters.size > 0) return;
    if (relay.upstream !== null) this.send(n.name, relay.upstream, { kind: "leave", track, id: relay.pullId });
    n.relays.delete(track);
    this.announce(n);
  }

  private copyOf(n: Node, track: TrackId): LocalCopy {
    if (this.config.origins.get(track) === n.name) return { kind: "origin" };
    const r = n.relays.get(track);
    if (r === undefined) return { kind: "none" };
    if (r.state === "flowing") return { kind: "flowing", chain: r.chain };
    return { kind: "pending", pullPath: r.pullPath, upstream: r.upstream };
  }

  private announce(n: Node): void {
    const tracks: LocalTrack[] = [];
    for (const [track, origin] of this.config.origins) if (origin === n.name) tracks.push({ track, copy: { kind: "origin" }, demanded: false });
    for (const track of n.relays.keys()) tracks.push({ track, copy: this.copyOf(n, track), demanded: true });
    n.early = earlyAnnounced(n.early, n.relays.keys(), n.behaviours);
    const entries = announcedEntries(tracks, n.behaviours, n.early);
    const key = entriesKey(entries);
    if (key === n.lastKey && n.version > 0) return;
    n.lastKey = key;
    n.version += 1;
    const a = snapshotAnnouncement(n.name, n.version, entries, this.now, MAX_TTL_MS);
    for (const peer of this.nodes.keys()) if (peer !== n.name) this.send(n.name, peer, { kind: "announce", a });
  }

  private send(from: Region, to: Region, m: SimMessage): void {
    const info: SimMessageInfo = { index: this.sent++, kind: m.kind, from, to };
    const delay = Math.max(0, this.config.delayMs?.(info) ?? this.config.rttMs(from, to) / 2);
    const what = m.kind === "announce" ? `v${m.a.version}` : m.kind === "reply" ? `${m.track} ${m.error ?? (m.pending ? "pending" : "ok")}` : m.track;
    const closeKey = m.kind === "close" ? `${to}|${m.track}` : null;
    if (closeKey !== null) this.closesInFlight.set(closeKey, (this.closesInFlight.get(closeKey) ?? 0) + 1);
    this.at(this.now + delay, `${m.kind} ${from}>${to} ${what}`, () => {
      if (closeKey !== null) this.closesInFlight.set(closeKey, (this.closesInFlight.get(closeKey) ?? 1) - 1);
      this.deliver(from, to, m);
    });
  }

  private at(at: number, label: string, run: () => void): void {
    this.queue.push({ at, seq: this.seq++, label, run });
  }

  private rtts(self: Region): Map<Region, number> {
    const out = new Map<Region, number>();
    for (const r of this.nodes.keys()) if (r !== self) out.set(r, this.config.rttMs(self, r));
    return out;
  }

  private node(name: Region): Node {
    const n = this.nodes.get(name);
    if (n === undefined) throw new Error(`simulate(): unknown region ${name}`);
    return n;
  }

  private checkCycles(): void {
    if (this.firstCycle !== null && this.firstUnhealingCycle !== null) return;
    for (const [track, byRegion] of this.views()) {
      const cycle = findCycle(new Map([...byRegion].map(([r, v]) => [r, v.state === "locating" ? null : v.upstream])));
      if (cycle === null) continue;
      this.firstCycle ??= { at: this.now, track, cycle };
      const healing = cycle.some((r) => (this.closesInFlight.get(`${r}|${track}`) ?? 0) > 0);
      if (!healing) this.firstUnhealingCycle ??= { at: this.now, track, cycle };
    }
  }

  private views(): Map<TrackId, Map<Region, SimRelayView>> {
    const out = new Map<TrackId, Map<Region, SimRelayView>>();
    for (const n of this.nodes.values()) {
      for (const [track, r] of n.relays) {
        let m = out.get(track);
        if (m === undefined) {
          m = new Map<Region, SimRelayView>();
          out.set(track, m);
        }
        const view: SimRelayView = r.state === "requested"
          ? { state: "locating", upstream: null, chain: [], local: r.local }
          : { state: r.state, upstream: r.upstream, chain: [...r.chain], local: r.local };
        m.set(n.name, view);
      }
    }
    return out;
  }
}
