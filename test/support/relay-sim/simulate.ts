// A discrete-event simulator of the relay control plane that runs the region node's own
// relay machine (relay-machine.ts) in every region (simulate-region.ts): only the network
// (each message's delay, so reordering too), time, the media engine (answers at once) and
// the subscriber clients are simulated. Tests choose the delays, so they can enumerate or
// randomise the interleavings of announcements, pulls, replies, closes and leaves; the
// analyzer bench can use it to generate relay graphs with loops on demand.
//
//   simulate(config, actions, untilMs) → SimResult
//
// It checks after every event whether the upstream graph of any track has a cycle, and
// records the first one seen (and the first one no `close` in flight is already breaking).
import type { Region, TrackId } from "../../../core/region.js";
import { findCycle } from "../../../core/cycle.js";
import { NO_LEGACY_BEHAVIOURS } from "../../../sfu/relay/legacy-behaviours.js";
import { RELAY_RETRY_MS } from "../../../sfu/relay/relay-machine.js";
import { relayView } from "../../../sfu/relay/relay-views.js";
import { SimRegion, type SimTimer, type SimWorld } from "./simulate-region.js";
import type { SimAction, SimConfig, SimMessageInfo, SimMessageKind, SimRelayView, SimResult } from "./simulate-types.js";

export type { SimAction, SimConfig, SimMessageInfo, SimMessageKind, SimRelayView, SimResult } from "./simulate-types.js";

/**
 * 1 s: a relay outlives its last subscriber this long (the region node's default is
 * longer; any linger exercises the same path, and a short one keeps runs short while
 * tables still hold the copies that are going away).
 */
export const SIM_LINGER_MS = 1_000;

/** Far beyond any run: the property tests' heartbeats never declare an upstream lost. */
const SIM_UPSTREAM_LOST_MS = 3_600_000;

interface Queued extends SimTimer {
  at: number;
  seq: number;
  label: string;
  run(): void;
}

export function simulate(config: SimConfig, actions: readonly SimAction[], untilMs: number): SimResult {
  return new Simulation(config).run(actions, untilMs);
}

class Simulation implements SimWorld {
  private readonly regions = new Map<Region, SimRegion>();
  private readonly queue: Queued[] = [];
  private time = 0;
  private seq = 0;
  private sent = 0;
  private firstCycle: SimResult["firstCycle"] = null;
  private firstUnhealingCycle: SimResult["firstUnhealingCycle"] = null;
  /** `close` messages in flight, as `to|track`, counted. */
  private readonly closesInFlight = new Map<string, number>();
  private readonly log: string[] = [];
  private readonly config: SimConfig;
  private readonly rttCache = new Map<Region, ReadonlyMap<Region, number>>();
  private dirty = false;

  constructor(config: SimConfig) {
    this.config = config;
    for (const self of config.regions) {
      const origins = [...config.origins].filter(([, o]) => o === self).map(([t]) => t);
      const relayConfig = {
        self, instance: "sim", lingerMs: config.lingerMs ?? SIM_LINGER_MS, settleMs: config.settleMs,
        retryMs: config.retryMs ?? RELAY_RETRY_MS, upstreamLostMs: SIM_UPSTREAM_LOST_MS,
      };
      this.regions.set(self, new SimRegion(relayConfig, config.behaviours?.get(self) ?? NO_LEGACY_BEHAVIOURS, this, origins));
    }
  }

  run(actions: readonly SimAction[], untilMs: number): SimResult {
    for (const r of this.regions.values()) r.start();
    for (const a of actions) {
      this.schedule(a.at, `${a.kind} ${a.region} ${a.track}`, () => {
        if (this.config.origins.get(a.track) !== a.region) this.region(a.region).act(a.kind, a.track);
      });
    }
    let quiescent = true;
    for (;;) {
      const next = this.pop();
      if (next === undefined) break;
      if (next.at > untilMs) {
        quiescent = false;
        break;
      }
      this.time = next.at;
      this.log.push(next.label);
      next.run();
      this.checkCycles();
    }
    return { relays: this.views(), firstCycle: this.firstCycle, firstUnhealingCycle: this.firstUnhealingCycle, log: this.log, quiescent };
  }

