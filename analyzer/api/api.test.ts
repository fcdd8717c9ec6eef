import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { parseConfig } from "../../core/config.js";
import { overviewSchema, trackGraphSchema, alertsResponseSchema } from "../../core/analyzer-api.js";
import { Analyzer } from "../analyzer.js";
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
    const res = await post(JSON.stringify({ agent: "probe-eu-west", results: [probe("eu-west", "us-west", "ok", 1000)] }));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
    expect(analyzer.engine.matrix.pair("eu-west", "us-west")?.last.status).toBe("ok");
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
    expect(alerts.alerts.find((a) => a.name === "RelayLoop")?.labels).toMatchObject({ track: "room/cam", regions: "eu-central,eu-west" });
    const tracks = (await (await fetch(`${analyzer.url}/v1/tracks?cycles=1`, { headers: auth })).json()) as { tracks: { track: string; cycle: boolean }[] };
    expect(tracks.tracks).toEqual([expect.objectContaining({ track: "room/cam", cycle: true })]);
    expect((await fetch(`${analyzer.url}/v1/tracks/room/none`, { headers: auth })).status).toBe(404);
  });

  it("exposes its metrics on /metrics", async () => {
    const text = await (await fetch(`${analyzer.url}/metrics`)).text();
    for (const m of ["relaywatch_analyzer_events_total", "relaywatch_analyzer_detector_seconds", "relaywatch_analyzer_time_to_detect_seconds", 'relaywatch_analyzer_alerts_firing{alertname="RelayLoop"} 1', "relaywatch_analyzer_sink_errors_total"]) expect(text).toContain(m);
  });
});
