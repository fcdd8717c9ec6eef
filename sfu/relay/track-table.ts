// The track table: which region holds which track, as announced by the regions themselves.
// Each region announces the tracks it originates and the relayed copies it holds, to every
// peer, on change and periodically (anti-entropy). Announcements are versioned per
// announcing region and carry a TTL; a region that falls silent disappears from the table.
//
// Pure data: every function takes the table and `now` and returns a new table (or the same
// object when nothing changed, so callers can test `next !== prev`). No I/O, no timers.
//
//   applyAnnouncement(table, announcement, now) → TrackTable
//   expire(table, now) → TrackTable
//   holders(table, track, now) → Holder[]         regions holding a copy, sorted by name
//   originOf(table, track, now) → Region | null
//   trackAnnouncementSchema                       the wire payload (parse with core/validate)
import { z } from "zod";
import { regionSchema, trackIdSchema, type Region, type TrackId } from "../../core/region.js";

/**
 * 5 s: announcements on change carry the news; the periodic full snapshot only repairs a
 * lost or reordered one, so a missed retraction misleads a locator for at most ~5 s.
 */
export const ANTI_ENTROPY_INTERVAL_MS = 5_000;

/**
 * 15 s = 3 anti-entropy rounds: one or two lost snapshots must not drop a live region's
 * tracks (BGP's hold time is likewise 3 keepalives, RFC 4271 §10: 90 s / 30 s).
 */
export const ANNOUNCEMENT_TTL_MS = 3 * ANTI_ENTROPY_INTERVAL_MS;

/** Bounds on what a peer may ask us to believe, so one bad payload cannot pin a table. */
export const MIN_TTL_MS = 1_000;
export const MAX_TTL_MS = 10 * 60_000;
/** 10,000 tracks per region is far beyond a region node's capacity; the bound caps body size. */
export const MAX_ENTRIES = 10_000;
/** Longest relay path a region may announce (and a pull may carry): well above any sane mesh. */
export const MAX_PATH_LENGTH = 16;

export const trackEntrySchema = z.object({
  track: trackIdSchema,
  /** True in the region where the track is published. */
  origin: z.boolean(),
  /** Where this region's copy comes from, when known (absent at the origin). */
  upstream: regionSchema.optional(),
  /** Hops from the origin to this copy (0 at the origin), when known. */
  pathLength: z.number().int().nonnegative().max(MAX_PATH_LENGTH).optional(),
});
export type TrackEntry = z.infer<typeof trackEntrySchema>;

/** The `POST /relay/v1/announce` payload. Unknown fields are dropped (tolerant reader). */
export const trackAnnouncementSchema = z.object({
  region: regionSchema,
  /** Monotonic per announcing region, across restarts too: see nextVersion(). */
  version: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  /** Sender's clock when built, ms since epoch; informational (expiry uses the receiver's clock). */
  ts: z.number().int().nonnegative(),
  ttlMs: z.number().int().min(MIN_TTL_MS).max(MAX_TTL_MS),
  /** A full snapshot replaces everything known about the region; a delta updates entries. */
  full: z.boolean().default(true),
  entries: z.array(trackEntrySchema).max(MAX_ENTRIES),
  /** Delta only: tracks the region no longer holds. */
  retract: z.array(trackIdSchema).max(MAX_ENTRIES).default([]),
});
export type TrackAnnouncement = z.infer<typeof trackAnnouncementSchema>;
/** What a sender builds; `full` and `retract` may be left out. */
export type TrackAnnouncementInput = z.input<typeof trackAnnouncementSchema>;

export interface RegionRecord {
  readonly version: number;
  readonly receivedAt: number;
  readonly expiresAt: number;
  readonly entries: ReadonlyMap<TrackId, TrackEntry>;
}

export type TrackTable = ReadonlyMap<Region, RegionRecord>;

export interface Holder {
  region: Region;
  origin: boolean;
  upstream?: Region;
  pathLength?: number;
}

