// The two HTTP sinks: Alertmanager API v2 and a webhook receiver (Alertmanager's v4
// payload). Both are one POST with a timeout; retries and backoff are the dispatcher's.
import type { Alert } from "../../core/alert.js";
import { toAmAlerts, toWebhookPayload, type AlertSink, type SinkContext } from "./sink.js";

/** 5 s: Alertmanager answers from memory in milliseconds; longer means it is wedged. */
export const SEND_TIMEOUT_MS = 5000;

export type FetchFn = typeof fetch;

export class SinkError extends Error {
  override name = "SinkError";
  readonly status: number | null;
  constructor(message: string, status: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

async function post(fetchFn: FetchFn, url: string, body: unknown): Promise<void> {
  let res: Response;
  try {
    res = await fetchFn(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
  } catch (err) {
    throw new SinkError(`POST ${url} failed: ${err instanceof Error ? err.message : String(err)}`, null, { cause: err });
  }
  const text = await res.text().catch(() => "");
  if (!res.ok) throw new SinkError(`POST ${url} → ${res.status} ${text.slice(0, 200)}`, res.status);
}

export class AlertmanagerSink implements AlertSink {
  readonly name: string;
  readonly resend = true;
  private readonly url: string;
  private readonly ctx: SinkContext;
  private readonly fetchFn: FetchFn;

  constructor(baseUrl: string, ctx: SinkContext, fetchFn: FetchFn = fetch) {
    const u = new URL(baseUrl);
    this.name = `alertmanager:${u.host}`;
    this.url = new URL("api/v2/alerts", baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`).toString();
    this.ctx = ctx;
    this.fetchFn = fetchFn;
  }

  async send(alerts: readonly Alert[]): Promise<void> {
    await post(this.fetchFn, this.url, alerts.flatMap((a) => toAmAlerts(a, this.ctx)));
  }
}

export class WebhookSink implements AlertSink {
  readonly name: string;
  readonly resend = false;
  private readonly url: string;
  private readonly ctx: SinkContext;
  private readonly fetchFn: FetchFn;

  constructor(url: string, ctx: SinkContext, fetchFn: FetchFn = fetch) {
    this.name = `webhook:${new URL(url).host}`;
    this.url = url;
    this.ctx = ctx;
    this.fetchFn = fetchFn;
  }

  async send(alerts: readonly Alert[]): Promise<void> {
    const groups = new Map<string, Alert[]>();
    for (const a of alerts) {
      const g = groups.get(a.name) ?? [];
      g.push(a);
      groups.set(a.name, g);
    }
    for (const g of groups.values()) await post(this.fetchFn, this.url, toWebhookPayload(g, this.ctx, "relaywatch"));
  }
}
