// Builds what watchers see: /v1/state track entries (engine counters joined with the relay
// manager's state), `track` / `track-removed` events when a track's relay state changes
// (not on every packet), and the scrape-time metrics sample with cumulative counters.
import type { Region, TrackId } from "../../core/region.js";
import type { PeerEntry, RegionSnapshot, RegionStatus, TrackEntry } from "../../core/sfu-state.js";
import type { MediaEngine, TrackStats } from "../media/engine.js";
import { formatBehaviours, type LegacyBehaviours } from "../relay/legacy-behaviours.js";
import type { MetricsSample } from "../telemetry/metrics.js";
import type { Announcer } from "./announcer.js";
import type { EventLog } from "./event-log.js";
import type { RelayManager } from "./relay-manager.js";
import { entryKey, relayRows, trackEntry } from "./track-state.js";

interface Counters {
  packetsForwarded: number;
  bytesForwarded: number;
  packetsReceived: number;
  bytesReceived: number;
}

export class TrackEvents {
  private readonly lastKeys = new Map<TrackId, string>();
  private readonly lastCounters = new Map<TrackId, Counters>();
  private readonly base: Counters = { packetsForwarded: 0, bytesForwarded: 0, packetsReceived: 0, bytesReceived: 0 };
  private readonly self: Region;
  private readonly events: EventLog;
  private readonly manager: RelayManager;
  private readonly announcer: Announcer;
  private readonly engine: MediaEngine;

  constructor(self: Region, events: EventLog, manager: RelayManager, announcer: Announcer, engine: MediaEngine) {
    this.self = self;
    this.events = events;
    this.manager = manager;
    this.announcer = announcer;
    this.engine = engine;
  }

  /** Emits `track` when the entry's state changed, `track-removed` when it is gone. */
  changed(track: TrackId): void {
    const t = this.manager.tracks.get(track);
    if (t === undefined) {
      if (this.lastKeys.delete(track)) this.events.emit({ type: "track-removed", track });
      return;
    }
    const entry = trackEntry(this.self, t, this.countersOf(track), this.announcer.isAnnounced(track));
    const key = entryKey(entry);
    if (this.lastKeys.get(track) === key) return;
    this.lastKeys.set(track, key);
    this.events.emit({ type: "track", entry });
  }

  entries(): TrackEntry[] {
    const stats = this.engineStats();
    return [...this.manager.tracks.values()]
      .map((t) => {
        const s = stats.get(t.track);
        return trackEntry(this.self, t, { packets: s?.packetsReceived ?? 0, bytes: s?.bytesReceived ?? 0 }, this.announcer.isAnnounced(t.track));
      })
      .sort((a, b) => (a.track < b.track ? -1 : a.track > b.track ? 1 : 0));
  }

  sample(): MetricsSample {
    const stats = this.engineStats();
    const tracks = { publisher: 0, relay: 0 };
    let subscribers = 0;
    for (const s of stats.values()) {
      if (s.source !== null) tracks[s.source.kind]++;
      subscribers += s.subscriptions.length;
    }
    const relays = new Map<string, MetricsSample["relays"][number]>();
    const count = (state: string, direction: "in" | "out", peer: string): void => {
      const key = `${state}|${direction}|${peer}`;
      const r = relays.get(key) ?? { state, direction, peer, count: 0 };
      r.count++;
      relays.set(key, r);
    };
    for (const t of this.manager.tracks.values()) for (const r of relayRows(t)) count(r.state, r.direction, r.peer);
    const totals = this.cumulative(stats);
    return { tracks: [{ source: "publisher", count: tracks.publisher }, { source: "relay", count: tracks.relay }], subscribers, relays: [...relays.values()], ...totals };
  }

  private countersOf(track: TrackId): { packets: number; bytes: number } {
    if (this.engine.closed) return { packets: 0, bytes: 0 };
    try {
      const s = this.engine.stats(track);
      return { packets: s.packetsReceived, bytes: s.bytesReceived };
    } catch {
      return { packets: 0, bytes: 0 };
    }
  }

  private engineStats(): Map<TrackId, TrackStats> {
    if (this.engine.closed) return new Map();
    return new Map(this.engine.tracks().map((s) => [s.trackId, s]));
  }

  /** Running sums that survive tracks ending (each track's last counters fold into the base). */
  private cumulative(stats: ReadonlyMap<TrackId, TrackStats>): Counters {
    for (const [track, last] of this.lastCounters) {
      if (stats.has(track)) continue;
      for (const k of Object.keys(this.base) as (keyof Counters)[]) this.base[k] += last[k];
      this.lastCounters.delete(track);
    }
    const out = { ...this.base };
    for (const [track, s] of stats) {
      const c: Counters = { packetsForwarded: s.packetsForwarded, bytesForwarded: s.bytesForwarded, packetsReceived: s.packetsReceived, bytesReceived: s.bytesReceived };
      this.lastCounters.set(track, c);
      for (const k of Object.keys(out) as (keyof Counters)[]) out[k] += c[k];
    }
    return out;
  }
}

export interface SnapshotParts {
  region: Region;
  seq: number;
  now: number;
  instance: string;
  engine: string;
  engineReason: string;
  status: RegionStatus;
  behaviours: LegacyBehaviours;
  peers: PeerEntry[];
  tracks: TrackEntry[];
}

export function snapshotOf(p: SnapshotParts): RegionSnapshot {
  const behaviours = formatBehaviours(p.behaviours);
  return {
    region: p.region,
    seq: p.seq,
    ts: Math.floor(p.now),
    instance: p.instance,
    engine: p.engine,
    engineReason: p.engineReason,
    status: p.status,
    behaviours: behaviours === "" ? [] : (behaviours.split(",") as RegionSnapshot["behaviours"]),
    peers: p.peers,
    tracks: p.tracks,
  };
}
