// One measurement window of one ordered region pair, as produced by a probe agent.
import { z } from "zod";
import { regionSchema, trackIdSchema } from "./region.js";

export const PROBE_STATUSES = ["ok", "degraded", "no_media", "setup_failed", "http_error", "timeout", "region_offline"] as const;
export const probeStatusSchema = z.enum(PROBE_STATUSES);
export type ProbeStatus = z.infer<typeof probeStatusSchema>;

const nonNegative = z.number().nonnegative();

/**
 * How the window's media reached the probe: `direct` (host candidates, the default and what
 * a result without the field means — agents before TURN probes send none) or `turn` (the
 * subscriber used only a relay candidate of the region's TURN server; probes/turn/).
 */
export const PROBE_VIAS = ["direct", "turn"] as const;
export const probeViaSchema = z.enum(PROBE_VIAS);
export type ProbeVia = z.infer<typeof probeViaSchema>;

export const probeResultSchema = z.object({
  /** End of the window, ms since epoch. */
  ts: z.number().int().nonnegative(),
  windowMs: z.number().int().positive(),
  src: regionSchema,
  dst: regionSchema,
  track: trackIdSchema,
  status: probeStatusSchema,
  reason: z.string().max(1000),
  sent: z.number().int().nonnegative(),
  received: z.number().int().nonnegative(),
  lost: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  reordered: z.number().int().nonnegative(),
  jitterMs: nonNegative,
  latencyP50Ms: nonNegative.nullable(),
  latencyP95Ms: nonNegative.nullable(),
  ttfpMs: nonNegative.nullable(),
  setupMs: nonNegative.nullable(),
  relayPath: z.array(regionSchema).max(32),
  /** Absent means `direct` (compatible with agents and stores from before TURN probes). */
  via: probeViaSchema.optional(),
});
export type ProbeResult = z.infer<typeof probeResultSchema>;

/** Body of `POST /v1/ingest/probes`. */
export const MAX_PROBE_BATCH = 10_000;
export const probeIngestSchema = z.object({
  agent: z.string().min(1).max(200),
  results: z.array(probeResultSchema).max(MAX_PROBE_BATCH),
});
export type ProbeIngest = z.infer<typeof probeIngestSchema>;

/** The media path of a result; results without `via` are direct. */
export function viaOf(r: Pick<ProbeResult, "via">): ProbeVia {
  return r.via ?? "direct";
}

export function lossRatio(r: Pick<ProbeResult, "sent" | "lost">): number {
  return r.sent === 0 ? 0 : r.lost / r.sent;
}
