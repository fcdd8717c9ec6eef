// The contract between a region node and whoever watches it (the analyzer, the TUI through
// the analyzer, tests): `GET /v1/state` returns a RegionSnapshot; `GET /v1/events` streams
// SfuEvents over SSE (`id:` = seq, `data:` = JSON). Sequence numbers are per region process
// and strictly increasing by 1; a consumer that sees a gap refetches /v1/state. A snapshot's
// `seq` is the last event folded into it, so events with seq <= snapshot.seq are stale.
import { z } from "zod";
import { isolationPolicySchema, regionStateSchema } from "./region-health.js";
import { regionSchema, trackIdSchema } from "./region.js";
import { relayStateSchema } from "./relay-edge.js";

/** Legacy behaviours that reproduce the 2024-02-07 incident; all off by default. */
export const LEGACY_BEHAVIOURS = ["announce-early", "no-loop-guard", "isolation=naive"] as const;
export const legacyBehaviourSchema = z.enum(LEGACY_BEHAVIOURS);
export type LegacyBehaviour = z.infer<typeof legacyBehaviourSchema>;

/** One region's view of one track. */
export const trackEntrySchema = z.object({
  track: trackIdSchema,
  /** The region where the track is published; null while still unknown (locating). */
  origin: regionSchema.nullable(),
  /** True when a publisher in this region is the source. */
  local: z.boolean(),
  /** Where this region pulls the track from; null at the origin or before a pull started. */
  upstream: regionSchema.nullable(),
  state: relayStateSchema,
  /** Pull path that built this copy, this region first, e.g. [eu-central, eu-west, us-west]. */
  path: z.array(regionSchema).max(32),
  /** Packets/bytes received for this track in this region (from the publisher or relay-in). */
  packets: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  /** Local WHEP subscribers. */
  subscribers: z.number().int().nonnegative(),
  /** Regions this one relays the track to. */
  downstream: z.array(regionSchema),
  /** Whether this region currently announces a copy to its peers. */
  announced: z.boolean(),
  firstPacketAt: z.number().int().nonnegative().nullable(),
  updatedAt: z.number().int().nonnegative(),
});
export type TrackEntry = z.infer<typeof trackEntrySchema>;

export const peerEntrySchema = z.object({
  region: regionSchema,
  reachable: z.boolean(),
  rttMs: z.number().nonnegative().nullable(),
  lastSeenAt: z.number().int().nonnegative().nullable(),
});
export type PeerEntry = z.infer<typeof peerEntrySchema>;

export const regionStatusSchema = z.object({
  state: regionStateSchema,
  isolation: isolationPolicySchema,
  /** Why the region is in this state (the isolation policy's last decision). */
  reason: z.string().max(1000),
  since: z.number().int().nonnegative(),
  eventLoopLagMs: z.number().nonnegative(),
});
export type RegionStatus = z.infer<typeof regionStatusSchema>;

export const regionSnapshotSchema = z.object({
  region: regionSchema,
  seq: z.number().int().nonnegative(),
  ts: z.number().int().nonnegative(),
  /** Identifies the process: a restart resets seq, and consumers must refetch. */
  instance: z.string().min(1).max(100),
  engine: z.string().max(50),
  /** Why this engine runs (e.g. "auto: mediasoup 3.8.4 worker found at …"); absent from older nodes. */
  engineReason: z.string().max(1000).optional(),
  status: regionStatusSchema,
  behaviours: z.array(legacyBehaviourSchema),
  peers: z.array(peerEntrySchema),
  tracks: z.array(trackEntrySchema),
});
export type RegionSnapshot = z.infer<typeof regionSnapshotSchema>;

const eventBase = { seq: z.number().int().positive(), ts: z.number().int().nonnegative(), region: regionSchema };

export const sfuEventSchema = z.discriminatedUnion("type", [
  z.object({ ...eventBase, type: z.literal("track"), entry: trackEntrySchema }),
  z.object({ ...eventBase, type: z.literal("track-removed"), track: trackIdSchema }),
  z.object({ ...eventBase, type: z.literal("peer"), peer: peerEntrySchema }),
  z.object({ ...eventBase, type: z.literal("status"), status: regionStatusSchema }),
  z.object({ ...eventBase, type: z.literal("behaviours"), behaviours: z.array(legacyBehaviourSchema) }),
]);
export type SfuEvent = z.infer<typeof sfuEventSchema>;
export type SfuEventType = SfuEvent["type"];
