import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { parseConfig } from "../../core/config.js";
import { ackResponseSchema, overviewSchema, trackGraphSchema, alertsResponseSchema } from "../../core/analyzer-api.js";
import { Analyzer } from "../analyzer.js";
import { issueAgentToken } from "../ingest/agent-token.js";
import { probe, trackEntry } from "../../test/support/analyzer-fixtures.js";
import { ScriptedRegionServer } from "../../test/support/scripted-region-server.js";

const TOKEN = "test-token-0123456789";
let analyzer: Analyzer;
const regions = { "eu-central": new ScriptedRegionServer("eu-central"), "eu-west": new ScriptedRegionServer("eu-west"), "us-west": new ScriptedRegionServer("us-west") };

beforeAll(async () => {
  for (const r of Object.values(regions)) await r.start();
  const config = parseConfig({ regions: Object.values(regions).map((r) => ({ name: r.region, url: r.url })), analyzer: { listen: "127.0.0.1:0", token: TOKEN } });
  analyzer = await Analyzer.start({ config, registry: new Registry() });
  const deadline = Date.now() + 5000;
  while ([...analyzer.engine.regions.all()].some((r) => !r.connected) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
});
afterAll(async () => {
  await analyzer.close();
  for (const r of Object.values(regions)) await r.close();
});

const auth = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
const post = (body: string, headers: Record<string, string> = auth) => fetch(`${analyzer.url}/v1/ingest/probes`, { method: "POST", headers, body });

describe("probe ingest POST /v1/ingest/probes", () => {
  it("accepts a valid batch (202) and folds it into the matrix", async () => {
    const res = await post(JSON.stringify({ agent: "probe-eu-west", results: [probe("eu-west", "us-west", "ok", Date.now() - 1000)] }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0, durable: "memory" });
    expect(analyzer.engine.matrix.pair("eu-west", "us-west")?.last.status).toBe("ok");
  });

  it("takes an agent token for its own region only: 202 for its pairs, 403 naming the pair for another region's, 401 for a forged one", async () => {
    const agent = { authorization: `Bearer ${issueAgentToken(TOKEN, "eu-central")}`, "content-type": "application/json" };
    const t = Date.now() - 500;
    expect((await post(JSON.stringify({ agent: "probe-eu-central", results: [probe("us-west", "eu-central", "ok", t)] }), agent)).status).toBe(202);
    const foreign = await post(JSON.stringify({ agent: "probe-eu-central", results: [probe("eu-central", "us-west", "ok", t)] }), agent);
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: "foreign_pair", path: "results[0].dst" });
    const forged = { ...agent, authorization: `Bearer ${issueAgentToken("not-the-analyzer-token", "eu-central")}` };
    expect((await post(JSON.stringify({ agent: "x", results: [] }), forged)).status).toBe(401);
    expect((await fetch(`${analyzer.url}/v1/overview`, { headers: agent })).status).toBe(401);
  });

  it("a re-sent batch is a no-op (200, every result a duplicate); refusals are counted by reason", async () => {
    const body = JSON.stringify({ agent: "probe-eu-west", results: [probe("us-west", "eu-west", "no_media", Date.now() - 2000), probe("us-west", "eu-west", "no_media", Date.now() - 1000)] });
    expect(await (await post(body)).json()).toMatchObject({ accepted: 2, duplicates: 0 });
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(analyzer.engine.matrix.pair("us-west", "eu-west")?.recent).toEqual(["no_media", "no_media"]);
  });

  it("refuses a result a year ahead with 422 naming the field and the analyzer's clock, and ts = 2^53-1 too (never a 500)", async () => {
    for (const ts of [Date.now() + 365 * 86_400_000, Number.MAX_SAFE_INTEGER]) {
      const res = await post(JSON.stringify({ agent: "probe-eu-west", results: [probe("eu-central", "eu-west", "ok", ts)] }));
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: string; path: string; detail: string; analyzerTime: number };
      expect(body).toMatchObject({ error: "clock_ahead", path: "results[0].ts" });
      expect(body.detail).toContain("analyzer's clock");
    }
    expect(analyzer.engine.matrix.pair("eu-central", "eu-west")).toBeUndefined();
    const metrics = await (await fetch(`${analyzer.url}/metrics`)).text();
    expect(metrics).toMatch(/relaywatch_analyzer_ingest_rejected_total\{reason="clock_ahead"\} 2/);
    expect(metrics).toMatch(/relaywatch_analyzer_ingest_rejected_total\{reason="foreign_pair"\} 1/);
  });

  it("rejects a bad body with 400 naming the zod path", async () => {
    const bad = { ...probe("eu-west", "us-west", "ok", 2000), src: "EU WEST" };
    const res = await post(JSON.stringify({ agent: "a", results: [probe("eu-west", "us-west", "ok", 1500), bad] }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; path: string; detail: string };
    expect(body).toMatchObject({ error: "invalid_payload", path: "results[1].src" });
    expect(body.detail).toContain("region");
    const res2 = await post(JSON.stringify({ agent: "a", results: [{ ...probe("a", "b", "ok", 1), status: "great" }] }));
    expect(await res2.json()).toMatchObject({ error: "invalid_payload", path: "results[0].status" });
  });

  it("rejects invalid JSON with 400 and an oversize body with 413", async () => {
    expect((await post("{not json")).status).toBe(400);
    const huge = JSON.stringify({ agent: "a", results: [], pad: "x".repeat(9 * 1024 * 1024) });
    const res = await post(huge);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: "payload_too_large" });
  });

  it("answers a body it cannot read (unsupported content-encoding) with a 4xx, not a 500", async () => {
    const res = await post("{}", { ...auth, "content-encoding": "!" });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: "invalid_body" });
  });

  it("requires the bearer token: 401 without it or with a wrong one", async () => {
    const body = JSON.stringify({ agent: "a", results: [] });
    expect((await post(body, { "content-type": "application/json" })).status).toBe(401);
    expect((await post(body, { "content-type": "application/json", authorization: "Bearer nope" })).status).toBe(401);
    expect((await fetch(`${analyzer.url}/v1/overview`)).status).toBe(401);
  });
});

