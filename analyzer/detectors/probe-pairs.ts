// ProbePairFailing and RelayLatencyHigh from the probe matrix. A failing pair is one with
// k failed windows among its last n. Failing pairs are then localised across the matrix,
// most specific cause first:
//   region — every pair into (or out of) one region fails: the region, not the network;
//   link   — both directions between two regions fail, and neither is a failing region;
//   path   — one direction only: that pair's relay path (named in the alert).
// Each localisation is one alert that says which and why.
// Under a relay loop (the 2024-02-07 incident: eu-central and eu-west pull a us-west track
// from each other) the failing pairs are src→eu-central and src→eu-west for every src
// whose tracks must cross the loop, while eu-central⇄eu-west and every pair out of the EU
// still work. That is no region (pairs into eu-central from eu-west are ok) and no link (the
// reverse directions work), so each such pair is its own `path` alert labelled {src, dst}
// — e.g. ProbePairFailing {src=us-west, dst=eu-central} — naming its relay path. The
// RelayLoop that explains it mutes it (inhibition.ts): it stays active in the API and the
// TUI, and on-call is paged once, for the loop.
import type { Region } from "../../core/region.js";
import type { Finding } from "./finding.js";
import type { KOfN, PairState } from "./probe-matrix.js";

/** A region needs at least 2 pairs in a direction before "all of them fail" means the region. */
export const MIN_PAIRS_FOR_REGION = 2;

export type Localisation =
  | { kind: "region"; region: Region; direction: "in" | "out" | "both"; pairs: PairState[] }
  | { kind: "link"; regions: [Region, Region]; pairs: PairState[] }
  | { kind: "path"; src: Region; dst: Region; relayPath: Region[]; pairs: PairState[] };

interface Tally {
  inKnown: number;
  inFail: number;
  outKnown: number;
  outFail: number;
}

/**
 * Whether a known cause outside the matrix (a relay loop on the pair's probe track that its
 * dst sits on) explains a failing pair. Such a pair is its own `path` localisation and does
 * not count towards region/link tallies: a loop in the EU makes every pair *out of* the
 * origin into the loop fail, which the matrix alone would misread as "the origin is broken".
 */
export type PairExplained = (p: PairState) => boolean;

/**
 * Localises the failing pairs of a matrix. Pure; O(pairs).
 *   1. a region whose pairs fail in *both* directions is the region (dead, offline);
 *   2. pairs a known cause explains (`explained`) are each their own path;
 *   3. over the rest (pairs touching a step-1 region left out, as that region explains
 *      them), a region with every pair into it, or out of it, failing is the region;
 *   4. then links (both directions of a pair) and single paths.
 */
export function localiseFailures(all: Iterable<PairState>, explained: PairExplained = () => false): Localisation[] {
  const pairs = [...all];
  const failing = pairs.filter((p) => p.failing);
  const out: Localisation[] = [];
  const done = new Set<PairState>();
  const dead = new Set<Region>();
  for (const [region, t] of tallies(pairs)) {
    if (!(isDead(t.inKnown, t.inFail) && isDead(t.outKnown, t.outFail))) continue;
    dead.add(region);
    const own = failing.filter((p) => p.src === region || p.dst === region);
    for (const p of own) done.add(p);
    out.push({ kind: "region", region, direction: "both", pairs: own });
  }
  const loopPairs = new Set<PairState>();
  for (const p of failing) {
    if (done.has(p) || !explained(p)) continue;
    done.add(p);
    loopPairs.add(p);
  }
  const rest = pairs.filter((p) => !dead.has(p.src) && !dead.has(p.dst) && !loopPairs.has(p));
  for (const [region, t] of tallies(rest)) {
    const inDead = isDead(t.inKnown, t.inFail);
    const outDead = isDead(t.outKnown, t.outFail);
    if (!inDead && !outDead) continue;
    const own = rest.filter((p) => p.failing && ((inDead && p.dst === region) || (outDead && p.src === region)));
    for (const p of own) done.add(p);
    out.push({ kind: "region", region, direction: inDead && outDead ? "both" : inDead ? "in" : "out", pairs: own });
  }
  for (const p of loopPairs) out.push({ kind: "path", src: p.src, dst: p.dst, relayPath: p.last.relayPath, pairs: [p] });
  const left = failing.filter((p) => !done.has(p));
  const byKey = new Map(left.map((p) => [`${p.src}>${p.dst}`, p]));
  for (const p of left) {
    if (done.has(p)) continue;
    const reverse = byKey.get(`${p.dst}>${p.src}`);
    done.add(p);
    if (reverse !== undefined && !done.has(reverse)) {
      done.add(reverse);
      const regions: [Region, Region] = p.src < p.dst ? [p.src, p.dst] : [p.dst, p.src];
      out.push({ kind: "link", regions, pairs: [p, reverse] });
    } else {
      out.push({ kind: "path", src: p.src, dst: p.dst, relayPath: p.last.relayPath, pairs: [p] });
    }
  }
  return out;
}

