// Fuzz (issue 13): every HTTP endpoint of a real region node — signaling (WHIP/WHEP and
// their DELETEs), the relay API (unsigned, and signed by a real peer so payloads reach the
// parsers), admin, state, events, metrics, health — with arbitrary methods, paths, headers
// and bodies up to and past each limit. No request may get a 5xx or kill the connection;
// after the run the node is healthy, the sessions fuzzing opened have expired (no track
// squats), and resident memory grew by a bounded amount.
import { createSocket } from "node:dgram";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../core/clock.js";
import { MAX_OFFER_BYTES } from "../../sfu/media/sdp-offer.js";
import { createRelayCallAuth, signedRelayPath } from "../../sfu/node/auth-adapters.js";
import { MAX_RELAY_BODY_BYTES } from "../../sfu/http/relay-routes.js";
import { labScope, publish, SECRETS, state, token, waitFor, waitForMesh } from "../sfu/sfu-kit.js";
import { countUdpSockets } from "../support/udp-sockets.js";
import { publisherOffer, subscriberOffer } from "../support/werift-offers.js";
import { assertNo5xx, headThenGet, bodyArb, headersArb, requestArb, retainedBytes, type FuzzRequest } from "./http-fuzz-kit.js";

const ADMIN_TOKEN = "fuzz-admin-token-0123456789";
const TRACK = "live/cam";
/** Bounded so each run stays well under a minute on a loaded 2-core machine. */
const RUNS = 400;
const SIGNED_RUNS = 250;
const SIGNALING_RUNS = 250;
/** Retained after GC: caches and JIT code grow a little (~5 MiB measured); a leak per request would exceed this. */
const MAX_RETAINED_GROWTH_BYTES = 64 * 1024 * 1024;

const TEMPLATES = [
  "/whip/:room/:track", "/whep/:room/:track", "/whip/:room/:track/:session", "/whep/:room/:track/:session",
  "/relay/v1/pull", "/relay/v1/leave", "/relay/v1/pull-result", "/relay/v1/close", "/relay/v1/announce", "/relay/v1/heartbeat",
  "/admin/behaviours", "/admin/drain", "/v1/state", "/v1/events", "/metrics", "/healthz", "/readyz",
] as const;
const RELAY_PATHS = ["/relay/v1/pull", "/relay/v1/leave", "/relay/v1/pull-result", "/relay/v1/close", "/relay/v1/announce", "/relay/v1/heartbeat"] as const;

/** A real offer with lines dropped, doubled, replaced by junk, or cut short. */
function mutatedOffer(offer: string): fc.Arbitrary<string> {
  const lines = offer.split("\r\n");
  const edit = fc.record({ at: fc.nat({ max: lines.length }), op: fc.constantFrom("drop", "double", "junk", "keep"), junk: fc.string({ maxLength: 80 }) });
  return fc.tuple(fc.array(edit, { maxLength: 4 }), fc.option(fc.nat({ max: offer.length }), { nil: undefined })).map(([edits, cut]) => {
    const out = [...lines];
    for (const e of edits) {
      if (e.op === "drop") out.splice(e.at, 1);
      else if (e.op === "double") out.splice(e.at, 0, out[e.at] ?? "");
      else if (e.op === "junk") out.splice(e.at, 1, e.junk);
    }
    const text = out.join("\r\n");
    return cut === undefined ? text : text.slice(0, cut);
  });
}

/**
 * Pulls name this placeholder as their port; it is replaced by the test's own sink socket
 * before sending, so a relay-out never sprays RTP at ports other tests may hold.
 */
const SINK_PORT_TOKEN = 424_242;

/** Mostly valid values (so payloads reach past the schema), sometimes anything. */
const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: other });
const region = mostly(fc.constantFrom("a", "b", "c"), fc.oneof(fc.constantFrom("eu-central", "B", "", "a".repeat(80)), fc.string({ maxLength: 12 })));
const trackId = mostly(fc.constantFrom(TRACK, "live/other", "live/none"), fc.oneof(fc.constantFrom("x", "/", "a/b/c"), fc.string({ maxLength: 40 })));
const pullId = mostly(fc.constantFrom("p-1", "p-2", "0000000001-aaaa"), fc.oneof(fc.constantFrom("", "-".repeat(65)), fc.string({ maxLength: 20 })));
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
/** Payloads shaped like the relay protocol's, each field valid or not. */
const relayPayload = fc.oneof(
  fc.record({ track: trackId, path: fc.array(region, { maxLength: 20 }), pullId, port: mostly(fc.constant(SINK_PORT_TOKEN), fc.constantFrom(-5, 0, 1.5, 65_536, 70_000, null, "x", {}, [])), traceparent: fc.oneof(fc.string({ maxLength: 60 }), anyValue) }, { requiredKeys: [] }),
  fc.record({ track: trackId, pullId, chain: fc.array(region, { maxLength: 20 }), error: fc.string({ maxLength: 70 }), media: anyValue }, { requiredKeys: [] }),
  fc.record({ region, version: fc.oneof(fc.integer(), fc.double()), ts: fc.integer(), ttlMs: fc.integer(), full: fc.boolean(), entries: fc.array(fc.record({ track: trackId, origin: fc.boolean(), upstream: region, pathLength: fc.integer({ min: -1, max: 20 }) }), { maxLength: 30 }), retract: fc.array(trackId, { maxLength: 5 }) }, { requiredKeys: [] }),
  fc.record({ region, ts: fc.oneof(fc.integer(), fc.double()) }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 3 }),
).map((v) => JSON.stringify(v));

