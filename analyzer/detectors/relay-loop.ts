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

/**
 * 5 s: a loop ends when its track does (a probe rotation) and forms again on the next fresh
 * track as long as its cause — the regions' relay behaviour — is there. The two usually
 * overlap (subscribers warm up to the next track ~1.7 s before the boundary,
 * probes/rotation.ts); 5 s covers a loaded machine's hand-over (and a relay re-setup at the
 * SFU's 5 s pending-pull backstop), so one cause stays one page, not one per track, while a
 * loop really fixed still resolves within seconds.
 */
export const LOOP_KEEP_FIRING_MS = 5000;

/** 20 tracks in the evidence: enough to see the pattern; the count says how many there are. */
export const LOOP_EVIDENCE_TRACKS = 20;

export interface LoopedTrack {
  track: TrackId;
  relays: TrackRelays | undefined;
  loops: readonly Loop[];
}

/** A failing probe pair the loop breaks (from the probe matrix). */
export interface BrokenPair {
  src: Region;
  dst: Region;
  track: string;
}

interface CycleGroup {
  regions: string;
  first: { track: TrackId; relays: TrackRelays | undefined; loop: Loop };
  tracks: { track: TrackId; origin: Region | null; cycle: Region[]; formedAt: number }[];
}

/**
 * RelayLoop findings, one per cycle (its `regions` label), however many tracks loop on it:
 * the cause is the regions' relay behaviour, not a track. Evidence: the first loop (track,
 * cycle, origin, members, formedAt — when it closed, for time-to-detect), every looped
 * track (up to LOOP_EVIDENCE_TRACKS) and the probe pairs the loop breaks. Critical, at once.
 */
export function relayLoopFindings(looped: readonly LoopedTrack[], brokenPairs: (tracks: ReadonlySet<string>) => BrokenPair[], observedAt: number): Finding[] {
  const groups = new Map<string, CycleGroup>();
  for (const { track, relays, loops } of looped) {
    const origin = relays === undefined ? null : trackOrigin(relays);
    for (const loop of loops) {
      const regions = regionsLabel(loop.cycle);
      let g = groups.get(regions);
      if (g === undefined) {
        g = { regions, first: { track, relays, loop }, tracks: [] };
        groups.set(regions, g);
      } else if (loop.formedAt < g.first.loop.formedAt) g.first = { track, relays, loop };
      g.tracks.push({ track, origin, cycle: loop.cycle, formedAt: loop.formedAt });
    }
  }
  return [...groups.values()].map((g) => cycleFinding(g, brokenPairs(new Set(g.tracks.map((t) => t.track))), observedAt));
}

function cycleFinding(g: CycleGroup, pairs: BrokenPair[], observedAt: number): Finding {
  const { track, relays, loop } = g.first;
  const origin = relays === undefined ? null : trackOrigin(relays);
  const members = loop.cycle.slice(0, -1).map((r) => {
    const n = relays?.nodes.get(r);
    return { region: r, upstream: n?.upstream ?? null, state: n?.state ?? null, path: n?.path ?? [], packets: n?.packets ?? 0, subscribers: n?.subscribers ?? 0, announced: n?.announced ?? false };
  });
  const tracks = [...g.tracks].sort((a, b) => a.formedAt - b.formedAt);
  return {
    name: "RelayLoop",
    severity: "critical",
    labels: { regions: g.regions },
    // Not per track (a new looped track is no update); the broken pairs are, when they change.
    summary: `relay loop between ${g.regions.split(",").join(" ⇄ ")}: tracks are relayed in a circle (${loop.cycle.join(" → ")}) and never reach their origin${pairs.length === 0 ? "" : `; ${pairs.length} probe pair(s) broken`}`,
    // formedAt: when the cycle was first seen closed, on the reporting region's clock (the
    // ts of the event that closed it, or of the snapshot that showed it): time-to-detect
    // is startsAt − formedAt.
    evidence: { regions: g.regions.split(","), track, cycle: loop.cycle, origin, members, formedAt: loop.formedAt, trackCount: tracks.length, tracks: tracks.slice(0, LOOP_EVIDENCE_TRACKS), pairs },
    forMs: 0,
    keepFiringForMs: LOOP_KEEP_FIRING_MS,
    observedAt,
  };
}