function isDead(known: number, failed: number): boolean {
  return known >= MIN_PAIRS_FOR_REGION && failed === known;
}

/** Per region, pairs known and failing in each direction; sorted by region for stable output. */
function tallies(pairs: readonly PairState[]): [Region, Tally][] {
  const tally = new Map<Region, Tally>();
  const get = (r: Region): Tally => {
    let t = tally.get(r);
    if (t === undefined) {
      t = { inKnown: 0, inFail: 0, outKnown: 0, outFail: 0 };
      tally.set(r, t);
    }
    return t;
  };
  for (const p of pairs) {
    const s = get(p.src);
    const d = get(p.dst);
    s.outKnown++;
    d.inKnown++;
    if (p.failing) {
      s.outFail++;
      d.inFail++;
    }
  }
  return [...tally].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function pairEvidence(p: PairState): Record<string, unknown> {
  return { src: p.src, dst: p.dst, track: p.last.track, status: p.last.status, reason: p.last.reason, relayPath: p.last.relayPath, failingSince: p.failingSince, recent: p.recent.slice(-10) };
}

export function pairFailingFindings(locs: readonly Localisation[], rule: KOfN): Finding[] {
  const windows = `${rule.k} of the last ${rule.n} windows`;
  return locs.map((l): Finding => {
    const evidence = { localisation: l.kind, rule, pairs: l.pairs.map(pairEvidence) };
    const observedAt = Math.max(...l.pairs.map((p) => p.last.ts));
    switch (l.kind) {
      case "region": {
        const dir = l.direction === "both" ? "into and out of" : l.direction === "in" ? "into" : "out of";
        return { name: "ProbePairFailing", severity: "critical", labels: { region: l.region }, summary: `region ${l.region}: all probe pairs ${dir} it fail (${l.pairs.length} pairs, ${windows}) — the region, not a link`, evidence: { ...evidence, region: l.region, direction: l.direction }, forMs: 0, observedAt };
      }
      case "link": {
        const [a, b] = l.regions;
        return { name: "ProbePairFailing", severity: "warning", labels: { regions: `${a},${b}` }, summary: `link ${a} ⇄ ${b}: both directions fail (${windows}) while both regions reach the others`, evidence: { ...evidence, regions: l.regions }, forMs: 0, observedAt };
      }
      case "path": {
        const last = l.pairs[0]?.last;
        const path = l.relayPath.length > 0 ? l.relayPath.join(" > ") : `${l.src} > ${l.dst}`;
        return { name: "ProbePairFailing", severity: "warning", labels: { src: l.src, dst: l.dst }, summary: `${l.src} → ${l.dst} fails (${windows}; the reverse works) on relay path ${path}: ${last?.status ?? "?"}${last?.reason ? ` — ${last.reason}` : ""}`, evidence: { ...evidence, relayPath: l.relayPath }, forMs: 0, observedAt };
      }
    }
  });
}

export function latencyFinding(p: PairState, rule: KOfN, thresholdMs: number): Finding {
  const recent = p.latency.slice(-rule.n);
  return {
    name: "RelayLatencyHigh",
    severity: "warning",
    labels: { src: p.src, dst: p.dst },
    summary: `${p.src} → ${p.dst} one-way latency above ${thresholdMs} ms in ${rule.k} of the last ${rule.n} windows (last ${p.last.latencyP50Ms ?? "?"} ms via ${p.last.relayPath.join(" > ")})`,
    evidence: { src: p.src, dst: p.dst, thresholdMs, latencyP50Ms: recent, relayPath: p.last.relayPath, track: p.last.track },
    forMs: 0,
    observedAt: p.last.ts,
  };
}
