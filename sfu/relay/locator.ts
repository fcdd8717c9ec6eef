// The locator: where should this region pull a track from? It orders the regions that
// announce the track (origin or relayed copy) by measured RTT, so relays cascade through
// nearby regions as real meshes do (us-west > eu-west > eu-central rather than two long
// hauls across the Atlantic). Callers try candidates in order and fall back on refusal.
//
//   locate(track, self, table, rtts, path, now, opts?) → Candidate[]
//
// Never returns `self` or a region already on the pull `path` (pulling from one of those
// would close a loop). Pure: no I/O, no timers, time passed in.
import type { Region, TrackId } from "../../core/region.js";
import { holders, type Holder, type TrackTable } from "./track-table.js";

/**
 * 5 ms: RTTs closer than this are "the same distance". Smoothed RTTs still wander by a few
 * ms with WAN jitter (the lab's links jitter up to 5 ms), and choosing between near-equals
 * by noise would flip relays between runs; among near-equals fewer hops wins (less added
 * latency, fewer points of failure), so the origin beats a copy of the same distance.
 */
export const RTT_TIE_MARGIN_MS = 5;

export interface Candidate {
  region: Region;
  origin: boolean;
  /** Measured RTT from `self`, or null when this region has no measurement. */
  rttMs: number | null;
  /** Hops from the origin to the candidate's copy, when announced (0 at the origin). */
  pathLength?: number;
}

export interface LocateOptions {
  /** RTTs within this margin count as equal (default RTT_TIE_MARGIN_MS). */
  tieMarginMs?: number;
  /** More regions to leave out, e.g. ones that refused this relay a moment ago. */
  exclude?: Iterable<Region>;
}

/**
 * Ordered candidates for pulling `track` into `self`:
 *  1. regions with a measured RTT, cheapest first; among candidates within the tie margin
 *     of the cheapest remaining one, the origin, then the shortest announced path, wins;
 *  2. regions without an RTT measurement (we have never heard from them): copies first,
 *     shortest announced path first, and the origin as the final fallback.
 * The origin appears exactly once (when announced), so a caller that falls back through
 * the list always reaches it. Ties end on the region name, so the order is deterministic.
 */
export function locate(
  track: TrackId,
  self: Region,
  table: TrackTable,
  rtts: ReadonlyMap<Region, number>,
  path: readonly Region[],
  now: number,
  opts: LocateOptions = {},
): Candidate[] {
  const margin = opts.tieMarginMs ?? RTT_TIE_MARGIN_MS;
  const skip = new Set<Region>([self, ...path, ...(opts.exclude ?? [])]);
  const measured: Candidate[] = [];
  const unmeasured: Candidate[] = [];
  for (const h of holders(table, track, now)) {
    if (skip.has(h.region)) continue;
    const rtt = rtts.get(h.region);
    const c = toCandidate(h, rtt !== undefined && Number.isFinite(rtt) ? rtt : null);
    (c.rttMs === null ? unmeasured : measured).push(c);
  }
  return [...orderMeasured(measured, margin), ...unmeasured.sort(compareUnmeasured)];
}

/** Greedy: repeatedly take the best of the candidates within `margin` of the cheapest left. */
function orderMeasured(candidates: Candidate[], margin: number): Candidate[] {
  const left = [...candidates].sort((a, b) => rttOf(a) - rttOf(b) || byName(a, b));
  const out: Candidate[] = [];
  while (left.length > 0) {
    const cheapest = rttOf(left[0] as Candidate);
    let best = 0;
    for (let i = 1; i < left.length && rttOf(left[i] as Candidate) <= cheapest + margin; i++) {
      if (compareNearEqual(left[i] as Candidate, left[best] as Candidate) < 0) best = i;
    }
    out.push(...left.splice(best, 1));
  }
  return out;
}

function compareNearEqual(a: Candidate, b: Candidate): number {
  if (a.origin !== b.origin) return a.origin ? -1 : 1;
  return hops(a) - hops(b) || rttOf(a) - rttOf(b) || byName(a, b);
}

function compareUnmeasured(a: Candidate, b: Candidate): number {
  if (a.origin !== b.origin) return a.origin ? 1 : -1;
  return hops(a) - hops(b) || byName(a, b);
}

function toCandidate(h: Holder, rttMs: number | null): Candidate {
  const c: Candidate = { region: h.region, origin: h.origin, rttMs };
  if (h.pathLength !== undefined) c.pathLength = h.pathLength;
  else if (h.origin) c.pathLength = 0;
  return c;
}

/** An unannounced path length counts as longer than any announced one. */
function hops(c: Candidate): number {
  return c.pathLength ?? Number.MAX_SAFE_INTEGER;
}

function rttOf(c: Candidate): number {
  return c.rttMs ?? Number.POSITIVE_INFINITY;
}

function byName(a: Candidate, b: Candidate): number {
  return a.region < b.region ? -1 : a.region > b.region ? 1 : 0;
}
