// Inhibition: a firing cause mutes the symptoms it explains, so on-call gets one page that
// names the cause (Alertmanager's inhibit_rules, applied before anything is sent):
//   - a RelayLoop (one per cycle) mutes the ProbePairFailing whose failing pairs it
//     explains: the probe track is one of its looped tracks, or the pair's src is a looped
//     track's origin and its dst sits on that track's cycle;
//   - a RegionUnreachable, RegionOffline or FalseIsolation mutes the pair alerts
//     (ProbePairFailing, RelayLatencyHigh) that involve that region: its probes fail
//     because the region is gone or refuses clients (503), not because of the network; and
//     the MissingRelay whose chain runs through it (or starts at it): relays from a region
//     that is gone or refuses clients carry nothing; and its TurnUnavailable;
//   - a FalseIsolation mutes the RegionOffline of the same region: the same outage, and the
//     FalseIsolation names why (the region was wrong to isolate itself).
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
/** Alerts a region-level cause explains when they involve its region. */
const REGION_SYMPTOMS: ReadonlySet<AlertName> = new Set([...PAIR_ALERTS, "MissingRelay", "TurnUnavailable"]);

/** Region-level causes: each carries the region in its `region` label. */
export const REGION_CAUSES: readonly AlertName[] = ["RegionUnreachable", "RegionOffline", "FalseIsolation"];

export function inhibitedBy(c: InhibitCandidate, firing: FiringLookup): string | null {
  if (c.name === "RegionOffline") return sameRegion(c, firing("FalseIsolation"));
  if (!REGION_SYMPTOMS.has(c.name)) return null;
  const regions = regionsOf(c.labels);
  if (c.name === "MissingRelay") for (const r of chainRegionsOf(c.evidence)) regions.add(r);
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

function sameRegion(c: InhibitCandidate, causes: Iterable<Alert>): string | null {
  for (const u of causes) if (u.labels["region"] !== undefined && u.labels["region"] === c.labels["region"]) return u.fingerprint;
  return null;
}

/** The regions a MissingRelay's copy depends on: its chain upstream and the track's origin. */
function chainRegionsOf(evidence: Readonly<Record<string, unknown>>): string[] {
  return [...strings(evidence["chain"]), ...strings([evidence["at"], evidence["origin"]])];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

interface PairRef {
  src: string;
  dst: string;
  track: string;
}

/** One looped track of a RelayLoop: its evidence lists them all (`tracks`); older alerts carried one. */
function loopedTracks(loop: Alert): { track: unknown; origin: unknown; cycle: unknown }[] {
  const tracks = loop.evidence["tracks"];
  const own = { track: loop.labels["track"] ?? loop.evidence["track"], origin: loop.evidence["origin"], cycle: loop.evidence["cycle"] };
  if (!Array.isArray(tracks)) return [own];
  return [own, ...tracks.filter((t): t is Record<string, unknown> => t !== null && typeof t === "object").map((t) => ({ track: t["track"], origin: t["origin"], cycle: t["cycle"] }))];
}

function loopExplains(loop: Alert, p: PairRef): boolean {
  return loopedTracks(loop).some((t) => t.track === p.track || (t.origin === p.src && Array.isArray(t.cycle) && t.cycle.includes(p.dst)));
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
