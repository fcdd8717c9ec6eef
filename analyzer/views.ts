// Builds the live API's documents (core/analyzer-api.ts) from the engine's state. Pure
// reads; every document is cheap to build (tracks list is bounded by a limit).
import type { Alert } from "../core/alert.js";
import type { Overview, PairCell, RegionView, TrackGraph, TracksList } from "../core/analyzer-api.js";
import { lossRatio } from "../core/probe-result.js";
import type { Region, TrackId } from "../core/region.js";
import type { AnalyzerEngine } from "./engine.js";
import { trackOrigin } from "./graph/relay-graph.js";

export function buildOverview(engine: AnalyzerEngine, configured: readonly Region[], now: number): Overview {
  const names = new Set<Region>(configured);
  for (const r of engine.regions.all()) names.add(r.region);
  const regions: RegionView[] = [...names].sort().map((name) => {
    const r = engine.regions.get(name);
    return {
      region: name,
      connected: r.connected,
      lastEventAt: r.lastEventAt,
      status: r.status,
      behaviours: r.behaviours,
      peers: [...r.peers.values()],
      history: r.history.slice(-50),
      tracks: engine.graph.tracksOf(name).size,
      starting: engine.startingRegion(name, now),
    };
  });
  const pairs: PairCell[] = [];
  for (const p of engine.matrix.allPairs()) {
    pairs.push({
      src: p.src,
      dst: p.dst,
      status: p.last.status,
      reason: p.last.reason,
      // A window the agent stalled in reports no latency (probes/stats/stall-meter.ts): show the last measured one.
      latencyP50Ms: p.last.latencyP50Ms ?? p.latency.findLast((l) => l !== null) ?? null,
      lossRatio: Math.min(1, lossRatio(p.last)),
      jitterMs: p.last.jitterMs,
      relayPath: p.last.relayPath,
      recent: p.recent.slice(-120),
      updatedAt: p.last.ts,
      starting: engine.startingPair(p.src, p.dst, now),
    });
  }
  pairs.sort((a, b) => (a.src === b.src ? cmp(a.dst, b.dst) : cmp(a.src, b.src)));
  const turn = [...engine.turn.all()].map((t) => ({ region: t.region, status: t.last.status, reason: t.last.reason, failing: t.failing, latencyP50Ms: t.last.latencyP50Ms, updatedAt: t.last.ts })).sort((a, b) => cmp(a.region, b.region));
  return { ts: now, regions, pairs, ...(turn.length === 0 ? {} : { turn }), firingAlerts: engine.book.pagingCount() };
}

export function buildAlerts(engine: AnalyzerEngine, now: number, fingerprint?: string): Alert[] {
  const all = [...engine.book.firing(), ...engine.book.resolved(now)];
  return fingerprint === undefined ? all : all.filter((a) => a.fingerprint === fingerprint);
}

export function buildTrackGraph(engine: AnalyzerEngine, track: TrackId, now: number): TrackGraph | null {
  const t = engine.graph.track(track);
  const cycles = engine.loops.cyclesOf(track);
  if (t === undefined && cycles.length === 0) return null;
  const nodes = t === undefined ? [] : [...t.nodes.values()].sort((a, b) => cmp(a.region, b.region)).map((n) => ({ region: n.region, upstream: n.upstream, state: n.state, packetsPerSec: n.packetsPerSec, subscribers: n.subscribers, local: n.local }));
  return { ts: now, track, origin: t === undefined ? null : trackOrigin(t), nodes, cycle: cycles[0] ?? null };
}

/** Tracks with loops first, then by name; at most `limit`. */
export function buildTracksList(engine: AnalyzerEngine, now: number, opts: { limit: number; cyclesOnly: boolean }): TracksList {
  const looped = engine.loops.tracksWithCycles().sort();
  const out: TracksList["tracks"] = [];
  for (const id of looped) {
    if (out.length >= opts.limit) break;
    const t = engine.graph.track(id);
    out.push({ track: id, origin: t === undefined ? null : trackOrigin(t), regions: t?.nodes.size ?? 0, cycle: true });
  }
  if (!opts.cyclesOnly) {
    for (const t of engine.graph.allTracks()) {
      if (out.length >= opts.limit) break;
      if (engine.loops.hasCycle(t.track)) continue;
      out.push({ track: t.track, origin: trackOrigin(t), regions: t.nodes.size, cycle: false });
    }
  }
  return { ts: now, tracks: out };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
