// Fuzz (issue 13): every endpoint of the WAN emulator's control API (lab/wan/control-server.ts)
// with arbitrary methods, paths, headers and bodies — plus bodies shaped like its own
// (link settings, cuts, link pairs) with each field valid or not. No 5xx, no dropped
// connection; afterwards /healthz is ok and memory grew by a bounded amount.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WanControlServer } from "../../lab/wan/control-server.js";
import { startWanControl, type WanControlFixture } from "../support/wan-test-kit.js";
import { assertNo5xx, headersArb, requestArb, retainedBytes, type FuzzRequest } from "./http-fuzz-kit.js";

const RUNS = 600;
const SHAPED_RUNS = 600;
/** Retained after GC: caches and JIT code grow a little (~5 MiB measured); a leak per request would exceed this. */
const MAX_RETAINED_GROWTH_BYTES = 64 * 1024 * 1024;
/** CONTROL_BODY_LIMIT (16 KiB) in bytes, for bodies around it. */
const BODY_LIMIT_BYTES = 16 * 1024;

const TEMPLATES = [
  "/healthz", "/v1/links", "/v1/links/:from/:to", "/v1/routes", "/v1/partition", "/v1/isolate", "/v1/link-down", "/v1/link-up", "/v1/heal", "/v1/cuts/:id", "/metrics",
] as const;
const REGIONS = ["us-east", "us-west", "eu-central", "analyzer"] as const;

const region = fc.oneof(fc.constantFrom(...REGIONS, "nowhere", "", "US-EAST"), fc.string({ maxLength: 12 }));
const duration = fc.oneof(
  fc.constantFrom("0s", "1ms", "10ms", "1s", "-1s", "999999h", "1e9h", "9007199254740991ms", "1.5s", "NaN", "Infinity", "", "10", "2147483648ms"),
  fc.integer(), fc.double(), fc.string({ maxLength: 10 }),
);
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
const shapedBody = fc.oneof(
  fc.record({
    latency: duration, jitter: duration, loss: fc.oneof(fc.double(), fc.integer(), anyValue), bandwidth: fc.oneof(fc.constantFrom("10mbit", "0", "-1kbit", "1e99gbit", "x"), anyValue),
    both: fc.oneof(fc.boolean(), anyValue), down: fc.oneof(fc.boolean(), anyValue),
  }, { requiredKeys: [] }),
  fc.record({ regions: fc.oneof(fc.array(region, { maxLength: 6 }), anyValue), for: duration }, { requiredKeys: [] }),
  fc.record({ between: fc.oneof(fc.tuple(region, region), fc.array(region, { maxLength: 3 }), anyValue), for: duration }, { requiredKeys: [] }),
).map((v) => JSON.stringify(v));

describe("fuzz: WAN control API", () => {
  let fixture: WanControlFixture;
  let control: WanControlServer;

  beforeAll(async () => {
    fixture = await startWanControl();
    control = fixture.control;
  });
  afterAll(async () => {
    await fixture.close();
  });

  it("a body in a charset or encoding the parser does not support is a 415, not a 500 (found by this suite)", async () => {
    for (const headers of [{ "content-type": "application/json; charset=latin1" }, { "content-type": "application/json", "content-encoding": "br-nope" }]) {
      const res = await fetch(`${control.url}/v1/heal`, { method: "POST", headers, body: "{}" });
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({ error: "invalid_request" });
    }
  });

  it("no request gets a 5xx; afterwards /healthz is ok and memory is bounded", { timeout: 120_000 }, async () => {
    const retainedBefore = retainedBytes();
    await assertNo5xx({ base: control.url, requests: requestArb(TEMPLATES, [BODY_LIMIT_BYTES], { validAuth: [] }), numRuns: RUNS });
    const shaped: fc.Arbitrary<FuzzRequest> = fc.record({
      method: fc.constantFrom("POST", "PUT", "POST", "PUT", "DELETE"),
      path: fc.oneof(
        fc.constantFrom("/v1/partition", "/v1/isolate", "/v1/link-down", "/v1/link-up", "/v1/heal"),
        fc.tuple(region, region).map(([a, b]) => `/v1/links/${encodeURIComponent(a)}/${encodeURIComponent(b)}`),
      ),
      headers: headersArb({ validAuth: [] }).map((h) => ({ ...h, "content-type": "application/json" })),
      body: shapedBody,
    });
    await assertNo5xx({ base: control.url, requests: shaped, numRuns: SHAPED_RUNS });
    const health = await fetch(`${control.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const grown = retainedBytes() - retainedBefore;
    expect(grown).toBeLessThan(MAX_RETAINED_GROWTH_BYTES);
  });
});
