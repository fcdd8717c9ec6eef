// On-call mitigations as data (issue 18): what an operator asks the analyzer to do to the
// SFU's regions (POST /v1/actions), the plan it shows before it runs (what it will do,
// region by region), and the audited record of what was done, by whom, when, and whether
// the effect was verified (the alert resolved, the probes recovered). Shared by the
// analyzer (executes and records), the CLI (`relaywatch action …`) and the TUI.
import { z } from "zod";
import { regionSchema } from "./region.js";

export const ACTION_KINDS = ["loop-break", "override-isolation", "behaviours", "drain"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

const behaviourItem = z.string().min(1).max(64);

export const actionRequestSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("loop-break"),
    /** The cycle's regions (the RelayLoop's `regions` label); with `track` alone, that track's cycle. */
    regions: z.array(regionSchema).min(1).max(16).optional(),
    track: z.string().min(1).max(256).optional(),
    /** Also turn the loop guard back on in the cycle's regions, so the next tracks cannot loop again (default true). */
    restoreLoopGuard: z.boolean().optional(),
  }),
  z.object({ kind: z.literal("override-isolation"), region: regionSchema }),
  z.object({ kind: z.literal("behaviours"), region: regionSchema, set: z.array(behaviourItem).max(8) }),
  z.object({ kind: z.literal("drain"), region: regionSchema }),
]);
export type ActionRequest = z.infer<typeof actionRequestSchema>;

/** POST /v1/actions/plan: the request; POST /v1/actions: the request, who asks, and the confirmation. */
export const actionBodySchema = z.object({
  request: actionRequestSchema,
  /** Who runs it (the CLI and TUI send the local user name); recorded with the action. */
  actor: z.string().min(1).max(128),
  /** Must be true: an action runs only once its plan was shown and confirmed. */
  confirmed: z.literal(true),
});
export type ActionBody = z.infer<typeof actionBodySchema>;

/** One call on one region's admin API. */
export const actionStepSchema = z.object({
  region: regionSchema,
  method: z.enum(["POST", "PUT"]),
  path: z.string(),
  body: z.unknown(),
  /** What it does, in words ("eu-central: drop the relay of probe/us-west-3 and re-locate it from us-west"). */
  says: z.string(),
});
export type ActionStep = z.infer<typeof actionStepSchema>;

export const actionPlanSchema = z.object({
  kind: z.enum(ACTION_KINDS),
  /** The regions acted on, sorted, comma-joined. */
  target: z.string(),
  summary: z.string(),
  steps: z.array(actionStepSchema),
  /**
   * How the effect is verified: these alerts resolve, and every probe pair into (`into`) or
   * into or out of (`both`) these regions is ok.
   */
  verify: z.object({
    alerts: z.array(z.object({ fingerprint: z.string(), name: z.string() })),
    regions: z.array(regionSchema),
    pairs: z.enum(["into", "both"]),
  }),
});
export type ActionPlan = z.infer<typeof actionPlanSchema>;

export const ACTION_STATES = ["running", "failed", "verifying", "verified", "unverified", "done"] as const;
export type ActionState = (typeof ACTION_STATES)[number];

export const stepResultSchema = z.object({ region: regionSchema, says: z.string(), ok: z.boolean(), status: z.number().int(), detail: z.string() });
export type StepResult = z.infer<typeof stepResultSchema>;

export const actionRecordSchema = z.object({
  id: z.string(),
  kind: z.enum(ACTION_KINDS),
  target: z.string(),
  actor: z.string(),
  summary: z.string(),
  state: z.enum(ACTION_STATES),
  requestedAt: z.number().int(),
  finishedAt: z.number().int().nullable(),
  verifiedAt: z.number().int().nullable(),
  steps: z.array(stepResultSchema),
  /** The verification's last word ("RelayLoop resolved; 12/12 pairs ok"). */
  verification: z.string(),
  alerts: z.array(z.string()),
});
export type ActionRecord = z.infer<typeof actionRecordSchema>;

export const actionsResponseSchema = z.object({ actions: z.array(actionRecordSchema) });
