// Property-based HTTP fuzzing support (fast-check): arbitrary requests — methods, paths
// built from a server's route templates or from nothing, query strings, headers
// (content-type, authorization garbage, random ones), bodies (JSON-ish, binary, text, SDP-ish,
// sizes up to and past each server's limit) — sent over real HTTP to a real server, with
// every 5xx recorded. Test code only.
import { Agent, request } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | string | null;
}

export interface FuzzReply {
  status: number;
  /** The first bytes of the body (the whole body for short answers). */
  text: string;
}

export const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] as const;

/** Characters fetch() accepts in a header value (visible ASCII and space, no CR/LF). */
const HEADER_CHAR = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
export const headerValue = (maxLength = 200): fc.Arbitrary<string> => fc.string({ unit: HEADER_CHAR, maxLength }).map((s) => s.trim());

/** A path segment: plain, unicode, percent-encoded junk, dot segments, or very long. */
export const segment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", ".", "..", "%", "%00", "%2F", "%ZZ", "~", "a", "room", "track", "live", "eu-central", "0", "-1", "null", "undefined", "__proto__", "constructor"),
  fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(s)),
  fc.string({ unit: "grapheme", maxLength: 12 }).map((s) => encodeURIComponent(s)),
  fc.integer({ min: 100, max: 3000 }).map((n) => "x".repeat(n)),
);

/** Fills a route template (`/whip/:room/:track`) with arbitrary segments. */
export function fromTemplate(template: string): fc.Arbitrary<string> {
  const parts = template.split("/");
  const slots = parts.filter((p) => p.startsWith(":")).length;
  return fc.array(fc.oneof(segment, fc.constantFrom("live", "cam", "a", "b")), { minLength: slots, maxLength: slots }).map((vals) => {
    let i = 0;
    return parts.map((p) => (p.startsWith(":") ? (vals[i++] ?? "") : p)).join("/");
  });
}

export const queryString: fc.Arbitrary<string> = fc.oneof(
  fc.constant(""),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 30 }), { maxKeys: 4 }).map((d) => `?${new URLSearchParams(d).toString()}`),
  fc.constantFrom("?track=", "?track=room/cam", "?from=a", "?since=-1", "?limit=99999999999", "?a[b]=c", "?%ZZ", "?track=%00", "?at=NaN"),
);

/** A path: a known route with fuzzed parameters (mostly), or random segments. */
export function pathArb(templates: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...templates).chain(fromTemplate) },
      { weight: 1, arbitrary: fc.array(segment, { minLength: 0, maxLength: 6 }).map((s) => `/${s.join("/")}`) },
    ),
    queryString,
  ).map(([p, q]) => `${p}${q}`);
}

export const CONTENT_TYPES = [
  "application/json", "application/sdp", "text/plain", "application/octet-stream", "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x", "application/json; charset=utf-16", "application/json; charset=latin1", "text/event-stream", "*/*", "", ";;;", "application/",
] as const;

const jsonish: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.json({ maxDepth: 3 }).map((s) => s.slice(0, Math.max(0, s.length - 1))),
  fc.constantFrom("{", "[", "null", "1e999", "-0", '"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", '{"ts":9007199254740991}', '{"ts":1e308}'),
  fc.integer({ min: 1, max: 50_000 }).map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
);

const sdpish: fc.Arbitrary<string> = fc.array(
  fc.oneof(
    fc.constantFrom("v=0", "o=- 0 0 IN IP4 127.0.0.1", "s=-", "t=0 0", "m=audio 9 UDP/TLS/RTP/SAVPF 111", "m=video 9 UDP/TLS/RTP/SAVPF 96", "a=sendonly", "a=recvonly",
      "a=rtpmap:111 opus/48000/2", "a=rtpmap:96 VP8/90000", "a=mid:0", "a=ice-ufrag:x", "a=ice-pwd:yyyyyyyyyyyyyyyyyyyyyyyy", "a=fingerprint:sha-256 00", "a=setup:actpass",
      "a=ssrc:1 cname:x", "a=candidate:1 1 udp 1 127.0.0.1 9 typ host", "c=IN IP4 0.0.0.0", "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "a=rtcp-mux"),
    fc.string({ maxLength: 60 }),
  ),
  { maxLength: 40 },
).map((lines) => lines.join("\r\n"));

/** A body: none, JSON-ish, SDP-ish, text, binary, or sized around `limits` (bytes). */
export function bodyArb(limits: readonly number[], extra: readonly fc.Arbitrary<string>[] = []): fc.Arbitrary<Uint8Array | string | null> {
  const sizes = limits.flatMap((l) => [l - 1, l, l + 1, l * 2]).filter((n) => n > 0);
  const arbs: fc.Arbitrary<Uint8Array | string | null>[] = [
    fc.constant(null),
    jsonish,
    sdpish,
    fc.string({ maxLength: 300 }),
    fc.uint8Array({ maxLength: 2000 }),
    fc.constantFrom(...sizes).chain((n) => fc.constantFrom("x", "{", "\u0000", "é").map((c) => c.repeat(n))),
    ...extra,
  ];
  return fc.oneof(...arbs);
}

export interface HeaderChoices {
  /** Authorization values that pass (so fuzzing reaches past the auth check). */
  validAuth: readonly string[];
}

export function headersArb(c: HeaderChoices): fc.Arbitrary<Record<string, string>> {
  const auth = fc.oneof(
    fc.constant(null),
    fc.constantFrom(...c.validAuth, "Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "bearer x", "Bearer a.b.c", "Bearer ...."),
    headerValue(500).map((s) => `Bearer ${s}`),
    headerValue(100),
  );
  return fc.record({
    ct: fc.oneof(fc.constant(null), fc.constantFrom(...CONTENT_TYPES), headerValue(60)),
    auth,
    extra: fc.dictionary(fc.constantFrom("x-relaywatch-batch", "traceparent", "accept", "x-relaywatch-from", "x-relaywatch-ts", "x-relaywatch-nonce", "x-relaywatch-signature", "last-event-id", "x-forwarded-for", "content-encoding", "range"), headerValue(120), { maxKeys: 4 }),
  }).map(({ ct, auth: a, extra }) => {
    const h: Record<string, string> = { ...extra };
    if (ct !== null) h["content-type"] = ct;
    if (a !== null) h["authorization"] = a;
    return h;
  });
}

export function requestArb(templates: readonly string[], limits: readonly number[], choices: HeaderChoices): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    method: fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...METHODS) }, { weight: 3, arbitrary: fc.constantFrom("GET", "POST") }),
    path: pathArb(templates),
    headers: headersArb(choices),
    body: bodyArb(limits),
  });
}

