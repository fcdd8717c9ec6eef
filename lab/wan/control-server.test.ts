import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WanEmulator } from "./wan-emulator.js";
import type { WanControlServer } from "./control-server.js";
import { startWanControl, type WanControlFixture } from "../../test/support/wan-test-kit.js";

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

describe("WAN control API", () => {
  let fixture: WanControlFixture;
  let emu: WanEmulator;
  let control: WanControlServer;

  beforeAll(async () => {
    fixture = await startWanControl();
    ({ emu, control } = fixture);
  });

  afterAll(async () => {
    // close() is idempotent: the fixture closes the control API a second time.
    await control.close();
    await fixture.close();
  });

  async function call(method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; json: unknown; text: string }> {
    const res = await fetch(`${control.url}${path}`, {
      method,
      headers: body === undefined && raw === undefined ? {} : { "content-type": "application/json" },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    return { status: res.status, json: parseJson(text), text };
  }

  it("GET /v1/links lists every directed link with its defaults", async () => {
    const r = await call("GET", "/v1/links");
    expect(r.status).toBe(200);
    const body = r.json as { links: Array<{ from: string; to: string; latencyMs: number }> };
    expect(body.links).toHaveLength(3 * 2 + 3 * 2);
    expect(body.links.find((l) => l.from === "us-east" && l.to === "us-west")?.latencyMs).toBe(32);
    expect(body.links.find((l) => l.from === "analyzer" && l.to === "us-west")?.latencyMs).toBe(0);
  });

  it("PUT /v1/links/:from/:to changes one direction, or both", async () => {
    const r = await call("PUT", "/v1/links/us-east/eu-central", { latency: "70ms", jitter: "5ms", loss: 0.01, bandwidth: "10mbit" });
    expect(r.status).toBe(200);
    expect(emu.getLink("us-east", "eu-central")).toMatchObject({ latencyMs: 70, jitterMs: 5, loss: 0.01, bandwidthBps: 10e6 });
    expect(emu.getLink("eu-central", "us-east").latencyMs).toBe(45);
    await call("PUT", "/v1/links/us-east/eu-central", { latency: 12, both: true });
    expect(emu.getLink("eu-central", "us-east").latencyMs).toBe(12);
  });

  it.each([
    ["an unknown field", { lossy: 0.1 }, ""],
    ["a loss above 1", { loss: 2 }, "loss"],
    ["a bad duration", { latency: "fast" }, "latency"],
    ["a bad rate", { bandwidth: "lots" }, "bandwidth"],
    ["a non-object", [1, 2], ""],
  ])("rejects %s with 400 invalid_body naming the field", async (_name, body, path) => {
    const r = await call("PUT", "/v1/links/us-east/us-west", body);
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: "invalid_body", detail: { path } });
  });

  it("rejects malformed JSON and oversized bodies with JSON errors", async () => {
    const bad = await call("PUT", "/v1/links/us-east/us-west", undefined, "{nope");
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: "invalid_json" });
    const big = await call("POST", "/v1/partition", { regions: Array.from({ length: 5000 }, () => "us-east") });
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({ error: "body_too_large" });
  });

  it("answers 404 JSON for unknown links and routes", async () => {
    expect((await call("PUT", "/v1/links/us-east/mars", { latency: 5 })).json).toMatchObject({ error: "not_found" });
    expect((await call("GET", "/v1/links/analyzer/analyzer")).status).toBe(404);
    expect((await call("GET", "/v2/nothing")).json).toEqual({ error: "not_found", detail: "GET /v2/nothing" });
  });

  it("partitions, isolates, takes links down and heals", async () => {
    const p = await call("POST", "/v1/partition", { regions: ["us-east"], for: "30s" });
    expect(p.status).toBe(201);
    expect(p.json).toEqual({ cut: { id: expect.stringMatching(/^partition#/) as unknown, kind: "partition", names: ["us-east"] } });
    expect(emu.getLink("us-east", "us-west").effectiveDown).toBe(true);
    expect(emu.getLink("analyzer", "us-east").effectiveDown).toBe(false);
    expect((await call("POST", "/v1/isolate", { regions: [] })).json).toMatchObject({ error: "invalid_body", detail: { path: "regions" } });
    expect((await call("POST", "/v1/isolate", { regions: ["mars-1"] })).json).toMatchObject({ error: "invalid_request" });
    const id = (p.json as { cut: { id: string } }).cut.id;
    expect((await call("DELETE", `/v1/cuts/${encodeURIComponent(id)}`)).status).toBe(204);
    expect(emu.getLink("us-east", "us-west").effectiveDown).toBe(false);
    await call("POST", "/v1/link-down", { between: ["us-west", "eu-central"] });
    expect(emu.getLink("eu-central", "us-west").effectiveDown).toBe(true);
    await call("POST", "/v1/isolate", { regions: ["eu-central"] });
    const healed = await call("POST", "/v1/heal");
    expect(healed.json).toEqual({ cuts: [] });
    expect(emu.listLinks().every((l) => !l.effectiveDown)).toBe(true);
  });

  it("GET /v1/routes tells each endpoint its peers' addresses and relay mapping", async () => {
    const r = (await call("GET", "/v1/routes")).json as { routes: Array<{ from: string; to: string; httpUrl: string | null; relay: unknown }> };
    const route = r.routes.find((x) => x.from === "us-west" && x.to === "us-east");
    expect(route?.httpUrl).toBe(emu.route("us-west", "us-east").httpUrl);
    expect(route?.relay).toEqual(emu.route("us-west", "us-east").relay);
  });

  it("GET /metrics exposes the emulator's own metrics", async () => {
    const r = await call("GET", "/metrics");
    expect(r.status).toBe(200);
    expect(r.text).toContain("relaywatch_wan_link_up");
    expect(r.text).toContain('relaywatch_wan_link_latency_seconds{from="us-east",to="us-west"} 0.032');
  });
});