  now(): number {
    return this.time;
  }

  send(from: Region, to: Region, kind: SimMessageKind, what: string, deliver: (to: SimRegion) => void): void {
    const info: SimMessageInfo = { index: this.sent++, kind, from, to };
    const delay = Math.max(0, this.config.delayMs?.(info) ?? this.config.rttMs(from, to) / 2);
    const closeKey = kind === "close" ? `${to}|${what}` : null;
    if (closeKey !== null) this.closesInFlight.set(closeKey, (this.closesInFlight.get(closeKey) ?? 0) + 1);
    this.schedule(this.time + delay, `${kind} ${from}>${to} ${what}`, () => {
      if (closeKey !== null) {
        this.closesInFlight.set(closeKey, (this.closesInFlight.get(closeKey) ?? 1) - 1);
        this.dirty = true;
      }
      deliver(this.region(to));
    });
  }

  schedule(at: number, label: string, run: () => void): SimTimer {
    const q: Queued = { at, seq: this.seq++, label, run, cancelled: false };
    this.queue.push(q);
    return q;
  }

  rtts(self: Region): ReadonlyMap<Region, number> {
    const cached = this.rttCache.get(self);
    if (cached !== undefined) return cached;
    const out = new Map<Region, number>();
    for (const r of this.config.regions) if (r !== self) out.set(r, this.config.rttMs(self, r));
    this.rttCache.set(self, out);
    return out;
  }

  tracksChanged(): void {
    this.dirty = true;
  }

  peers(self: Region): readonly Region[] {
    return [...this.regions.keys()].filter((r) => r !== self);
  }

  /** The earliest live event (ties in scheduling order); cancelled timers are dropped on the way. */
  private pop(): Queued | undefined {
    let best = -1;
    let live = 0;
    for (const q of this.queue) {
      if (q.cancelled) continue;
      this.queue[live] = q;
      const b = best < 0 ? null : (this.queue[best] as Queued);
      if (b === null || q.at < b.at || (q.at === b.at && q.seq < b.seq)) best = live;
      live++;
    }
    this.queue.length = live;
    if (best < 0) return undefined;
    const [q] = this.queue.splice(best, 1);
    return q;
  }

  private region(name: Region): SimRegion {
    const r = this.regions.get(name);
    if (r === undefined) throw new Error(`simulate(): unknown region ${name}`);
    return r;
  }

  private checkCycles(): void {
    if (!this.dirty || (this.firstCycle !== null && this.firstUnhealingCycle !== null)) return;
    this.dirty = false;
    const graphs = new Map<TrackId, [Region, Region | null][]>();
    for (const r of this.regions.values()) {
      for (const [track, t] of r.state.tracks) {
        if (t.source.kind !== "relay") continue;
        const edges = graphs.get(track) ?? [];
        edges.push([r.name, relayView(t.source.relay).upstream]);
        graphs.set(track, edges);
      }
    }
    for (const [track, edges] of graphs) {
      if (edges.length < 2) continue;
      const cycle = findCycle(edges);
      if (cycle === null) continue;
      this.firstCycle ??= { at: this.time, track, cycle };
      const healing = cycle.some((r) => (this.closesInFlight.get(`${r}|${track}`) ?? 0) > 0);
      if (!healing) this.firstUnhealingCycle ??= { at: this.time, track, cycle };
    }
  }

  private views(): Map<TrackId, Map<Region, SimRelayView>> {
    const out = new Map<TrackId, Map<Region, SimRelayView>>();
    for (const r of this.regions.values()) {
      for (const [track, t] of r.state.tracks) {
        if (t.source.kind !== "relay") continue;
        let m = out.get(track);
        if (m === undefined) {
          m = new Map<Region, SimRelayView>();
          out.set(track, m);
        }
        const v = relayView(t.source.relay);
        m.set(r.name, { state: v.state, upstream: v.upstream, chain: [...v.chain], local: t.subscribers.size > 0 || t.waiters.size > 0 });
      }
    }
    return out;
  }
}
