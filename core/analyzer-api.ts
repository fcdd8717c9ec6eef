// The analyzer's live API (for the TUI and scripts): `GET /v1/overview`, `GET /v1/alerts`,
// `GET /v1/tracks/:room/:track`, and SSE `GET /v1/stream` of AnalyzerStreamEvents.
import { z } from "zod";
import { alertSchema } from "./alert.js";
import { probeStatusSchema } from "./probe-result.js";
import { regionSchema, trackIdSchema } from "./region.js";
import { relayStateSchema } from "./relay-edge.js";
import { legacyBehaviourSchema, peerEntrySchema, regionStatusSchema } from "./sfu-state.js";

/** One src→dst cell of the probe matrix. */
export const pairCellSchema = z.object({
  src: regionSchema,
  dst: regionSchema,
  status: probeStatusSchema,
  reason: z.string(),
  latencyP50Ms: z.number().nonnegative().nullable(),
  lossRatio: z.number().min(0).max(1),
  jitterMs: z.number().nonnegative(),
  relayPath: z.array(regionSchema),
  /** The last windows' statuses, oldest first (for sparklines and k-of-n). */
  recent: z.array(probeStatusSchema).max(120),
  updatedAt: z.number().int().nonnegative(),
  /** Never delivered media since it appeared, within the warm-up grace: it does not alert yet. */
  starting: z.boolean().optional(),
});
export type PairCell = z.infer<typeof pairCellSchema>;

/** One region as the analyzer sees it. */
export const regionViewSchema = z.object({
  region: regionSchema,
  /** Whether the analyzer currently reaches the region's API. */
  connected: z.boolean(),
  lastEventAt: z.number().int().nonnegative().nullable(),
  status: regionStatusSchema.nullable(),
  behaviours: z.array(legacyBehaviourSchema),
  peers: z.array(peerEntrySchema),
  /** State changes, newest last, for the isolation history. */
  history: z.array(z.object({ at: z.number().int().nonnegative(), state: z.string(), reason: z.string() })).max(50),
  tracks: z.number().int().nonnegative(),
  /** Never reached since it appeared, within the warm-up grace: it does not alert yet. */
  starting: z.boolean().optional(),
});
export type RegionView = z.infer<typeof regionViewSchema>;

/** One region's TURN probe (probes/turn/): its last window, and whether it fails k of n. */
export const turnCellSchema = z.object({
  region: regionSchema,
  status: probeStatusSchema,
  reason: z.string(),
  failing: z.boolean(),
  /** Media through the relay, last window (null when none arrived). */
  latencyP50Ms: z.number().nonnegative().nullable(),
  updatedAt: z.number().int().nonnegative(),
});
export type TurnCell = z.infer<typeof turnCellSchema>;

export const overviewSchema = z.object({
  ts: z.number().int().nonnegative(),
  regions: z.array(regionViewSchema),
  pairs: z.array(pairCellSchema),
  /** Regions whose agents run a TURN probe (absent from analyzers before TURN probes). */
  turn: z.array(turnCellSchema).optional(),
  /** Firing critical alerts not muted by their cause: the pages (muted ones are in /v1/alerts with evidence.inhibitedBy; warnings page no one). */
  firingAlerts: z.number().int().nonnegative(),
});
export type Overview = z.infer<typeof overviewSchema>;

export const alertsResponseSchema = z.object({
  ts: z.number().int().nonnegative(),
  /** Firing first, then resolved within the retention window; newest first within each. */
  alerts: z.array(alertSchema),
});
export type AlertsResponse = z.infer<typeof alertsResponseSchema>;

/** POST /v1/alerts/:fingerprint/ack: who takes the alert (a name on-call knows, e.g. a login). */
export const ackRequestSchema = z.object({ by: z.string().trim().min(1).max(100) }).strict();
export type AckRequest = z.infer<typeof ackRequestSchema>;
/** The acknowledged alert: `evidence.ackedBy` / `ackedAt` are set; the stream carries the same update to every client. */
export const ackResponseSchema = z.object({ alert: alertSchema });

export const trackNodeSchema = z.object({
  region: regionSchema,
  upstream: regionSchema.nullable(),
  state: relayStateSchema,
  packetsPerSec: z.number().nonnegative(),
  subscribers: z.number().int().nonnegative(),
  local: z.boolean(),
});
export type TrackNode = z.infer<typeof trackNodeSchema>;

export const trackGraphSchema = z.object({
  ts: z.number().int().nonnegative(),
  track: trackIdSchema,
  origin: regionSchema.nullable(),
  nodes: z.array(trackNodeSchema),
  /** A relay loop in order, first region repeated at the end (a → b → a); null when none. */
  cycle: z.array(regionSchema).nullable(),
});
export type TrackGraph = z.infer<typeof trackGraphSchema>;

export const tracksListSchema = z.object({
  ts: z.number().int().nonnegative(),
  tracks: z.array(z.object({ track: trackIdSchema, origin: regionSchema.nullable(), regions: z.number().int().nonnegative(), cycle: z.boolean() })),
});
export type TracksList = z.infer<typeof tracksListSchema>;

export const analyzerStreamEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("overview"), overview: overviewSchema }),
  z.object({ type: z.literal("alert"), alert: alertSchema }),
  z.object({ type: z.literal("track"), graph: trackGraphSchema }),
]);
export type AnalyzerStreamEvent = z.infer<typeof analyzerStreamEventSchema>;
