// The WHIP/WHEP HTTP client (RFC 9725 and the WHEP draft): POST an SDP offer, get 201 +
// Location + SDP answer; DELETE the Location to end the session. Works against any SFU
// that speaks the protocols; reads relaywatch's `Relay-Path` header when present.
// Expected failures (non-201, timeouts, refused connections, malformed answers) come back
// as values for the classifier; it never throws for them. Tokens go in the Authorization
// header only and never into reasons or logs (endpoints are reported without query string).
import { systemClock, type Clock } from "../core/clock.js";
import { errorMessage, type Result } from "../core/errors.js";
import { regionSchema, type Region } from "../core/region.js";
import type { SfuFailover } from "./failover.js";
import type { SetupFailure } from "./stats/observation.js";

/** 5 s: an SFU answers an offer in milliseconds plus a relay pull across the mesh (a few RTTs). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;
/** 2 s: a DELETE is best effort; the SFU also ends the session when ICE goes away. */
export const DEFAULT_DELETE_TIMEOUT_MS = 2000;
/** Error bodies are quoted in reasons; the schema caps reasons at 1000 chars. */
const MAX_DETAIL_CHARS = 200;
/** Bodies above 1 MiB are not an SDP answer (browser answers are a few KB). */
const MAX_BODY_BYTES = 1024 * 1024;

export type WhipKind = "WHIP" | "WHEP";

export interface WhipSession {
  /** Absolute URL of the session resource, for DELETE. */
  location: string;
  answerSdp: string;
  /** `Relay-Path` as reported, origin first; empty when absent or not region names. */
  relayPath: Region[];
}

export interface WhipClientOptions {
  fetch?: typeof globalThis.fetch;
  clock?: Clock;
  requestTimeoutMs?: number;
  deleteTimeoutMs?: number;
  /** Client-side region failover for offers (failover.ts); without it, one attempt. */
  failover?: SfuFailover | undefined;
}

export class WhipClient {
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly clock: Clock;
  readonly requestTimeoutMs: number;
  private readonly deleteTimeoutMs: number;
  private readonly failover: SfuFailover | undefined;
  /** Aborted by close(): ends every offer in flight. */
  private readonly closer = new AbortController();

  constructor(options: WhipClientOptions = {}) {
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.clock = options.clock ?? systemClock;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.deleteTimeoutMs = options.deleteTimeoutMs ?? DEFAULT_DELETE_TIMEOUT_MS;
    this.failover = options.failover;
  }

  /**
   * Ends every offer in flight and answers later ones at once with a failure, so a stopping
   * agent never waits out an SFU's request timeout. DELETEs still go out (best effort, bounded
   * by their own timeout): the sessions they end are the SFU's to free. Idempotent.
   */
  close(): void {
    this.closer.abort();
  }

  /**
   * POSTs `offerSdp` to a WHIP or WHEP endpoint — with failover, to the next SFU while each
   * refuses (503, no connection). All refusing: the first refusal is the answer.
   */
  async offer(kind: WhipKind, url: string, offerSdp: string, token?: string): Promise<Result<WhipSession, SetupFailure>> {
    const failover = this.failover;
    if (failover === undefined) return this.offerOnce(kind, url, offerSdp, token);
    const [head = url, ...rest] = failover.candidates(url);
    const first = await this.offerOnce(kind, head, offerSdp, token);
    if (!failover.record(head, first.ok ? null : first.error)) return first;
    for (const candidate of rest) {
      const res = await this.offerOnce(kind, candidate, offerSdp, token);
      if (!failover.record(candidate, res.ok ? null : res.error)) return res;
    }
    return first;
  }

