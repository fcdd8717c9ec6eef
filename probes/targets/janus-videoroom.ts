// Janus VideoRoom over the Janus HTTP API (janus.plugin.videoroom, Janus 1.x): a probe
// *target* for fleets whose SFU is Janus. A session with one handle per role: publish
// sends our JSEP offer with `joinandconfigure` and gets Janus' answer; subscribe joins as a
// subscriber and gets Janus' offer, which our peer answers with `start`. Asynchronous
// plugin events come through the session's long poll (GET /janus/<session>). Expected
// failures are values (JanusError codes from the server, HTTP and transport errors); the
// caller's fetch is injected. The probe target built on it is janus.ts.
import { randomUUID } from "node:crypto";
import { errorMessage, type Result } from "../../core/errors.js";

export const JANUS_VIDEOROOM = "janus.plugin.videoroom";
/** 10 s: Janus answers a join within milliseconds; a plugin event later than this is lost. */
const EVENT_TIMEOUT_MS = 10_000;

export interface JanusFailure {
  kind: "http" | "janus" | "transport" | "timeout";
  detail: string;
  /** Janus' or the VideoRoom's error code, when it gave one. */
  code: number | null;
}

type Json = Record<string, unknown>;

export interface JanusOptions {
  /** The HTTP API base, e.g. http://127.0.0.1:8088/janus */
  baseUrl: string;
  fetch?: typeof globalThis.fetch;
}

export class JanusSession {
  readonly url: string;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly events: Json[] = [];

  private constructor(url: string, fetchFn: typeof globalThis.fetch) {
    this.url = url;
    this.fetchFn = fetchFn;
  }

  static async create(o: JanusOptions): Promise<Result<JanusSession, JanusFailure>> {
    const fetchFn = o.fetch ?? globalThis.fetch;
    const base = o.baseUrl.replace(/\/+$/, "");
    const r = await post(fetchFn, base, { janus: "create" });
    if (!r.ok) return r;
    const id = (r.value["data"] as Json | undefined)?.["id"];
    if (typeof id !== "number") return { ok: false, error: { kind: "janus", detail: "create: no session id", code: null } };
    return { ok: true, value: new JanusSession(`${base}/${id}`, fetchFn) };
  }

  /** A VideoRoom handle; its URL takes plugin messages. */
  async attach(): Promise<Result<string, JanusFailure>> {
    const r = await post(this.fetchFn, this.url, { janus: "attach", plugin: JANUS_VIDEOROOM });
    if (!r.ok) return r;
    const id = (r.value["data"] as Json | undefined)?.["id"];
    if (typeof id !== "number") return { ok: false, error: { kind: "janus", detail: "attach: no handle id", code: null } };
    return { ok: true, value: `${this.url}/${id}` };
  }

  /** A synchronous VideoRoom request (create, exists, listparticipants…): its plugin data. */
  async request(handle: string, body: Json): Promise<Result<Json, JanusFailure>> {
    const r = await post(this.fetchFn, handle, { janus: "message", body });
    if (!r.ok) return r;
    return pluginData(r.value);
  }

  /** An asynchronous request (join, start…): acked at once, answered by an event with its JSEP. */
  async requestAsync(handle: string, body: Json, jsep?: { type: "offer" | "answer"; sdp: string }): Promise<Result<{ data: Json; jsep: { type: string; sdp: string } | null }, JanusFailure>> {
    const r = await post(this.fetchFn, handle, { janus: "message", body, ...(jsep === undefined ? {} : { jsep }) }, "ack");
    if (!r.ok) return r;
    const sender = Number(handle.slice(handle.lastIndexOf("/") + 1));
    const ev = await this.nextEvent((e) => e["sender"] === sender && e["janus"] === "event", EVENT_TIMEOUT_MS);
    if (!ev.ok) return ev;
    const data = pluginData(ev.value);
    if (!data.ok) return data;
    const j = ev.value["jsep"] as Json | undefined;
    return { ok: true, value: { data: data.value, jsep: j !== undefined && typeof j["sdp"] === "string" ? { type: String(j["type"]), sdp: j["sdp"] } : null } };
  }

  /** Janus ends a session idle for its session_timeout (60 s by default). */
  async keepalive(): Promise<boolean> {
    return (await post(this.fetchFn, this.url, { janus: "keepalive" }, "ack")).ok;
  }

  async destroy(): Promise<void> {
    await post(this.fetchFn, this.url, { janus: "destroy" });
  }

  private async nextEvent(match: (e: Json) => boolean, timeoutMs: number): Promise<Result<Json, JanusFailure>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.events.findIndex(match);
      const hit = this.events[i];
      if (hit !== undefined) {
        this.events.splice(i, 1);
        return { ok: true, value: hit };
      }
      if (Date.now() > deadline) return { ok: false, error: { kind: "timeout", detail: `no VideoRoom event within ${timeoutMs} ms`, code: null } };
      const polled = await getJson(this.fetchFn, `${this.url}?maxev=10&rid=${Date.now()}`);
      if (!polled.ok) return polled;
      for (const e of Array.isArray(polled.value) ? (polled.value as Json[]) : [polled.value as Json]) if (e["janus"] !== "keepalive") this.events.push(e);
    }
  }
}

function pluginData(msg: Json): Result<Json, JanusFailure> {
  const data = ((msg["plugindata"] as Json | undefined)?.["data"] as Json | undefined) ?? null;
  if (data === null) return { ok: false, error: { kind: "janus", detail: "no plugin data", code: null } };
  if (typeof data["error"] === "string") return { ok: false, error: { kind: "janus", detail: data["error"], code: typeof data["error_code"] === "number" ? data["error_code"] : null } };
  return { ok: true, value: data };
}

async function post(fetchFn: typeof globalThis.fetch, url: string, body: Json, expect = "success"): Promise<Result<Json, JanusFailure>> {
  let res: Response;
  try {
    res = await fetchFn(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, transaction: randomUUID() }), signal: AbortSignal.timeout(EVENT_TIMEOUT_MS) });
  } catch (err) {
    return { ok: false, error: { kind: "transport", detail: errorMessage(err), code: null } };
  }
  if (!res.ok) return { ok: false, error: { kind: "http", detail: `HTTP ${res.status}`, code: res.status } };
  const msg = (await res.json()) as Json;
  if (msg["janus"] === "error") {
    const e = msg["error"] as Json | undefined;
    return { ok: false, error: { kind: "janus", detail: typeof e?.["reason"] === "string" ? e["reason"] : "error", code: typeof e?.["code"] === "number" ? e["code"] : null } };
  }
  if (msg["janus"] !== expect) return { ok: false, error: { kind: "janus", detail: `expected ${expect}, got ${String(msg["janus"])}`, code: null } };
  return { ok: true, value: msg };
}

async function getJson(fetchFn: typeof globalThis.fetch, url: string): Promise<Result<unknown, JanusFailure>> {
  try {
    const res = await fetchFn(url, { signal: AbortSignal.timeout(EVENT_TIMEOUT_MS + 30_000) });
    if (!res.ok) return { ok: false, error: { kind: "http", detail: `HTTP ${res.status}`, code: res.status } };
    return { ok: true, value: await res.json() };
  } catch (err) {
    return { ok: false, error: { kind: "transport", detail: errorMessage(err), code: null } };
  }
}
