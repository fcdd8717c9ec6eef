// WHIP/WHEP's HTTP conventions (RFC 9725) on a real region node (werift engine, loopback
// HTTP): a browser page's CORS preflight, 405 + Allow for PATCH on a session, ICE servers in
// Link headers on every 201, and OpenTelemetry SERVER spans for WHIP publish and WHEP
// subscribe with semantic-convention attribute names (SDK's InMemorySpanExporter).
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { CODEC_PRESETS, WeriftPublisher } from "../../probes/client/werift-peer.js";
import { parseCorsOrigin, parseIceServer } from "../../sfu/http/whip-http.js";
import type { RegionNode } from "../../sfu/node/region-node.js";
import { labScope, publish, SECRETS, subscribe, token } from "../sfu/sfu-kit.js";

const APP = "https://app.example";
const ICE = [parseIceServer("--ice-server", "stun:stun.example:3478"), parseIceServer("--ice-server", "turn:alice:s3cr:et@turn.example:3478?transport=udp")];
const scope = labScope();

async function node(exporter?: InMemorySpanExporter): Promise<RegionNode> {
  const lab = await scope.start({
    regions: ["eu-west"],
    node: () => ({ http: { corsOrigins: [APP, "http://localhost:8080"], iceServers: ICE } }),
    ...(exporter === undefined ? {} : { tracer: () => new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer("sfu") }),
  });
  return lab.node("eu-west");
}

function preflight(n: RegionNode, path: string, origin: string): Promise<Response> {
  return fetch(`${n.url}${path}`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
  });
}

