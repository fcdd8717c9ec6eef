// What on-call does to an alert from the TUI besides looking at it: acknowledge it in the
// analyzer (`POST /v1/alerts/:fingerprint/ack`, the same bearer token as the live API; every
// client watching sees the owner) and silence it in Alertmanager (alertmanager-client.ts).
// Built in cli/ from the flags; a replay has none.
import type { Alert } from "../../core/alert.js";
import { ackResponseSchema } from "../../core/analyzer-api.js";
import { errorMessage } from "../../core/errors.js";
import { DEFAULT_RUNBOOK_BASE_URL } from "../../core/runbook.js";
import { AlertmanagerClient, type OpResult } from "./alertmanager-client.js";
import type { FetchLike } from "./live-source.js";

/** 5 s: the analyzer acknowledges from memory. */
const ACK_TIMEOUT_MS = 5_000;

export interface AlertOps {
  /** Who is acting: the acknowledgement's owner and the silences' createdBy. */
  readonly user: string;
  /** Base of the runbook links shown in an alert's details (core/runbook.ts). */
  readonly runbookBaseUrl: string;
  /** Null without `--alertmanager`: silences are then unavailable (the TUI says so). */
  readonly alertmanager: AlertmanagerClient | null;
  acknowledge(alert: Alert): Promise<OpResult<Alert>>;
}

export interface LiveAlertOpsOptions {
  analyzerUrl: string;
  token?: string | undefined;
  user: string;
  alertmanagerUrl?: string | undefined;
  runbookBaseUrl?: string | undefined;
  fetch: FetchLike;
}

export class LiveAlertOps implements AlertOps {
  readonly user: string;
  readonly runbookBaseUrl: string;
  readonly alertmanager: AlertmanagerClient | null;
  private readonly o: LiveAlertOpsOptions;

  constructor(o: LiveAlertOpsOptions) {
    this.o = o;
    this.user = o.user;
    this.runbookBaseUrl = o.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL;
    this.alertmanager = o.alertmanagerUrl === undefined ? null : new AlertmanagerClient(o.alertmanagerUrl, o.fetch);
  }

  async acknowledge(alert: Alert): Promise<OpResult<Alert>> {
    const url = `${this.o.analyzerUrl.replace(/\/+$/, "")}/v1/alerts/${encodeURIComponent(alert.fingerprint)}/ack`;
    const headers: Record<string, string> = { "content-type": "application/json", ...(this.o.token === undefined ? {} : { authorization: `Bearer ${this.o.token}` }) };
    try {
      const res = await this.o.fetch(url, { method: "POST", headers, body: JSON.stringify({ by: this.user }), signal: AbortSignal.timeout(ACK_TIMEOUT_MS) });
      const text = await res.text();
      if (res.status === 404) return { ok: false, error: `${alert.name} no longer fires: nothing to acknowledge` };
      if (!res.ok) return { ok: false, error: `acknowledge → ${res.status} ${text.slice(0, 200)}` };
      const parsed = ackResponseSchema.safeParse(JSON.parse(text));
      return parsed.success ? { ok: true, value: parsed.data.alert } : { ok: false, error: "the analyzer's answer does not parse" };
    } catch (err) {
      return { ok: false, error: `acknowledge: ${errorMessage(err)}` };
    }
  }
}
