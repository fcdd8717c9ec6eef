// The global relay graph: for every track, each region's copy (upstream, state, packet
// flow, subscribers), folded from region snapshots and SfuEvents. Updates are O(1) per
// (track, region) and report what changed, so detectors look only at the touched track.
// It never runs detectors, never does I/O and never reads a clock: times come in.
import type { Region, TrackId } from "../../core/region.js";
import type { RelayState } from "../../core/relay-edge.js";
import type { TrackEntry } from "../../core/sfu-state.js";

export interface RelayNode {
  readonly region: Region;
  upstream: Region | null;
  state: RelayState;
  local: boolean;
  /** The origin this region reports (null while locating). */
  originHint: Region | null;
  packets: number;
  bytes: number;
  packetsPerSec: number;
  /** Region time of the last report that moved the packet counter (null: never). */
  lastPacketAt: number | null;
  subscribers: number;
  /** Downstream regions as this region reports them. */
  downstream: readonly Region[];
  announced: boolean;
  path: readonly Region[];
  /** Region time of the last report. */
  updatedAt: number;
  /** When this copy was first seen (analyzer time). */
  firstSeenAt: number;
  /** Regions of this track whose active upstream is this region (graph-derived). */
  downCount: number;
}

export interface TrackRelays {
  readonly track: TrackId;
  readonly nodes: Map<Region, RelayNode>;
}

export interface NodeChange {
  track: TrackId;
  region: Region;
  /** Active upstream before and after (see activeUpstream). */
  upstreamBefore: Region | null;
  upstreamAfter: Region | null;
  removed: boolean;
  /** Whether upstream or relay state changed (not just counters): a `change` edge row. */
  structural: boolean;
}

/** Relay states in which a copy depends on its upstream; failed/closed copies pull nothing. */
export function activeUpstream(node: RelayNode | undefined): Region | null {
  if (node === undefined) return null;
  return node.state === "failed" || node.state === "closed" ? null : node.upstream;
}

/** The track's origin: the region with the local publisher, else what the copies report. */
export function trackOrigin(t: TrackRelays): Region | null {
  let hint: Region | null = null;
  for (const n of t.nodes.values()) {
    if (n.local) return n.region;
    hint ??= n.originHint;
  }
  return hint;
}

export class RelayGraph {
  private readonly tracks = new Map<TrackId, TrackRelays>();
  private readonly byRegion = new Map<Region, Set<TrackId>>();

  get trackCount(): number {
    return this.tracks.size;
  }

  track(id: TrackId): TrackRelays | undefined {
    return this.tracks.get(id);
  }

  node(track: TrackId, region: Region): RelayNode | undefined {
    return this.tracks.get(track)?.nodes.get(region);
  }

  allTracks(): IterableIterator<TrackRelays> {
    return this.tracks.values();
  }

  tracksOf(region: Region): ReadonlySet<TrackId> {
    return this.byRegion.get(region) ?? new Set();
  }

  /** Folds one region's report of one track in; `now` is the analyzer's time. */
  upsert(region: Region, e: TrackEntry, now: number): NodeChange {
    let t = this.tracks.get(e.track);
    if (t === undefined) {
      t = { track: e.track, nodes: new Map() };
      this.tracks.set(e.track, t);
    }
    let n = t.nodes.get(region);
    const before = activeUpstream(n);
    const structural = n === undefined || n.state !== e.state || n.upstream !== e.upstream || n.subscribers !== e.subscribers;
    if (n === undefined) {
      n = {
        region,
        upstream: e.upstream,
        state: e.state,
        local: e.local,
        originHint: e.origin,
        packets: e.packets,
        bytes: e.bytes,
        packetsPerSec: 0,
        lastPacketAt: e.packets > 0 ? e.updatedAt : null,
        subscribers: e.subscribers,
        downstream: e.downstream,
        announced: e.announced,
        path: e.path,
        updatedAt: e.updatedAt,
        firstSeenAt: now,
        downCount: 0,
      };
      // Copies may already point here (reported before this region reported its own copy).
      for (const other of t.nodes.values()) if (activeUpstream(other) === region) n.downCount++;
      t.nodes.set(region, n);
      let set = this.byRegion.get(region);
      if (set === undefined) {
        set = new Set();
        this.byRegion.set(region, set);
      }
      set.add(e.track);
    } else {
      if (e.packets !== n.packets) {
        const dt = e.updatedAt - n.updatedAt;
        // A counter that went backwards is a restarted relay: no rate from that sample.
        n.packetsPerSec = dt > 0 && e.packets > n.packets ? ((e.packets - n.packets) * 1000) / dt : n.packetsPerSec;
        if (e.packets > n.packets) n.lastPacketAt = e.updatedAt;
      } else if (e.updatedAt - n.updatedAt > 0) {
        n.packetsPerSec = 0;
      }
      n.upstream = e.upstream;
      n.state = e.state;
      n.local = e.local;
      n.originHint = e.origin;
      n.packets = e.packets;
      n.bytes = e.bytes;
      n.subscribers = e.subscribers;
      n.downstream = e.downstream;
      n.announced = e.announced;
      n.path = e.path;
      n.updatedAt = e.updatedAt;
    }
    const after = activeUpstream(n);
    if (before !== after) this.relink(t, before, after);
    return { track: e.track, region, upstreamBefore: before, upstreamAfter: after, removed: false, structural };
  }

  /** A region dropped its copy of a track. */
  remove(region: Region, track: TrackId): NodeChange | null {
    const t = this.tracks.get(track);
    const n = t?.nodes.get(region);
    if (t === undefined || n === undefined) return null;
    const before = activeUpstream(n);
    this.relink(t, before, null);
    t.nodes.delete(region);
    this.byRegion.get(region)?.delete(track);
    if (t.nodes.size === 0) this.tracks.delete(track);
    return { track, region, upstreamBefore: before, upstreamAfter: null, removed: true, structural: true };
  }

  /**
   * Replaces everything a region reported with a fresh snapshot (after a gap, a restart or
   * a reconnect). Returns one change per copy added, changed or dropped.
   */
  replaceRegion(region: Region, entries: readonly TrackEntry[], now: number): NodeChange[] {
    const changes: NodeChange[] = [];
    const seen = new Set<TrackId>();
    for (const e of entries) {
      seen.add(e.track);
      changes.push(this.upsert(region, e, now));
    }
    for (const track of [...this.tracksOf(region)]) {
      if (seen.has(track)) continue;
      const c = this.remove(region, track);
      if (c !== null) changes.push(c);
    }
    return changes;
  }

  private relink(t: TrackRelays, before: Region | null, after: Region | null): void {
    if (before !== null) {
      const b = t.nodes.get(before);
      if (b !== undefined) b.downCount = Math.max(0, b.downCount - 1);
    }
    if (after !== null) {
      const a = t.nodes.get(after);
      if (a !== undefined) a.downCount++;
    }
  }
}
