// Regions and tracks: the names everything else is keyed by.
import { z } from "zod";

/** A region name: lowercase DNS-label style, e.g. `eu-central`. */
export const regionSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "expected a region name like eu-central (lowercase letters, digits, dashes)");
export type Region = z.infer<typeof regionSchema>;

/** A track id is `room/track`, each part URL-safe. Probe tracks live in room `probe`. */
export const trackIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._~-]{1,128}\/[A-Za-z0-9._~-]{1,128}$/, "expected a track id like room/track");
export type TrackId = z.infer<typeof trackIdSchema>;

/** The five regions of the default lab world, in DESIGN's order. */
export const DEFAULT_REGIONS: readonly Region[] = ["us-east", "us-west", "eu-central", "eu-west", "ap-south"];

export function trackId(room: string, track: string): TrackId {
  return `${room}/${track}`;
}

export function splitTrackId(id: TrackId): { room: string; track: string } {
  const slash = id.indexOf("/");
  return { room: id.slice(0, slash), track: id.slice(slash + 1) };
}

/** The `regions` label value: sorted and comma-joined, so it is stable. */
export function regionsLabel(regions: Iterable<Region>): string {
  return [...new Set(regions)].sort().join(",");
}
