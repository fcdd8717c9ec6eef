// Inhibition: a firing cause mutes the symptoms it explains, so on-call gets one page that
// names the cause (Alertmanager's inhibit_rules, applied before anything is sent):
//   - a RelayLoop mutes the ProbePairFailing whose failing pairs it explains: the probe
//     track is the looped track, or the pair's src is the loop's origin and its dst sits
//     on the loop;
//   - a RegionUnreachable, RegionOffline or FalseIsolation mutes the pair alerts
//     (ProbePairFailing, RelayLatencyHigh) that involve that region: its probes fail
//     because the region is gone or refuses clients (503), not because of the network.
// A muted alert stays active (the book marks it, the API shows it); only sinks skip it.
// Pure: a candidate and the firing alerts in, the inhibiting fingerprint (or null) out.
import type { Alert, AlertName } from "../../core/alert.js";

export interface InhibitCandidate {
  name: AlertName;
  labels: Readonly<Record<string, string>>;
  evidence: Readonly<Record<string, unknown>>;
}

export type FiringLookup = (name: AlertName) => Iterable<Alert>;

const PAIR_ALERTS: ReadonlySet<AlertName> = new Set(["ProbePairFailing", "RelayLatencyHigh"]);

/** Region-level causes: each carries the region in its `region` label. */
export const REGION_CAUSES: readonly AlertName[] = ["RegionUnreachable", "RegionOffline", "FalseIsolation"];

export function inhibitedBy(c: InhibitCandidate, firing: FiringLookup): string | null {
  if (!PAIR_ALERTS.has(c.name)) return null;
  const regions = regionsOf(c.labels);
  for (const cause of REGION_CAUSES) {
    for (const u of firing(cause)) {
      const r = u.labels["region"];
      if (r !== undefined && regions.has(r)) return u.fingerprint;
    }
  }
  if (c.name === "ProbePairFailing") {
    const pairs = pairsOf(c.evidence);
    if (pairs.length === 0) return null;
    for (const loop of firing("RelayLoop")) {
      if (pairs.every((p) => loopExplains(loop, p))) return loop.fingerprint;
    }
  }
  return null;
}

interface PairRef {
  src: string;
  dst: string;
  track: string;
}

function loopExplains(loop: Alert, p: PairRef): boolean {
  if (loop.labels["track"] === p.track) return true;
  const cycle = loop.evidence["cycle"];
  const origin = loop.evidence["origin"];
  return origin === p.src && Array.isArray(cycle) && cycle.includes(p.dst);
}

function regionsOf(labels: Readonly<Record<string, string>>): Set<string> {
  const out = new Set<string>();
  for (const k of ["region", "src", "dst"]) {
    const v = labels[k];
    if (v !== undefined) out.add(v);
  }
  for (const r of (labels["regions"] ?? "").split(",")) if (r !== "") out.add(r);
  return out;
}

function pairsOf(evidence: Readonly<Record<string, unknown>>): PairRef[] {
  const raw = evidence["pairs"];
  if (!Array.isArray(raw)) return [];
  const out: PairRef[] = [];
  for (const p of raw as unknown[]) {
    if (p === null || typeof p !== "object") continue;
    const o = p as Record<string, unknown>;
    if (typeof o["src"] === "string" && typeof o["dst"] === "string" && typeof o["track"] === "string") out.push({ src: o["src"], dst: o["dst"], track: o["track"] });
  }
  return out;
}
