// Probe track naming and rotation: how every agent knows, without asking anyone, which
// track each region is publishing right now.
//
// Scheme: time is cut into rotations of `rotateMs` (epoch-aligned). During rotation k
// region R's current probe track is `probe/<R>.<k>`, k = floor(now / rotateMs) — `.` never
// occurs in region names, so the name parses back unambiguously. Every agent with the same
// `--rotate` computes every region's current name itself: no discovery round trip, and a
// new track (so a new locate + relay setup) in every region every rotation, which is the
// path that failed in the 2024-02-07 incident while old relays kept flowing.
//
// Overlap, so no window is unmeasured:
//   publisher   publishes track k+1 `publishLeadMs` before the boundary, keeps track k
//               `tailMs` after it;
//   subscriber  starts subscribing to k+1 `subscribeLeadMs` (< publishLeadMs) before the
//               boundary (failures while warming are retried, not reported), switches the
//               pair's measurement to k at the boundary and closes k-1.
// Agents' clocks must agree to well within `subscribeLeadMs` (NTP does: ~ms); windows and
// rotations share the epoch-aligned grid, so a window never straddles a rotation.
import type { Region, TrackId } from "../core/region.js";
import { regionSchema } from "../core/region.js";

export const PROBE_ROOM = "probe";

/** 5 s cap: a WHIP publish plus the track table's announce reach every region in well under that. */
const MAX_PUBLISH_LEAD_MS = 5000;

export interface RotationSchedule {
  rotateMs: number;
  /** Publish rotation k+1 this long before its start. */
  publishLeadMs: number;
  /** Start subscribing to rotation k+1 this long before its start. */
  subscribeLeadMs: number;
  /** Keep publishing rotation k this long after it ended. */
  tailMs: number;
}

/** A third of the rotation (at most 5 s) of lead and tail; subscribers start half-way into the lead. */
export function rotationSchedule(rotateMs: number): RotationSchedule {
  const publishLeadMs = Math.min(MAX_PUBLISH_LEAD_MS, Math.floor(rotateMs / 3));
  return { rotateMs, publishLeadMs, subscribeLeadMs: Math.floor(publishLeadMs / 2), tailMs: publishLeadMs };
}

export function rotationAt(nowMs: number, rotateMs: number): number {
  return Math.floor(nowMs / rotateMs);
}

export function probeTrackName(region: Region, rotation: number): string {
  return `${region}.${rotation}`;
}

export function probeTrackId(region: Region, rotation: number): TrackId {
  return `${PROBE_ROOM}/${probeTrackName(region, rotation)}`;
}

/** `probe/us-west.57000123` → { region, rotation }; null for anything else. */
export function parseProbeTrackId(id: string): { region: Region; rotation: number } | null {
  const m = /^probe\/([a-z0-9-]+)\.(\d{1,10})$/.exec(id);
  if (m === null || m[1] === undefined || m[2] === undefined) return null;
  if (!regionSchema.safeParse(m[1]).success) return null;
  return { region: m[1], rotation: Number(m[2]) };
}

/** The rotations a publisher should have live at `nowMs`, oldest first. */
export function liveRotations(nowMs: number, s: RotationSchedule): number[] {
  const k = rotationAt(nowMs, s.rotateMs);
  const out: number[] = [];
  if (k > 0 && nowMs < k * s.rotateMs + s.tailMs) out.push(k - 1);
  out.push(k);
  if (nowMs >= (k + 1) * s.rotateMs - s.publishLeadMs) out.push(k + 1);
  return out;
}

/** The rotation a subscriber should be warming up for at `nowMs`, or null. */
export function warmingRotation(nowMs: number, s: RotationSchedule): number | null {
  const k = rotationAt(nowMs, s.rotateMs);
  return nowMs >= (k + 1) * s.rotateMs - s.subscribeLeadMs ? k + 1 : null;
}
