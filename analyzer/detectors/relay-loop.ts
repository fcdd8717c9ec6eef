// RelayLoop: a track whose upstream chain returns to a region already on it — the
// 2024-02-07 incident's Germany ⇄ France loop. Incremental: a new cycle must contain the
// edge that just changed, so on an upstream change of (track, region) we drop the cycles
// through that region and walk only that region's chain (≤ regions steps). Cost per event
// is independent of the number of tracks and of other regions' changes.
import { regionsLabel, type Region, type TrackId } from "../../core/region.js";
import { walkUpstream } from "../graph/cycles.js";
import { trackOrigin, type TrackRelays } from "../graph/relay-graph.js";
import type { Finding } from "./finding.js";

export class RelayLoopDetector {
  /** Cycles per track, keyed by the canonical cycle text. Tracks without cycles are absent. */
  private readonly cycles = new Map<TrackId, Map<string, Region[]>>();

  /**
   * Re-checks `track` after the active upstream of `region` changed (or the copy was
   * added/removed). Returns true when the track's set of cycles changed.
   */
  onUpstreamChange(t: TrackRelays | undefined, track: TrackId, region: Region): boolean {
    const existing = this.cycles.get(track);
    const dropped = new Set<string>();
    if (existing !== undefined) {
      for (const [key, cycle] of existing) {
        if (cycle.includes(region)) {
          existing.delete(key);
          dropped.add(key);
        }
      }
    }
    let added = false;
    if (t?.nodes.has(region) === true) {
      const end = walkUpstream(t, region);
      // A cycle not through `region` existed before this change and is already recorded.
      if (end.kind === "cycle" && end.cycle.includes(region)) {
        const key = end.cycle.join(">");
        if (!dropped.delete(key)) added = true;
        const map = existing ?? new Map<string, Region[]>();
        map.set(key, end.cycle);
        if (existing === undefined) this.cycles.set(track, map);
      }
    }
    if (existing?.size === 0) this.cycles.delete(track);
    return added || dropped.size > 0;
  }

  cyclesOf(track: TrackId): Region[][] {
    const m = this.cycles.get(track);
    return m === undefined ? [] : [...m.values()];
  }

  hasCycle(track: TrackId): boolean {
    return this.cycles.has(track);
  }

  tracksWithCycles(): TrackId[] {
    return [...this.cycles.keys()];
  }

  get loopCount(): number {
    let n = 0;
    for (const m of this.cycles.values()) n += m.size;
    return n;
  }
}

/** RelayLoop findings for a track's current cycles. Critical: nothing flows to anyone on the loop. */
export function relayLoopFindings(t: TrackRelays | undefined, track: TrackId, cycles: readonly Region[][], observedAt: number): Finding[] {
  if (cycles.length === 0) return [];
  const origin = t === undefined ? null : trackOrigin(t);
  return cycles.map((cycle) => {
    const members = cycle.slice(0, -1).map((r) => {
      const n = t?.nodes.get(r);
      return { region: r, upstream: n?.upstream ?? null, state: n?.state ?? null, path: n?.path ?? [], packets: n?.packets ?? 0, subscribers: n?.subscribers ?? 0, announced: n?.announced ?? false };
    });
    return {
      name: "RelayLoop",
      severity: "critical",
      labels: { track, regions: regionsLabel(cycle) },
      summary: `relay loop on ${track}: ${cycle.join(" → ")}${origin === null ? "" : ` (origin ${origin} is never reached)`}`,
      evidence: { track, cycle, origin, members },
      forMs: 0,
      observedAt,
    } satisfies Finding;
  });
}
