// A region's view of one track: where it gets the track from and whether packets flow.
import { z } from "zod";
import { regionSchema, trackIdSchema } from "./region.js";

export const RELAY_STATES = ["locating", "pulling", "flowing", "failed", "closed"] as const;
export const relayStateSchema = z.enum(RELAY_STATES);
export type RelayState = z.infer<typeof relayStateSchema>;

export const relayEdgeSchema = z.object({
  ts: z.number().int().nonnegative(),
  track: trackIdSchema,
  /** The region holding this copy. */
  region: regionSchema,
  /** Where this region pulls the track from; null at the origin. */
  upstream: regionSchema.nullable(),
  origin: regionSchema.nullable(),
  state: relayStateSchema,
  /** The pull path that built this relay, origin-most last, e.g. [eu-central, eu-west, us-west]. */
  path: z.array(regionSchema).max(32),
  packets: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  /** Whether the row is a periodic snapshot or a change event. */
  kind: z.enum(["snapshot", "change"]),
});
export type RelayEdge = z.infer<typeof relayEdgeSchema>;