describe("fuzz: region node HTTP", () => {
  const scope = labScope();

  it("HEAD /v1/events answers and ends: the connection serves the next request", async () => {
    const lab = await scope.start({ regions: ["a"] });
    expect(await headThenGet(lab.node("a").url, "/v1/events", "/healthz")).toBe(200);
  });

  it("no request gets a 5xx; afterwards the node is healthy, squatting sessions expire, memory is bounded", { timeout: 120_000 }, async () => {
    const lab = await scope.start({
      regions: ["a", "b"],
      node: () => ({ admin: { enabled: true, token: ADMIN_TOKEN }, subscribeTimeoutMs: 300, sessionConnectTimeoutMs: 1_000, sessionMediaTimeoutMs: 2_000 }),
    });
    await waitForMesh(lab);
    const b = lab.node("b");
    const pub = scope.defer(await publish(lab.node("a"), TRACK));
    scope.defer(pub.stream(50));
    const sink = createSocket("udp4");
    await new Promise<void>((resolve) => sink.bind(0, "127.0.0.1", () => { resolve(); }));
    scope.defer({ close: () => new Promise<void>((resolve) => { sink.close(() => { resolve(); }); }) });
    const validAuth = [`Bearer ${token(TRACK, "publish")}`, `Bearer ${token(TRACK)}`, `Bearer ${ADMIN_TOKEN}`, `Bearer ${token("live/other", "publish")}`];
    const retainedBefore = retainedBytes();
    const socketsBefore = countUdpSockets();

    const plain = await assertNo5xx({ base: b.url, requests: requestArb(TEMPLATES, [MAX_OFFER_BYTES, MAX_RELAY_BODY_BYTES, 4096], { validAuth }), numRuns: RUNS });

    // Signed by peer `a` with a fresh nonce at send time, so bodies get past the HMAC.
    const peerAuth = createRelayCallAuth(SECRETS.relaySecret, systemClock);
    const signed: fc.Arbitrary<FuzzRequest> = fc.record({
      method: fc.constant("POST"),
      path: fc.constantFrom(...RELAY_PATHS),
      headers: headersArb({ validAuth: [] }).map((h) => ({ ...h, "content-type": "application/json" })),
      body: fc.oneof({ weight: 4, arbitrary: relayPayload }, { weight: 1, arbitrary: bodyArb([MAX_RELAY_BODY_BYTES]) }),
    });
    const signedRun = await assertNo5xx({
      base: b.url, requests: signed, numRuns: SIGNED_RUNS,
      prepare: (r) => {
        const path = signedRelayPath(r.path, "a");
        const raw = typeof r.body === "string" ? r.body : r.body === null ? "" : Buffer.from(r.body).toString("latin1");
        const body = raw.replaceAll(String(SINK_PORT_TOKEN), String(sink.address().port));
        return { ...r, path, body, headers: { ...r.headers, ...peerAuth.sign({ method: "POST", path, body, from: "a", to: "b" }) } };
      },
    });
    // WHIP/WHEP with a valid token and a real offer, mutated: reaches the SDP bridge and the engine.
    const offers = { video: await subscriberOffer("video"), publish: await publisherOffer() };
    const signaling: fc.Arbitrary<FuzzRequest> = fc.record({
      method: fc.constant("POST"),
      kind: fc.constantFrom("whip", "whep"),
      track: fc.constantFrom(TRACK, "live/other"),
      headers: headersArb({ validAuth: [] }),
      offer: fc.constantFrom(offers.video, offers.publish).chain(mutatedOffer),
    }).map(({ method, kind, track, headers, offer }) => ({
      method, path: `/${kind}/${track}`, body: offer,
      headers: { ...headers, "content-type": "application/sdp", authorization: `Bearer ${token(track, kind === "whip" ? "publish" : "subscribe")}` },
    }));
    const signalingRun = await assertNo5xx({ base: b.url, requests: signaling, numRuns: SIGNALING_RUNS });
    expect(plain.sent + signedRun.sent + signalingRun.sent).toBeGreaterThan((RUNS + SIGNED_RUNS + SIGNALING_RUNS) / 2);
    // The fuzzing got past the checks, not only bounced off them.
    expect(signalingRun.statuses.get(201) ?? 0).toBeGreaterThan(0);
    expect(signedRun.statuses.get(200) ?? 0).toBeGreaterThan(0);

    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
    for (const node of [lab.node("a"), b]) {
      // Whatever a fuzzed WHIP/WHEP opened never connected: it expires, nothing squats.
      await waitFor(async () => (await state(node)).tracks.every((t) => t.track === TRACK), 15_000, `${node.region}: only the real track left`);
    }
    // Every socket a fuzzed session or pull opened is closed again (relays end after linger).
    await waitFor(() => countUdpSockets() <= socketsBefore, 15_000, "no UDP socket left over");
    const grown = retainedBytes() - retainedBefore;
    expect(grown).toBeLessThan(MAX_RETAINED_GROWTH_BYTES);
  });
});
