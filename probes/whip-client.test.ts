import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { WeriftSubscriber } from "./client/werift-peer.js";
import { OneEngineSfu } from "../test/support/one-engine-sfu.js";
import { describeEndpoint, parseRelayPath, parseRetryAfter, WhipClient } from "./whip-client.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(app: express.Express): Promise<string> {
  const server: Server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => { resolve(); });
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("WhipClient", () => {
  it("publishes to and subscribes from a real WHIP/WHEP server: 201, absolute Location, Relay-Path, DELETE", async () => {
    const sfu = await OneEngineSfu.start(["us-west", "eu-central"], { min: 43_000, max: 43_099 });
    cleanups.push(() => sfu.close());
    const client = new WhipClient();
    const sub = new WeriftSubscriber("audio");
    cleanups.push(() => sub.close());
    const { WeriftPublisher, CODEC_PRESETS } = await import("./client/werift-peer.js");
    const pub = new WeriftPublisher(CODEC_PRESETS.opus);
    cleanups.push(() => pub.close());

    const published = await client.offer("WHIP", `${sfu.url("us-west")}/whip/probe/us-west.7`, await pub.createOffer(), "s3cret");
    expect(published.ok).toBe(true);
    if (!published.ok) return;
    expect(published.value.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/whip\/session\/[0-9a-f-]{36}$/);
    expect(published.value.relayPath).toEqual([]);
    await pub.acceptAnswer(published.value.answerSdp);
    await pub.waitConnected();

    const subscribed = await client.offer("WHEP", `${sfu.url("eu-central")}/whep/probe/us-west.7`, await sub.createOffer(), "s3cret");
    expect(subscribed.ok && subscribed.value.relayPath).toEqual(["us-west", "eu-central"]);
    if (!subscribed.ok) return;
    await sub.acceptAnswer(subscribed.value.answerSdp);
    await sub.waitConnected();
    expect(await client.delete(subscribed.value.location, "s3cret")).toEqual({ ok: true, value: undefined });
    expect(await client.delete(subscribed.value.location, "s3cret")).toEqual({ ok: true, value: undefined }); // 404: already gone
    expect(sfu.requests.filter((r) => r.method === "DELETE")).toHaveLength(2);
    expect(sfu.requests.every((r) => r.authorization === "Bearer s3cret")).toBe(true);
  });

  it("returns 4xx/5xx as values with the status, the SFU's error code, and Retry-After", async () => {
    const app = express();
    app.post("/whep/probe/missing", (_req, res) => { res.status(404).json({ error: "not_found", detail: "unknown track probe/missing" }); });
    app.post("/whep/probe/offline", (_req, res) => { res.status(503).set("retry-after", "7").json({ error: "region_offline" }); });
    app.post("/whep/probe/plain", (_req, res) => { res.status(500).type("text/plain").send("boom"); });
    const base = await serve(app);
    const client = new WhipClient();
    expect(await client.offer("WHEP", `${base}/whep/probe/missing?token=hidden`, "v=0")).toEqual({
      ok: false,
      error: { kind: "http", status: 404, statusText: "Not Found", errorCode: "not_found", detail: "unknown track probe/missing", retryAfterMs: null, endpoint: `WHEP ${base}/whep/probe/missing` },
    });
    expect(await client.offer("WHEP", `${base}/whep/probe/offline`, "v=0")).toMatchObject({ ok: false, error: { status: 503, errorCode: "region_offline", retryAfterMs: 7000 } });
    expect(await client.offer("WHEP", `${base}/whep/probe/plain`, "v=0")).toMatchObject({ ok: false, error: { status: 500, detail: "boom", errorCode: null } });
  });

  it("rejects a 201 without Location or without an SDP answer", async () => {
    const app = express();
    app.post("/a", (_req, res) => { res.status(201).type("application/sdp").send("v=0\r\n"); });
    app.post("/b", (_req, res) => { res.status(201).set("location", "/s/1").json({ hello: 1 }); });
    const base = await serve(app);
    const client = new WhipClient();
    expect(await client.offer("WHEP", `${base}/a`, "v=0")).toMatchObject({ ok: false, error: { kind: "setup", stage: "answer", detail: expect.stringContaining("without a Location") as unknown } });
    expect(await client.offer("WHEP", `${base}/b`, "v=0")).toMatchObject({ ok: false, error: { kind: "setup", stage: "answer", detail: expect.stringContaining("without an SDP answer") as unknown } });
  });

  it("times out a request that gets no answer, and reports a refused connection as a network setup failure", async () => {
    const app = express();
    app.post("/hang", () => undefined);
    const base = await serve(app);
    const client = new WhipClient({ requestTimeoutMs: 200 });
    expect(await client.offer("WHEP", `${base}/hang`, "v=0")).toEqual({ ok: false, error: { kind: "timeout", stage: "request", afterMs: 200 } });
    const closed = express().listen(0, "127.0.0.1");
    await once(closed, "listening");
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => { resolve(); }));
    const refused = await client.offer("WHEP", `http://127.0.0.1:${closedPort}/whep/probe/x`, "v=0");
    expect(refused).toMatchObject({ ok: false, error: { kind: "setup", stage: "network", detail: expect.stringContaining("ECONNREFUSED") as unknown } });
  });

  it("close() ends an offer in flight at once (no wait for the request timeout), refuses later offers, and still sends DELETE", async () => {
    const app = express();
    let deletes = 0;
    app.post("/hang", () => undefined);
    app.delete("/s/1", (_req, res) => { deletes++; res.status(200).end(); });
    const base = await serve(app);
    const client = new WhipClient({ requestTimeoutMs: 60_000 });
    const pending = client.offer("WHEP", `${base}/hang`, "v=0");
    await new Promise((r) => setTimeout(r, 50));
    client.close();
    expect(await pending).toMatchObject({ ok: false, error: { kind: "setup", stage: "network", detail: expect.stringContaining("the client was closed") as unknown } });
    expect(await client.offer("WHEP", `${base}/hang`, "v=0")).toMatchObject({ ok: false, error: { detail: expect.stringContaining("the client is closed") as unknown } });
    expect(await client.delete(`${base}/s/1`)).toEqual({ ok: true, value: undefined });
    expect(deletes).toBe(1);
  });

  it("parses Relay-Path, Retry-After and endpoints defensively", () => {
    expect(parseRelayPath("us-west>eu-west>eu-central")).toEqual(["us-west", "eu-west", "eu-central"]);
    expect(parseRelayPath(" us-west > eu-central ")).toEqual(["us-west", "eu-central"]);
    expect(parseRelayPath("us-west>EU!")).toEqual([]);
    expect(parseRelayPath(null)).toEqual([]);
    expect(parseRetryAfter("30", 0)).toBe(30_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(10_000);
    expect(parseRetryAfter("soon", 0)).toBeNull();
    expect(describeEndpoint("https://user:pw@sfu.example:8443/whep/a/b?token=x")).toBe("https://sfu.example:8443/whep/a/b");
  });
});