describe("WHIP/WHEP over HTTP (RFC 9725)", () => {
  it("answers a browser's preflight to /whip for an allowed origin and refuses any other origin", async () => {
    const n = await node();
    const ok = await preflight(n, "/whip/room/cam", APP);
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(APP);
    expect(ok.headers.get("access-control-allow-methods")).toContain("POST");
    expect(ok.headers.get("access-control-allow-methods")).toContain("DELETE");
    expect(ok.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    expect(ok.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("content-type");
    expect(ok.headers.get("vary")).toContain("Origin");
    expect((await preflight(n, "/whep/room/cam", "http://localhost:8080")).status).toBe(204);

    const refused = await preflight(n, "/whip/room/cam", "https://evil.example");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    expect(await refused.json()).toMatchObject({ error: "cors_origin_refused" });
  }, 30_000);

  it("lets an allowed page read Location, Link and ETag of a 201, with one ice-server Link per configured server", async () => {
    const n = await node();
    const publisher = new WeriftPublisher(CODEC_PRESETS.vp8);
    scope.defer(publisher);
    const res = await fetch(`${n.url}/whip/room/cam`, {
      method: "POST", body: await publisher.createOffer(),
      headers: { origin: APP, "content-type": "application/sdp", authorization: `Bearer ${token("room/cam", "publish")}` },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("access-control-allow-origin")).toBe(APP);
    const exposed = (res.headers.get("access-control-expose-headers") ?? "").split(",").map((h) => h.trim());
    expect(exposed).toEqual(expect.arrayContaining(["Location", "Link", "ETag"]));
    expect(res.headers.get("link")).toBe(
      '<stun:stun.example:3478>; rel="ice-server", <turn:turn.example:3478?transport=udp>; rel="ice-server"; username="alice"; credential="s3cr:et"; credential-type="password"',
    );
    await res.text();
  }, 30_000);

  it("answers PATCH on a session with 405, Allow and no Accept-Patch (no trickle ICE here)", async () => {
    const n = await node();
    const pub = await publish(n, "room/cam");
    scope.defer(pub);
    const res = await fetch(`${n.url}${pub.location}`, {
      method: "PATCH", body: "a=candidate:1 1 udp 1 127.0.0.1 9 typ host",
      headers: { "content-type": "application/trickle-ice-sdpfrag", authorization: `Bearer ${token("room/cam", "publish")}` },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("DELETE, OPTIONS");
    expect(res.headers.get("accept-patch")).toBeNull();
    expect(await res.json()).toMatchObject({ error: "method_not_allowed" });
  }, 30_000);

  it("traces WHIP publish and WHEP subscribe as SERVER spans with semantic-convention attributes, in the caller's trace", async () => {
    const exporter = new InMemorySpanExporter();
    const n = await node(exporter);
    const pub = await publish(n, "room/cam");
    scope.defer(pub);
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const sub = await subscribe(n, "room/cam", "video", { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, tracestate: "vendor=abc" });
    scope.defer(sub);
    expect(sub.status).toBe(201);
    const refused = await fetch(`${n.url}/whep/room/other`, { method: "POST", body: "v=0", headers: { "content-type": "application/sdp", authorization: "Bearer nope" } });
    expect(refused.status).toBe(401);

    const spans = exporter.getFinishedSpans();
    const publishSpan = spans.find((s) => s.name === "whip.publish");
    expect(publishSpan?.attributes).toMatchObject({
      "http.request.method": "POST", "http.route": "/whip/:room/:track", "url.path": "/whip/room/cam", "url.scheme": "http",
      "http.response.status_code": 201, "client.address": "127.0.0.1", "relaywatch.track": "room/cam", "relaywatch.region": "eu-west",
    });
    const subscribeSpan = spans.find((s) => s.name === "whep.subscribe" && s.attributes["http.response.status_code"] === 201);
    expect(subscribeSpan?.spanContext().traceId).toBe(traceId);
    expect(subscribeSpan?.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
    expect(subscribeSpan?.spanContext().traceState?.get("vendor")).toBe("abc");
    expect(subscribeSpan?.attributes).toMatchObject({ "http.route": "/whep/:room/:track", "relaywatch.relay_path": "eu-west" });
    const unauthorized = spans.find((s) => s.name === "whep.subscribe" && s.attributes["http.response.status_code"] === 401);
    expect(unauthorized?.attributes["error.type"]).toBe("401");
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain("Bearer");
  }, 30_000);

  it("accepts a WHIP publish with a JWT minted by jose from the shared secret and refuses it tampered", async () => {
    const n = await node();
    const jwt = await new SignJWT({ room: "room", track: "cam", perm: "publish" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" }).setAudience("relaywatch").setExpirationTime("10m")
      .sign(new TextEncoder().encode(SECRETS.tokenSecret));
    const [header = "", payload = "", signature = ""] = jwt.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    const widened = `${header}.${Buffer.from(JSON.stringify({ ...claims, track: "*" })).toString("base64url")}.${signature}`;
    const post = async (bearer: string): Promise<Response> => {
      const publisher = new WeriftPublisher(CODEC_PRESETS.vp8);
      scope.defer(publisher);
      return fetch(`${n.url}/whip/room/cam`, { method: "POST", body: await publisher.createOffer(), headers: { "content-type": "application/sdp", authorization: `Bearer ${bearer}` } });
    };
    const refused = await post(widened);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain("Bearer");
    const accepted = await post(jwt);
    expect(accepted.status).toBe(201);
    await accepted.text();
  }, 30_000);

  it("refuses --cors-origin and --ice-server values it cannot use, naming the flag and the value", () => {
    expect(parseCorsOrigin("--cors-origin", "*")).toBe("*");
    for (const bad of ["app.example", "https://app.example/", "https://app.example/page", "ftp://x.example"]) {
      expect(() => parseCorsOrigin("--cors-origin", bad)).toThrow(ConfigError);
      expect(() => parseCorsOrigin("--cors-origin", bad)).toThrow(bad);
    }
    for (const bad of ["http://stun.example", "stun:", "stun:alice:pw@stun.example", "turn:alice@turn.example"]) {
      expect(() => parseIceServer("--ice-server", bad), bad).toThrow(/--ice-server/);
    }
    // A refused TURN URI with credentials never echoes the credential.
    expect(() => parseIceServer("--ice-server", "stun:alice:topsecret@x.example")).not.toThrow(/topsecret/);
  });
});
