// Fuzz (issue 13): every HTTP endpoint of a real analyzer — the probe ingest, the live API
// (overview, alerts, tracks, track graph), the SSE stream, /metrics, /healthz — with
// arbitrary methods, paths, headers (authorization garbage and the real token) and bodies up
// to and past the ingest limit, plus ingest batches shaped like real ones with each field
// valid or not (timestamps at the edges of the number line among them). No 5xx, no dropped
// connection; afterwards /healthz is ok and memory grew by a bounded amount.
import fc from "fast-check";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Analyzer } from "../../analyzer/analyzer.js";
import { parseConfig } from "../../core/config.js";
import type { ProbeStatus } from "../../core/probe-result.js";
import { probe } from "../support/analyzer-fixtures.js";
import { ScriptedRegionServer } from "../support/scripted-region-server.js";
import { assertNo5xx, headThenGet, headersArb, requestArb, retainedBytes, type FuzzRequest } from "./http-fuzz-kit.js";

const TOKEN = "fuzz-analyzer-token-0123456789";
const RUNS = 500;
const SHAPED_RUNS = 400;
/** Retained after GC: caches and JIT code grow a little (~5 MiB measured); a leak per request would exceed this. */
const MAX_RETAINED_GROWTH_BYTES = 64 * 1024 * 1024;
/** INGEST_BODY_LIMIT (8 MB) in bytes, for bodies around it. */
const INGEST_LIMIT_BYTES = 8 * 1024 * 1024;
const REGIONS = ["eu-central", "eu-west", "us-west"] as const;

const TEMPLATES = ["/healthz", "/metrics", "/v1/ingest/probes", "/v1/overview", "/v1/alerts", "/v1/tracks", "/v1/tracks/:room/:track", "/v1/stream"] as const;

const region = fc.oneof(fc.constantFrom(...REGIONS, "nowhere", "", "EU WEST"), fc.string({ maxLength: 12 }));
const edgeNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, Date.now(), Date.now() + 365 * 86_400_000, Date.now() - 365 * 86_400_000),
  fc.integer(), fc.double({ noNaN: true }),
);
const field = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 1 }), edgeNumber, fc.string({ maxLength: 20 })) });
const result = fc.tuple(fc.constantFrom(...REGIONS), fc.constantFrom(...REGIONS), fc.constantFrom("ok", "degraded", "no_media", "setup_failed", "http_error", "timeout") as fc.Arbitrary<ProbeStatus>).chain(([src, dst, status]) => {
  const base = probe(src, dst, status, Date.now());
  return fc.record({
    ts: field(edgeNumber), windowMs: field(fc.integer({ min: 1, max: 60_000 })), src: field(region), dst: field(region), status: field(fc.constant(status)),
    sent: field(fc.nat()), received: field(fc.nat()), lost: field(fc.nat()), jitterMs: field(fc.double({ min: 0, max: 1e6, noNaN: true })),
    relayPath: field(fc.array(region, { maxLength: 40 })), reason: field(fc.string({ maxLength: 1200 })),
  }, { requiredKeys: [] }).map((over) => ({ ...base, ...over }));
});
const batch = fc.record({
  agent: field(fc.string({ minLength: 1, maxLength: 220 })),
  results: fc.oneof({ weight: 5, arbitrary: fc.array(result, { maxLength: 30 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
}, { requiredKeys: [] }).map((b) => JSON.stringify(b));

describe("fuzz: analyzer HTTP", () => {
  const regions = REGIONS.map((r) => new ScriptedRegionServer(r));
  let analyzer: Analyzer;

  beforeAll(async () => {
    for (const r of regions) await r.start();
    const config = parseConfig({ regions: regions.map((r) => ({ name: r.region, url: r.url })), analyzer: { listen: "127.0.0.1:0", token: TOKEN } });
    analyzer = await Analyzer.start({ config, registry: new Registry() });
  });
  afterAll(async () => {
    await analyzer.close();
    for (const r of regions) await r.close();
  });

  it("HEAD /v1/stream answers and ends: the connection serves the next request (found by this suite)", async () => {
    expect(await headThenGet(analyzer.url, "/v1/stream", "/healthz", { authorization: `Bearer ${TOKEN}` })).toBe(200);
  });

  it("no request gets a 5xx; afterwards /healthz is ok and memory is bounded", { timeout: 120_000 }, async () => {
    const retainedBefore = retainedBytes();
    const validAuth = [`Bearer ${TOKEN}`];
    await assertNo5xx({ base: analyzer.url, requests: requestArb(TEMPLATES, [INGEST_LIMIT_BYTES], { validAuth }), numRuns: RUNS });
    const shaped: fc.Arbitrary<FuzzRequest> = fc.record({
      method: fc.constant("POST"),
      path: fc.constant("/v1/ingest/probes"),
      headers: headersArb({ validAuth }).map((h) => ({ ...h, "content-type": "application/json", authorization: `Bearer ${TOKEN}` })),
      body: batch,
    });
    await assertNo5xx({ base: analyzer.url, requests: shaped, numRuns: SHAPED_RUNS });
    const health = await fetch(`${analyzer.url}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`${analyzer.url}/v1/overview`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const grown = retainedBytes() - retainedBefore;
    expect(grown).toBeLessThan(MAX_RETAINED_GROWTH_BYTES);
  });
});