  private async offerOnce(kind: WhipKind, url: string, offerSdp: string, token?: string): Promise<Result<WhipSession, SetupFailure>> {
    const endpoint = `${kind} ${describeEndpoint(url)}`;
    const headers: Record<string, string> = { "content-type": "application/sdp", accept: "application/sdp" };
    if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
    const res = await this.request(url, { method: "POST", headers, body: offerSdp }, this.requestTimeoutMs, this.closer.signal);
    if (!res.ok) return res;
    const { response, body } = res.value;
    if (response.status !== 201) return { ok: false, error: httpFailure(response, body, endpoint, this.clock.now()) };
    const locationHeader = response.headers.get("location");
    if (locationHeader === null) return setupFailure("answer", `${endpoint} answered 201 without a Location header`);
    let location: string;
    try {
      location = new URL(locationHeader, url).href;
    } catch {
      return setupFailure("answer", `${endpoint} answered 201 with an unusable Location ${JSON.stringify(locationHeader.slice(0, 100))}`);
    }
    if (!body.startsWith("v=0")) return setupFailure("answer", `${endpoint} answered 201 without an SDP answer`);
    return { ok: true, value: { location, answerSdp: body, relayPath: parseRelayPath(response.headers.get("relay-path")) } };
  }

  /** Ends a session; 404 counts as done (the SFU already dropped it). */
  async delete(location: string, token?: string): Promise<Result<void, SetupFailure>> {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
    const res = await this.request(location, { method: "DELETE", headers }, this.deleteTimeoutMs);
    if (!res.ok) return res;
    const { response, body } = res.value;
    if (response.ok || response.status === 404) return { ok: true, value: undefined };
    return { ok: false, error: httpFailure(response, body, `DELETE ${describeEndpoint(location)}`, this.clock.now()) };
  }

  private async request(url: string, init: RequestInit, timeoutMs: number, stop?: AbortSignal): Promise<Result<{ response: Response; body: string }, SetupFailure>> {
    // A function, not a field test: TypeScript would keep the narrowing across the await.
    const stopped = (): boolean => stop?.aborted === true;
    if (stopped()) return setupFailure("network", `${describeEndpoint(url)}: the client is closed`);
    // A network timeout is real time, whatever clock the caller schedules with.
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = stop === undefined ? timeout : AbortSignal.any([timeout, stop]);
    try {
      const response = await this.fetchFn(url, { ...init, signal, redirect: "error" });
      const body = await readBody(response);
      return { ok: true, value: { response, body } };
    } catch (err) {
      if (stopped()) return setupFailure("network", `${describeEndpoint(url)}: the client was closed`);
      if (timeout.aborted) return { ok: false, error: { kind: "timeout", stage: "request", afterMs: timeoutMs } };
      return setupFailure("network", `${describeEndpoint(url)}: ${networkDetail(err)}`);
    }
  }
}

/** `scheme://host/path` without query or credentials: what reasons and logs may show. */
export function describeEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/** `us-west>eu-west>eu-central` → regions; anything that is not a list of region names → []. */
export function parseRelayPath(header: string | null): Region[] {
  if (header === null || header.trim() === "") return [];
  const parts = header.split(">").map((p) => p.trim());
  return parts.every((p) => regionSchema.safeParse(p).success) ? parts.slice(0, 32) : [];
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

function httpFailure(response: Response, body: string, endpoint: string, nowMs: number): SetupFailure {
  let errorCode: string | null = null;
  let detail: string | null = null;
  try {
    const parsed = JSON.parse(body) as unknown;
    if (typeof parsed === "object" && parsed !== null) {
      const { error, detail: d } = parsed as Record<string, unknown>;
      if (typeof error === "string") errorCode = error.slice(0, MAX_DETAIL_CHARS);
      if (d !== undefined) detail = (typeof d === "string" ? d : JSON.stringify(d)).slice(0, MAX_DETAIL_CHARS);
    }
  } catch {
    const text = body.trim();
    if (text !== "") detail = text.slice(0, MAX_DETAIL_CHARS);
  }
  return {
    kind: "http",
    status: response.status,
    statusText: response.statusText,
    errorCode,
    detail,
    retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), nowMs),
    endpoint,
  };
}

async function readBody(response: Response): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel();
    return "";
  }
  const text = await response.text();
  return text.length > MAX_BODY_BYTES ? text.slice(0, MAX_BODY_BYTES) : text;
}

function networkDetail(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code === undefined ? cause.message : `${code} (${cause.message})`;
  }
  return errorMessage(err);
}

function setupFailure(stage: "network" | "answer", detail: string): { ok: false; error: SetupFailure } {
  return { ok: false, error: { kind: "setup", stage, detail } };
}
