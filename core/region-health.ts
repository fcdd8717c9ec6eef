// A region's own health and isolation decision, as it reports it.
import { z } from "zod";
import { regionSchema } from "./region.js";

export const REGION_STATES = ["online", "offline"] as const;
export const regionStateSchema = z.enum(REGION_STATES);
export type RegionState = z.infer<typeof regionStateSchema>;

export const ISOLATION_POLICIES = ["guarded", "naive"] as const;
export const isolationPolicySchema = z.enum(ISOLATION_POLICIES);
export type IsolationPolicy = z.infer<typeof isolationPolicySchema>;

export const regionHealthSchema = z.object({
  ts: z.number().int().nonnegative(),
  region: regionSchema,
  state: regionStateSchema,
  isolation: isolationPolicySchema,
  reachablePeers: z.number().int().nonnegative(),
  totalPeers: z.number().int().nonnegative(),
  eventLoopLagMs: z.number().nonnegative(),
  reason: z.string().max(1000),
});
export type RegionHealth = z.infer<typeof regionHealthSchema>;
