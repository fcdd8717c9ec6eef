// Alerts: fixed names (a contract with scenario files, rules and dashboards), labels,
// evidence and lifecycle.
import { z } from "zod";

export const ALERT_NAMES = [
  "RelayLoop",
  "MissingRelay",
  "ProbePairFailing",
  "FalseIsolation",
  "RegionOffline",
  "RegionUnreachable",
  "RelayLatencyHigh",
  "StaleRelay",
  "TurnUnavailable",
] as const;
export const alertNameSchema = z.enum(ALERT_NAMES);
export type AlertName = z.infer<typeof alertNameSchema>;

export const SEVERITIES = ["critical", "warning", "info"] as const;
export const severitySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof severitySchema>;

export const alertStateSchema = z.enum(["firing", "resolved"]);
export type AlertState = z.infer<typeof alertStateSchema>;

/** Label names used by relaywatch alerts (DESIGN). */
export const ALERT_LABELS = ["severity", "track", "region", "regions", "src", "dst"] as const;

export const alertSchema = z.object({
  /** Stable across restarts: a hash of name + identifying labels. */
  fingerprint: z.string().min(1).max(64),
  name: alertNameSchema,
  state: alertStateSchema,
  severity: severitySchema,
  labels: z.record(z.string(), z.string()),
  summary: z.string().max(2000),
  /** Structured evidence: the cycle, failing pairs, timestamps… */
  evidence: z.record(z.string(), z.unknown()),
  startsAt: z.number().int().nonnegative(),
  endsAt: z.number().int().nonnegative().nullable(),
  updatedAt: z.number().int().nonnegative(),
});
export type Alert = z.infer<typeof alertSchema>;
