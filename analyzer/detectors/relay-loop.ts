// RelayLoop: a track whose upstream chain returns to a region already on it — the
// 2024-02-07 incident's Germany ⇄ France loop. Incremental: a new cycle must contain the
// edge that just changed, so on an upstream change of (track, region) we drop the cycles
// through that region and walk only that region's chain (≤ regions steps). Cost per event
// is independent of the number of tracks and of other regions' changes.
import { regionsLabel, type Region, type TrackId } from "../../core/region.js";
import { walkUpstream } from "../graph/cycles.js";
import { trackOrigin, type TrackRelays } from "../graph/relay-graph.js";
import type { Finding } from "./finding.js";

/** A cycle and when it was first seen closed (ts of the event that closed it, region clock). */
export interface Loop {
  cycle: Region[];
  formedAt: number;
}

export class RelayLoopDetector {
  /** Cycles per track, keyed by the canonical cycle text. Tracks without cycles are absent. */
  private readonly cycles = new Map<TrackId, Map<string, Loop>>();

  /**
   * Re-checks `track` after the active upstream of `region` changed (or the copy was
   * added/removed) at `at`. Returns true when the track's set of cycles changed. A cycle
   * that is still closed after the change keeps its formedAt.
   */
  onUpstreamChange(t: TrackRelays | undefined, track: TrackId, region: Region, at: number): boolean {
    const existing = this.cycles.get(track);
    const dropped = new Map<string, Loop>();
    if (existing !== undefined) {
      for (const [key, loop] of existing) {
        if (loop.cycle.includes(region)) {
          existing.delete(key);
          dropped.set(key, loop);
        }
      }
    }
    let added = false;
    if (t?.nodes.has(region) === true) {
      const end = walkUpstream(t, region);
      // A cycle not through `region` existed before this change and is already recorded.
      if (end.kind === "cycle" && end.cycle.includes(region)) {
        const key = end.cycle.join(">");
        const before = dropped.get(key);
        if (before === undefined) added = true;
        else dropped.delete(key);
        const map = existing ?? new Map<string, Loop>();
        map.set(key, { cycle: end.cycle, formedAt: before?.formedAt ?? at });
        if (existing === undefined) this.cycles.set(track, map);
      }
    }
    if (existing?.size === 0) this.cycles.delete(track);
    return added || dropped.size > 0;
  }

  cyclesOf(track: TrackId): Region[][] {
    return this.loopsOf(track).map((l) => l.cycle);
  }

  loopsOf(track: TrackId): Loop[] {
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
export function relayLoopFindings(t: TrackRelays | undefined, track: TrackId, loops: readonly Loop[], observedAt: number): Finding[] {
  if (loops.length === 0) return [];
  const origin = t === undefined ? null : trackOrigin(t);
  return loops.map(({ cycle, formedAt }) => {
    const members = cycle.slice(0, -1).map((r) => {
      const n = t?.nodes.get(r);
      return { region: r, upstream: n?.upstream ?? null, state: n?.state ?? null, path: n?.path ?? [], packets: n?.packets ?? 0, subscribers: n?.subscribers ?? 0, announced: n?.announced ?? false };
    });
    return {
      name: "RelayLoop",
      severity: "critical",
      labels: { track, regions: regionsLabel(cycle) },
      summary: `relay loop on ${track}: ${cycle.join(" → ")}${origin === null ? "" : ` (origin ${origin} is never reached)`}`,
      // formedAt: when the cycle was first seen closed, on the reporting region's clock (the
      // ts of the event that closed it, or of the snapshot that showed it): time-to-detect
      // is startsAt − formedAt.
      evidence: { track, cycle, origin, members, formedAt },
      forMs: 0,
      observedAt,
    } satisfies Finding;
  });
}