export function emptyTrackTable(): TrackTable {
  return new Map();
}

/**
 * The next announcement version: one more than the last, and never below the wall clock,
 * so a restarted region (whose counter starts again) still outranks what it said before.
 */
export function nextVersion(previous: number, now: number): number {
  return Math.max(previous + 1, Math.floor(now));
}

/** Builds a full-snapshot announcement of everything `region` holds. */
export function snapshotAnnouncement(
  region: Region,
  version: number,
  entries: readonly TrackEntry[],
  now: number,
  ttlMs: number = ANNOUNCEMENT_TTL_MS,
): TrackAnnouncement {
  return { region, version, ts: Math.floor(now), ttlMs, full: true, entries: [...entries], retract: [] };
}

/**
 * Applies one announcement. An older version than the one held is ignored (the same table
 * is returned); the same version only refreshes the TTL (anti-entropy resend); a newer full
 * snapshot replaces the region's entries, a newer delta updates and retracts entries.
 * Expiry is measured on the receiver's clock, so sender clock skew cannot extend it.
 */
export function applyAnnouncement(table: TrackTable, a: TrackAnnouncementInput, now: number): TrackTable {
  const held = table.get(a.region);
  const expiresAt = now + a.ttlMs;
  if (held !== undefined && now < held.expiresAt) {
    if (a.version < held.version) return table;
    if (a.version === held.version) {
      if (expiresAt <= held.expiresAt) return table;
      return withRegion(table, a.region, { ...held, receivedAt: now, expiresAt });
    }
  }
  const full = a.full ?? true;
  const entries = new Map<TrackId, TrackEntry>(full || held === undefined ? [] : held.entries);
  if (!full) for (const t of a.retract ?? []) entries.delete(t);
  for (const e of a.entries) entries.set(e.track, e);
  return withRegion(table, a.region, { version: a.version, receivedAt: now, expiresAt, entries });
}

/** Drops every region whose announcement has outlived its TTL. */
export function expire(table: TrackTable, now: number): TrackTable {
  let out: Map<Region, RegionRecord> | null = null;
  for (const [region, rec] of table) {
    if (now < rec.expiresAt) continue;
    out ??= new Map(table);
    out.delete(region);
  }
  return out ?? table;
}

/** Forgets a region at once (e.g. it was removed from the peer list). */
export function dropRegion(table: TrackTable, region: Region): TrackTable {
  if (!table.has(region)) return table;
  const out = new Map(table);
  out.delete(region);
  return out;
}

/** Regions holding `track` (origin or copy) per unexpired announcements, sorted by name. */
export function holders(table: TrackTable, track: TrackId, now: number): Holder[] {
  const out: Holder[] = [];
  for (const [region, rec] of table) {
    if (now >= rec.expiresAt) continue;
    const e = rec.entries.get(track);
    if (e === undefined) continue;
    const h: Holder = { region, origin: e.origin };
    if (e.upstream !== undefined) h.upstream = e.upstream;
    if (e.pathLength !== undefined) h.pathLength = e.pathLength;
    out.push(h);
  }
  return out.sort((x, y) => (x.region < y.region ? -1 : x.region > y.region ? 1 : 0));
}

/** The region announcing `track` as its origin, or null when none does (unknown track). */
export function originOf(table: TrackTable, track: TrackId, now: number): Region | null {
  return holders(table, track, now).find((h) => h.origin)?.region ?? null;
}

/** Every track some unexpired announcement mentions. */
export function knownTracks(table: TrackTable, now: number): Set<TrackId> {
  const out = new Set<TrackId>();
  for (const rec of table.values()) {
    if (now >= rec.expiresAt) continue;
    for (const t of rec.entries.keys()) out.add(t);
  }
  return out;
}

function withRegion(table: TrackTable, region: Region, rec: RegionRecord): TrackTable {
  const out = new Map(table);
  out.set(region, rec);
  return out;
}
