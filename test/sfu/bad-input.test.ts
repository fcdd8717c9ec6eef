// Bad input never crashes a region node: clear JSON 4xx for bad SDP, oversize bodies,
// unknown tracks, bad tokens and bad relay signatures; 10,000 random datagrams on a
// relay-in port are each dropped and counted by reason while the node keeps serving.
import { createSocket } from "node:dgram";
import { randomBytes, randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import { PIPE_DROP_REASONS } from "../../sfu/media/pipe-drop.js";
import { createRelayCallAuth } from "../../sfu/node/auth-adapters.js";
import { metricValue, publish, SECRETS, startLab, subscribe, token, waitFor, waitForMesh, type Lab, type Published } from "./sfu-kit.js";

const TRACK = "live/bad";

describe("bad input", () => {
  let lab: Lab;
  let pub: Published;
  let flow: { close(): Promise<void> };
  beforeAll(async () => {
    lab = await startLab({ regions: ["a", "b"] });
    await waitForMesh(lab);
    pub = await publish(lab.node("a"), TRACK);
    flow = pub.stream(50);
  });
  afterAll(async () => {
    await flow.close();
    await pub.close();
    await lab.close();
  });

  const whep = (track: string, body: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${lab.node("b").url}/whep/${track}`, {
      method: "POST", body, headers: { "content-type": "application/sdp", authorization: `Bearer ${token(track)}`, ...headers },
    });

  it("answers malformed SDP with 400 invalid_sdp", async () => {
    for (const url of [`${lab.node("a").url}/whip/live/other`, `${lab.node("b").url}/whep/${TRACK}`]) {
      const res = await fetch(url, { method: "POST", body: "this is not sdp", headers: { "content-type": "application/sdp", authorization: `Bearer ${url.endsWith(TRACK) ? token(TRACK) : token("live/other", "publish")}` } });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_sdp" });
    }
  });

  it("answers a body over the limit with 413", async () => {
    const res = await whep(TRACK, `v=0\r\n${"a=x\r\n".repeat(20_000)}`);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: "body_too_large" });
  });

  it("answers an unknown track with 404 once nobody announces it", async () => {
    const sub = await subscribe(lab.node("b"), "live/nobody");
    expect(sub.status).toBe(404);
    expect(JSON.parse(sub.body)).toMatchObject({ error: "unknown_track" });
  });

  it("answers missing, expired and forged tokens with 401", async () => {
    const missing = await fetch(`${lab.node("b").url}/whep/${TRACK}`, { method: "POST", body: "v=0\r\n", headers: { "content-type": "application/sdp" } });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: "missing_token" });
    const expired = await whep(TRACK, "v=0\r\n", { authorization: `Bearer ${token(TRACK, "subscribe", Date.now() - 1000)}` });
    expect(await expired.json()).toMatchObject({ error: "token_expired" });
    expect(expired.status).toBe(401);
    const forged = await whep(TRACK, "v=0\r\n", { authorization: `Bearer ${token(TRACK, "subscribe", Date.now() + 60_000, "not-the-real-secret-0123456789-abcdef")}` });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: "invalid_token" });
    const wrongScope = await whep(TRACK, "v=0\r\n", { authorization: `Bearer ${token(TRACK, "publish")}` });
    expect(wrongScope.status).toBe(401);
  });

  it("answers relay calls with a bad HMAC, a stale timestamp or a replayed nonce with 401", async () => {
    const path = "/relay/v1/heartbeat?from=a";
    const body = JSON.stringify({ region: "a", ts: Date.now() });
    const call = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${lab.node("b").url}${path}`, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
    const good = createRelayCallAuth(SECRETS.relaySecret, new ManualClock(Date.now())).sign({ method: "POST", path, body, from: "a", to: "b" });
    expect((await call(good)).status).toBe(200);
    const replay = await call(good);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: "replayed_nonce" });
    const forged = createRelayCallAuth("another-relay-secret-0123456789-abcdef", new ManualClock(Date.now())).sign({ method: "POST", path, body, from: "a", to: "b" });
    expect(await (await call(forged)).json()).toMatchObject({ error: "bad_signature" });
    const stale = createRelayCallAuth(SECRETS.relaySecret, new ManualClock(Date.now() - 120_000)).sign({ method: "POST", path, body, from: "a", to: "b" });
    const staleRes = await call(stale);
    expect(staleRes.status).toBe(401);
    expect(await staleRes.json()).toMatchObject({ error: "stale_timestamp" });
    expect((await call({})).status).toBe(401);
  });

  it("drops and counts 10,000 random datagrams on a relay-in port and keeps serving", async () => {
    const sub = await subscribe(lab.node("b"), TRACK);
    expect(sub.status).toBe(201);
    await waitFor(() => sub.subscriber.packetsReceived > 5, 5000, "relay flowing");
    const port = lab.node("b").engine.stats(TRACK).relayIn?.port;
    expect(port).toBeDefined();
    const registry = lab.registries.get("b")!;
    const before = await metricValue(registry, "relaywatch_sfu_pipe_dropped_packets_total");
    const socket = createSocket("udp4");
    try {
      // Paced (25 per 2 ms) so the kernel's socket buffer never overflows: every datagram must reach the node.
      for (let batch = 0; batch < 400; batch++) {
        await Promise.all(Array.from({ length: 25 }, () => new Promise<void>((resolve) => {
          socket.send(randomBytes(randomInt(0, 1400)), port, "127.0.0.1", () => { resolve(); });
        })));
        await new Promise((r) => setTimeout(r, 2));
      }
    } finally {
      socket.close();
    }
    await waitFor(async () => (await metricValue(registry, "relaywatch_sfu_pipe_dropped_packets_total")) - before >= 10_000, 5000, "10,000 drops counted").catch(async (err: unknown) => {
      process.stderr.write(`drops ${(await metricValue(registry, "relaywatch_sfu_pipe_dropped_packets_total")) - before} engine ${JSON.stringify(lab.node("b").engine.pipeDropTotals())}\n`);
      throw err;
    });
    let byReason = 0;
    for (const reason of PIPE_DROP_REASONS) byReason += await metricValue(registry, "relaywatch_sfu_pipe_dropped_packets_total", { reason });
    expect(byReason - before).toBe(10_000);
    expect(await metricValue(registry, "relaywatch_sfu_pipe_dropped_packets_total", { reason: "not_rtp" })).toBeGreaterThan(0);
    // Still serving: health, state, and the legitimate relay still forwards.
    expect((await fetch(`${lab.node("b").url}/healthz`)).status).toBe(200);
    const received = sub.subscriber.packetsReceived;
    await waitFor(() => sub.subscriber.packetsReceived > received + 10, 3000, "relay still forwarding");
    await sub.close();
  });
});