describe("live API", () => {
  it("serves the overview, track graph with the cycle, alerts, and streams the RelayLoop alert over SSE", async () => {
    const stream = await fetch(`${analyzer.url}/v1/stream?track=room/cam`, { headers: auth });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const reader = stream.body!.getReader();
    let text = "";
    const read = async (until: string) => {
      const deadline = Date.now() + 5000;
      while (!text.includes(until) && Date.now() < deadline) {
        const { value } = (await reader.read()) as { value?: Uint8Array };
        text += new TextDecoder().decode(value);
      }
    };
    await read("event: overview");

    regions["us-west"].emit({ type: "track", entry: trackEntry("room/cam", { local: true, origin: "us-west", state: "flowing" }) });
    regions["eu-central"].emit({ type: "track", entry: trackEntry("room/cam", { upstream: "eu-west", origin: "us-west", subscribers: 1 }) });
    regions["eu-west"].emit({ type: "track", entry: trackEntry("room/cam", { upstream: "eu-central", origin: "us-west", subscribers: 1 }) });
    await read('"RelayLoop"');
    expect(text).toContain("event: alert");
    await reader.cancel();

    const overview = overviewSchema.parse(await (await fetch(`${analyzer.url}/v1/overview`, { headers: auth })).json());
    expect(overview.regions.map((r) => [r.region, r.connected])).toEqual([["eu-central", true], ["eu-west", true], ["us-west", true]]);
    expect(overview.firingAlerts).toBeGreaterThanOrEqual(1);
    const graph = trackGraphSchema.parse(await (await fetch(`${analyzer.url}/v1/tracks/room/cam`, { headers: auth })).json());
    expect(graph).toMatchObject({ origin: "us-west", cycle: ["eu-central", "eu-west", "eu-central"] });
    const alerts = alertsResponseSchema.parse(await (await fetch(`${analyzer.url}/v1/alerts`, { headers: auth })).json());
    // One RelayLoop per cycle: the regions label it, its evidence names the track.
    expect(alerts.alerts.find((a) => a.name === "RelayLoop")).toMatchObject({ labels: { regions: "eu-central,eu-west" }, evidence: { track: "room/cam" } });
    const tracks = (await (await fetch(`${analyzer.url}/v1/tracks?cycles=1`, { headers: auth })).json()) as { tracks: { track: string; cycle: boolean }[] };
    expect(tracks.tracks).toEqual([expect.objectContaining({ track: "room/cam", cycle: true })]);
    expect((await fetch(`${analyzer.url}/v1/tracks/room/none`, { headers: auth })).status).toBe(404);
  });

  it("POST /v1/alerts/:fingerprint/ack: the alert is owned, another client sees it on the stream and in /v1/alerts; token required, 404 unknown, 400 no name", async () => {
    const loop = alertsResponseSchema.parse(await (await fetch(`${analyzer.url}/v1/alerts`, { headers: auth })).json()).alerts.find((a) => a.name === "RelayLoop" && a.state === "firing");
    expect(loop).toBeDefined();
    const fp = loop?.fingerprint ?? "";
    // Another on-call engineer watching the stream.
    const stream = await fetch(`${analyzer.url}/v1/stream`, { headers: auth });
    const reader = stream.body!.getReader();
    let text = "";
    const read = async (until: string) => {
      const deadline = Date.now() + 5000;
      while (!text.includes(until) && Date.now() < deadline) text += new TextDecoder().decode(((await reader.read()) as { value?: Uint8Array }).value);
    };
    await read("event: overview");
    const ack = (body: string, headers: Record<string, string> = auth, target = fp) => fetch(`${analyzer.url}/v1/alerts/${target}/ack`, { method: "POST", headers, body });
    expect((await ack(JSON.stringify({ by: "ana" }), { "content-type": "application/json" })).status).toBe(401);
    expect((await ack(JSON.stringify({ by: "ana" }), auth, "0000")).status).toBe(404);
    const bad = await ack(JSON.stringify({ by: "  " }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_body", path: "by" });
    const res = await ack(JSON.stringify({ by: "ana" }));
    expect(res.status).toBe(200);
    expect(ackResponseSchema.parse(await res.json()).alert).toMatchObject({ fingerprint: fp, state: "firing", evidence: { ackedBy: "ana" } });
    await read('"ackedBy":"ana"');
    expect(text).toContain('"ackedBy":"ana"');
    await reader.cancel();
    const seen = alertsResponseSchema.parse(await (await fetch(`${analyzer.url}/v1/alerts?fingerprint=${fp}`, { headers: auth })).json());
    expect(seen.alerts[0]?.evidence).toMatchObject({ ackedBy: "ana", ackedAt: expect.any(Number) as number });
  });

  it("exposes its metrics on /metrics", async () => {
    const text = await (await fetch(`${analyzer.url}/metrics`)).text();
    for (const m of ["relaywatch_analyzer_events_total", "relaywatch_analyzer_detector_seconds", "relaywatch_analyzer_time_to_detect_seconds", 'relaywatch_analyzer_alerts_firing{alertname="RelayLoop"} 1', "relaywatch_analyzer_sink_errors_total"]) expect(text).toContain(m);
  });
});
