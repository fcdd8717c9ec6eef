// The default one-way latency between two named regions of the lab. A pure lookup: the
// emulator applies it to every region link nobody configured explicitly.
//
// Figures are half the median round trip between the matching cloud regions as published
// by public inter-region latency matrices (AWS/GCP inter-region dashboards, cloudping.co,
// 2024), rounded: us-east = N. Virginia, us-west = Oregon, eu-central = Frankfurt,
// eu-west = Paris (the incident's "France"), ap-south = Mumbai.
import type { Region } from "../../core/region.js";

/** One-way milliseconds for a pair of regions this table does not know (a mid-distance guess). */
export const FALLBACK_LATENCY_MS = 40;

/** One-way milliseconds inside a region (same name on both ends): loopback, no WAN. */
export const SAME_REGION_LATENCY_MS = 0;

/** One-way milliseconds between the analyzer/probes ("outside" endpoints) and a region: 0 so
 *  detection timing in the lab is governed by region links, not by the observer's path. */
export const OBSERVER_LATENCY_MS = 0;

const ONE_WAY_MS: Readonly<Record<string, number>> = {
  "us-east|us-west": 32,
  "eu-central|us-east": 45,
  "eu-west|us-east": 38,
  "ap-south|us-east": 95,
  "eu-central|us-west": 70,
  "eu-west|us-west": 68,
  "ap-south|us-west": 110,
  "eu-central|eu-west": 8,
  "ap-south|eu-central": 60,
  "ap-south|eu-west": 58,
};

function pairKey(a: Region, b: Region): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** Symmetric one-way latency in milliseconds between two regions. */
export function defaultLatencyMs(a: Region, b: Region): number {
  if (a === b) return SAME_REGION_LATENCY_MS;
  return ONE_WAY_MS[pairKey(a, b)] ?? FALLBACK_LATENCY_MS;
}

/** The region names the table has figures for. */
export function knownLatencyRegions(): string[] {
  const names = new Set<string>();
  for (const key of Object.keys(ONE_WAY_MS)) for (const n of key.split("|")) names.add(n);
  return [...names].sort();
}