/** Bytes of the reply kept for the report: streams (SSE) are cut there. */
const KEEP_BYTES = 2048;

/** Sends one request; streams are read for their head only, then cancelled. */
export async function send(base: string, r: FuzzRequest, timeoutMs = 10_000): Promise<FuzzReply> {
  const withBody = r.body !== null && r.method !== "GET" && r.method !== "HEAD";
  const ctl = new AbortController();
  const timer = setTimeout(() => { ctl.abort(); }, timeoutMs);
  try {
    const res = await fetch(`${base}${r.path}`, {
      method: r.method, headers: r.headers, signal: ctl.signal,
      ...(withBody ? { body: typeof r.body === "string" ? r.body : Buffer.from(r.body ?? new Uint8Array()) } : {}),
    });
    let text = "";
    const reader = res.body?.getReader();
    if (reader !== undefined) {
      const decoder = new TextDecoder();
      while (text.length < KEEP_BYTES) {
        const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
        if (chunk.done) break;
        text += decoder.decode(chunk.value, { stream: true });
        if ((res.headers.get("content-type") ?? "").includes("event-stream")) break;
      }
      await reader.cancel().catch(() => undefined);
    }
    return { status: res.status, text: text.slice(0, KEEP_BYTES) };
  } finally {
    clearTimeout(timer);
  }
}

/** A request whose URL fetch() itself refuses (not the server's doing): skipped. */
export function clientRefuses(err: unknown): boolean {
  return err instanceof TypeError && /URL|header|Header|method/.test(err.message);
}

export function describeRequest(r: FuzzRequest): string {
  const body = r.body === null ? "none" : typeof r.body === "string" ? `${r.body.length} chars ${JSON.stringify(r.body.slice(0, 120))}` : `${r.body.length} bytes`;
  return `${r.method} ${r.path.slice(0, 200)} headers=${JSON.stringify(r.headers).slice(0, 300)} body=${body}`;
}

export interface FuzzRun {
  base: string;
  requests: fc.Arbitrary<FuzzRequest>;
  numRuns: number;
  seed?: number;
  /** Last touch before sending (e.g. signing with a fresh nonce, so shrinking replays stay valid). */
  prepare?: (r: FuzzRequest) => FuzzRequest;
}

/**
 * Sends `numRuns` arbitrary requests; the property fails on any 5xx or a dropped
 * connection (a crash), and fast-check shrinks it to a minimal request.
 */
export async function assertNo5xx(run: FuzzRun): Promise<{ sent: number; statuses: Map<number, number> }> {
  const statuses = new Map<number, number>();
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(run.requests, async (generated) => {
      const r = run.prepare === undefined ? generated : run.prepare(generated);
      let reply: FuzzReply;
      try {
        reply = await send(run.base, r);
      } catch (err) {
        if (clientRefuses(err)) return;
        throw new Error(`no answer (${err instanceof Error ? err.message : String(err)}) to ${describeRequest(r)}`, { cause: err });
      }
      sent++;
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      if (reply.status >= 500) throw new Error(`${reply.status} ${reply.text.slice(0, 300)} for ${describeRequest(r)}`);
    }),
    { numRuns: run.numRuns, ...(run.seed === undefined ? {} : { seed: run.seed }) },
  );
  return { sent, statuses };
}

/**
 * Memory this process still holds after a full garbage collection (heap, external and
 * array buffers), bytes: what a leak grows. Resident size is not used — it keeps the
 * allocator's slack from the fuzzer's own multi-megabyte bodies long after they are freed.
 */
export function retainedBytes(): number {
  fullGc();
  fullGc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

let gcFn: (() => void) | null = null;

function fullGc(): void {
  if (gcFn === null) {
    setFlagsFromString("--expose-gc");
    gcFn = runInNewContext("gc") as () => void;
  }
  gcFn();
}

/**
 * HEAD `streamPath`, then GET `nextPath` on the same kept-alive connection: the status of
 * the GET, or null when it got no answer within `timeoutMs` — the server still holds the
 * HEAD's response open (a stream endpoint that treats HEAD as a stream without a body).
 */
export async function headThenGet(base: string, streamPath: string, nextPath: string, headers: Record<string, string> = {}, timeoutMs = 3_000): Promise<number | null> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const call = (method: string, path: string): Promise<number | null> => new Promise((resolve) => {
    const timer = setTimeout(() => { resolve(null); }, timeoutMs);
    const req = request(`${base}${path}`, { method, agent, headers }, (res) => {
      res.resume();
      res.on("end", () => {
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
      });
    });
    req.on("error", () => {
      clearTimeout(timer);
      resolve(null);
    });
    req.end();
  });
  try {
    await call("HEAD", streamPath);
    return await call("GET", nextPath);
  } finally {
    agent.destroy();
  }
}
