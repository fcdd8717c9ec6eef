// MissingRelay: a region has local subscribers for a track but its upstream chain does
// not bring the track from the origin — it dangles (pulls from nowhere), ends in a black
// hole (a copy that is not the origin and pulls from nowhere), reaches a region without
// the track, or reaches the origin yet receives no packets while the origin does.
// Chains that enter a loop are RelayLoop's to report (the cause), not MissingRelay's.
import type { Region, TrackId } from "../../core/region.js";
import { walkUpstream } from "../graph/cycles.js";
import type { RelayNode, TrackRelays } from "../graph/relay-graph.js";
import type { Finding } from "./finding.js";

/**
 * 2.5 s, for every kind (no_packets included): while a relay is being set up — at every
 * probe rotation, all agents at once — a copy is briefly dangling (locating), then pulls
 * from the origin without a packet yet. That is setup, not a missing relay. Locate + pull
 * + first packet takes well under a second on an idle machine, but its p95 reaches ~1 s
 * on a loaded 2-core machine running a whole lab (bench/sfu); 2.5× that never pages on
 * normal setup, while a real black hole or dangling chain still pages within ~2.5 s.
 */
export const MISSING_RELAY_FOR_MS = 2500;

/**
 * 3 s: packet counters reach the analyzer with the regions' periodic track updates (about
 * 1 s); the origin being ahead by three of those is no reporting jitter.
 */
export const NO_PACKETS_AFTER_MS = 3000;

export type MissingKind = "dangling" | "black_hole" | "upstream_without_track" | "no_packets";

export interface MissingRelayVerdict {
  kind: MissingKind;
  /** The chain walked, this region first. */
  chain: Region[];
  /** Where the chain ends (the dangling copy, the black hole, the region without the track, the origin). */
  at: Region;
  why: string;
}

/** The verdict for one copy; null when it is fine, has no subscribers, or sits in a loop. */
export function missingRelayVerdict(t: TrackRelays, node: RelayNode): MissingRelayVerdict | null {
  if (node.subscribers === 0 || node.local) return null;
  const end = walkUpstream(t, node.region);
  switch (end.kind) {
    case "cycle":
      return null;
    case "missing": {
      const via = end.hops[end.hops.length - 1] ?? node.region;
      return { kind: "upstream_without_track", chain: [...end.hops, end.region], at: end.region, why: `${via} pulls from ${end.region}, which does not hold the track` };
    }
    case "dangling":
      if (end.region === node.region) return { kind: "dangling", chain: end.hops, at: end.region, why: `${node.region} has ${node.subscribers} subscriber(s) but pulls from no region (${node.state})` };
      return { kind: "black_hole", chain: end.hops, at: end.region, why: `the chain ends at ${end.region}, which holds a copy but is not the origin and pulls from nowhere` };
    case "origin": {
      const origin = t.nodes.get(end.region);
      const originAt = origin?.lastPacketAt ?? null;
      const mine = node.lastPacketAt ?? Number.NEGATIVE_INFINITY;
      if (originAt !== null && originAt - mine > NO_PACKETS_AFTER_MS && end.region !== node.region) {
        const last = node.lastPacketAt === null ? "never received a packet" : `last received a packet at ${new Date(node.lastPacketAt).toISOString()}`;
        return { kind: "no_packets", chain: end.hops, at: end.region, why: `${node.region} ${last} while the origin ${end.region} receives them` };
      }
      return null;
    }
  }
}

/**
 * Findings for every copy of a track. `judged(region)` false skips a region's own copies: the
 * analyzer cannot reach it, so what it holds is last-known state, not evidence (its
 * RegionUnreachable speaks for it). Copies elsewhere that depend on it are still judged.
 * `notBefore(copy)`: a copy still warming up (never received a packet, warm-up.ts) may not
 * alert before then.
 */
export function missingRelayFindings(
  t: TrackRelays,
  track: TrackId,
  origin: Region | null,
  observedAt: number,
  judged: (region: Region) => boolean = () => true,
  notBefore: (node: RelayNode) => number | undefined = () => undefined,
): Finding[] {
  const out: Finding[] = [];
  for (const node of t.nodes.values()) {
    if (!judged(node.region)) continue;
    const v = missingRelayVerdict(t, node);
    if (v === null) continue;
    const warmUntil = notBefore(node);
    out.push({
      name: "MissingRelay",
      severity: "critical",
      labels: { track, region: node.region },
      summary: `${node.subscribers} subscriber(s) of ${track} in ${node.region} get nothing: ${v.kind.replaceAll("_", " ")} — ${v.why}`,
      evidence: { track, region: node.region, kind: v.kind, chain: v.chain, at: v.at, origin, subscribers: node.subscribers, state: node.state, path: node.path },
      forMs: MISSING_RELAY_FOR_MS,
      observedAt,
      ...(warmUntil === undefined ? {} : { notBefore: warmUntil }),
    });
  }
  return out;
}
