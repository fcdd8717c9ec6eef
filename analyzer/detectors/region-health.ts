// Region-level alerts:
//   RegionOffline    — a region reports itself offline (for REGION_OFFLINE_FOR_MS), whether
//                      or not that decision was right: its clients are refused either way;
//   FalseIsolation   — in addition, the region took itself offline while peers or probes
//                      still reached it (the incident's US East 1: a few seconds of lost
//                      connectivity → RegionOffline + FalseIsolation);
//   RegionUnreachable— the analyzer cannot reach the region's API (a warning after its for
//                      period, a page once it stays unreachable: alerts/paging.ts).
// The witness rule: a peer that reached the region within WITNESS_WINDOW_MS before it went
// offline (or at any time since), or a probe pair into/out of it with an ok window in that
// span, proves the region was not cut off from the mesh long enough to justify isolation.
import type { RegionRecord, Witness } from "../graph/region-book.js";
import type { Finding } from "./finding.js";

/**
 * 5 s: five heartbeats at the SFU's 1 s default. Lifeguard/memberlist suspicion takes
 * about 4–24 s; a region peers heard from within 5 s of isolating itself isolated on a blip.
 */
export const WITNESS_WINDOW_MS = 5000;

/**
 * 3 s: a region that is offline for less than this (a flapping status, a restart) is not
 * worth a page of its own; held that long it is an outage for its clients, true or false.
 */
export const REGION_OFFLINE_FOR_MS = 3000;

/** 3 s: a region restarting or a dropped SSE connection reconnects within ~1–2 s of backoff. */
export const REGION_UNREACHABLE_FOR_MS = 3000;

/** Whether a peer entry or an ok probe window at `at` counts for an offline period starting `since`. */
export function isWitnessTime(at: number | null, since: number): boolean {
  return at !== null && at >= since - WITNESS_WINDOW_MS;
}

export function isolationFindings(r: RegionRecord, observedAt: number): Finding[] {
  const status = r.status;
  if (status?.state !== "offline") return [];
  const witnesses = [...r.witnesses.values()];
  const why = `${status.isolation} isolation: ${status.reason || "no reason given"}`;
  const offline: Finding = {
    name: "RegionOffline",
    severity: "critical",
    labels: { region: r.region },
    summary: witnesses.length > 0 ? `${r.region} is offline (${why}); it was still reachable (see FalseIsolation)` : `${r.region} is offline (${why}); no peer or probe reaches it`,
    evidence: { region: r.region, isolation: status.isolation, reason: status.reason, offlineSince: status.since, witnessed: witnesses.length > 0 },
    forMs: REGION_OFFLINE_FOR_MS,
    since: status.since,
    observedAt,
  };
  if (witnesses.length === 0) return [offline];
  const who = witnesses.map((w) => (w.kind === "peer" ? `peer ${w.from}` : `probe ${w.from}`)).join(", ");
  return [
    offline,
    {
      name: "FalseIsolation",
      severity: "critical",
      labels: { region: r.region },
      summary: `${r.region} took itself offline (${why}) while ${who} still reached it`,
      evidence: { region: r.region, isolation: status.isolation, reason: status.reason, offlineSince: status.since, witnesses, analyzerConnected: r.connected },
      forMs: 0,
      since: status.since,
      observedAt,
    },
  ];
}

/** `notBefore`: a region never reached since it appeared is starting (warm-up.ts) until then. */
export function unreachableFindings(r: RegionRecord, observedAt: number, notBefore?: number): Finding[] {
  if (r.connected || r.disconnectedSince === null) return [];
  return [
    {
      name: "RegionUnreachable",
      severity: "warning",
      labels: { region: r.region },
      summary: `the analyzer cannot reach ${r.region}'s API: ${r.disconnectReason || "connection failed"}`,
      evidence: { region: r.region, since: r.disconnectedSince, reason: r.disconnectReason, lastEventAt: r.lastEventAt },
      forMs: REGION_UNREACHABLE_FOR_MS,
      since: r.disconnectedSince,
      observedAt,
      ...(notBefore === undefined ? {} : { notBefore }),
    },
  ];
}

/** Records witnesses for an offline region; returns true when a new one was added. */
export function addWitness(r: RegionRecord, w: Witness): boolean {
  const key = `${w.kind}:${w.from}`;
  if (r.witnesses.has(key)) return false;
  r.witnesses.set(key, w);
  return true;
}
