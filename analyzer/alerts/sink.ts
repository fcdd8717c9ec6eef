// The AlertSink seam and the wire formats relaywatch speaks: Alertmanager's API v2 alert
// (`POST /api/v2/alerts`) and Alertmanager's webhook payload version 4 (what its own
// webhook_configs send), so a plain webhook receiver written for Alertmanager works as is.
import type { Alert } from "../../core/alert.js";
import { runbookUrl } from "../../core/runbook.js";

export interface AlertSink {
  /** Metric label and log field, e.g. `alertmanager:127.0.0.1:9093`. */
  readonly name: string;
  /** Firing alerts are re-sent every resendInterval (Alertmanager expires them otherwise). */
  readonly resend: boolean;
  /** Delivers alerts; rejects with the reason when the receiver did not take them. */
  send(alerts: readonly Alert[]): Promise<void>;
}

export interface SinkContext {
  /** The analyzer's external URL; alerts link back to `/v1/alerts?fingerprint=…`. */
  externalUrl: string;
  now(): number;
  /** Firing alerts get endsAt = now + 4 × resend, as Prometheus does: a dead analyzer's alerts expire. */
  resendIntervalMs: number;
  /** Where the runbooks are (`runbook_url` = base/<AlertName>.md); default this installation's docs/runbooks. */
  runbookBaseUrl?: string;
}

/** 2000 chars: Alertmanager annotations are shown in notifications; full evidence is in the API. */
export const EVIDENCE_ANNOTATION_LIMIT = 2000;

/** Alertmanager's zero time, used in webhook payloads for "no end". */
const ZERO_TIME = "0001-01-01T00:00:00Z";

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

export function generatorUrl(ctx: SinkContext, a: Alert): string {
  return `${ctx.externalUrl.replace(/\/$/, "")}/v1/alerts?fingerprint=${a.fingerprint}`;
}

export function toAmAlert(a: Alert, ctx: SinkContext): AmAlert {
  const evidence = JSON.stringify(a.evidence);
  const endsAt = a.state === "resolved" ? (a.endsAt ?? ctx.now()) : ctx.now() + 4 * ctx.resendIntervalMs;
  return {
    labels: { alertname: a.name, ...a.labels },
    annotations: {
      summary: a.summary,
      relaywatch_fingerprint: a.fingerprint,
      runbook_url: runbookUrl(a.name, ctx.runbookBaseUrl),
      evidence: evidence.length > EVIDENCE_ANNOTATION_LIMIT ? `${evidence.slice(0, EVIDENCE_ANNOTATION_LIMIT - 1)}…` : evidence,
    },
    startsAt: new Date(a.startsAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    generatorURL: generatorUrl(ctx, a),
  };
}

/**
 * An alert raised from warning to critical in place (alerts/paging.ts) has a new label set
 * in Alertmanager's eyes; the warning's label set is sent along as resolved (ended when the
 * severity was raised), so it does not linger as an active ticket until it expires.
 */
export function toAmAlerts(a: Alert, ctx: SinkContext): AmAlert[] {
  const am = toAmAlert(a, ctx);
  const escalatedAt = a.evidence["escalatedAt"];
  if (typeof escalatedAt !== "number" || a.severity !== "critical") return [am];
  return [am, { ...am, labels: { ...am.labels, severity: "warning" }, endsAt: new Date(escalatedAt).toISOString() }];
}

export interface WebhookPayloadV4 {
  version: "4";
  groupKey: string;
  truncatedAlerts: number;
  status: "firing" | "resolved";
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: {
    status: "firing" | "resolved";
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt: string;
    generatorURL: string;
    fingerprint: string;
  }[];
}

/** One v4 payload for a group of alerts (the dispatcher groups by alertname, as Alertmanager's default route does). */
export function toWebhookPayload(alerts: readonly Alert[], ctx: SinkContext, receiver: string): WebhookPayloadV4 {
  const am = alerts.map((a) => ({ a, w: toAmAlert(a, ctx) }));
  const name = alerts[0]?.name ?? "";
  const groupLabels = { alertname: name };
  return {
    version: "4",
    groupKey: `{}:{alertname="${name}"}`,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.state === "firing") ? "firing" : "resolved",
    receiver,
    groupLabels,
    commonLabels: common(am.map((x) => x.w.labels)),
    commonAnnotations: common(am.map((x) => x.w.annotations)),
    externalURL: ctx.externalUrl,
    alerts: am.map(({ a, w }) => ({
      status: a.state,
      labels: w.labels,
      annotations: w.annotations,
      startsAt: w.startsAt,
      endsAt: a.state === "resolved" ? w.endsAt : ZERO_TIME,
      generatorURL: w.generatorURL,
      fingerprint: a.fingerprint,
    })),
  };
}

function common(maps: readonly Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (first === undefined) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) if (rest.every((m) => m[k] === v)) out[k] = v;
  return out;
}
