import { describe, expect, it } from "vitest";
import { probe } from "../../test/support/analyzer-fixtures.js";
import { admitBatch, batchClockOffsetMs, DEFAULT_SKEW_WINDOW } from "./admission.js";
import { AGENT_TOKEN_PREFIX, identify, issueAgentToken } from "./agent-token.js";

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const YEAR_MS = 365 * 86_400_000;
const regions = new Set(["us-east", "eu-west", "ap-south"]);
const ctx = { now: NOW, skew: DEFAULT_SKEW_WINDOW, regions, agentRegion: "eu-west" };

describe("admitBatch()", () => {
  it("takes a batch of its own region's pairs stamped within the skew window", () => {
    const batch = [probe("us-east", "eu-west", "ok", NOW - 1000), probe("ap-south", "eu-west", "ok", NOW + 29_000), probe("us-east", "eu-west", "ok", NOW - 599_000)];
    expect(admitBatch(batch, ctx)).toEqual({ ok: true });
  });

  it("refuses a result a year ahead, naming the field and the analyzer's clock", () => {
    const v = admitBatch([probe("us-east", "eu-west", "ok", NOW - 1000), probe("us-east", "eu-west", "ok", NOW + YEAR_MS)], ctx);
    expect(v).toMatchObject({ ok: false, reason: "clock_ahead", path: "results[1].ts", refused: 1 });
    if (!v.ok) expect(v.detail).toContain(new Date(NOW).toISOString());
  });

  it("refuses ts = Number.MAX_SAFE_INTEGER (beyond Date's range) without throwing", () => {
    const v = admitBatch([probe("us-east", "eu-west", "ok", Number.MAX_SAFE_INTEGER)], ctx);
    expect(v).toMatchObject({ ok: false, reason: "clock_ahead", path: "results[0].ts" });
    if (!v.ok) expect(v.detail).toContain(String(Number.MAX_SAFE_INTEGER));
  });

  it("refuses a result more than 10 minutes behind, and 0 (1970)", () => {
    expect(admitBatch([probe("us-east", "eu-west", "ok", NOW - 601_000)], ctx)).toMatchObject({ ok: false, reason: "clock_behind" });
    expect(admitBatch([probe("us-east", "eu-west", "ok", 0)], ctx)).toMatchObject({ ok: false, reason: "clock_behind" });
  });

  it("honours a configured window", () => {
    const tight = { ...ctx, skew: { maxAheadMs: 1000, maxBehindMs: 5000 } };
    expect(admitBatch([probe("us-east", "eu-west", "ok", NOW + 2000)], tight)).toMatchObject({ ok: false, reason: "clock_ahead" });
    expect(admitBatch([probe("us-east", "eu-west", "ok", NOW - 6000)], tight)).toMatchObject({ ok: false, reason: "clock_behind" });
  });

  it("refuses regions outside the configuration and pairs into another agent's region", () => {
    expect(admitBatch([probe("mars-1", "eu-west", "ok", NOW)], ctx)).toMatchObject({ ok: false, reason: "unknown_region", path: "results[0].src" });
    expect(admitBatch([probe("eu-west", "us-east", "ok", NOW)], ctx)).toMatchObject({ ok: false, reason: "foreign_pair", path: "results[0].dst" });
    expect(admitBatch([probe("eu-west", "us-east", "ok", NOW)], { ...ctx, agentRegion: null })).toEqual({ ok: true });
  });

  it("batchClockOffsetMs() is the newest window end minus now", () => {
    expect(batchClockOffsetMs([probe("us-east", "eu-west", "ok", NOW - 3000), probe("us-east", "eu-west", "ok", NOW - 1000)], NOW)).toBe(-1000);
    expect(batchClockOffsetMs([], NOW)).toBeNull();
  });
});

describe("agent tokens", () => {
  const key = "analyzer-token-0123456789";
  it("identify() gives the region an agent token was minted for", () => {
    const t = issueAgentToken(key, "eu-west");
    expect(t.startsWith(`${AGENT_TOKEN_PREFIX}.eu-west.`)).toBe(true);
    expect(identify(key, t)).toEqual({ kind: "agent", region: "eu-west" });
  });

  it("identify() refuses a token of another key, a region swapped in, and garbage; the analyzer token is the operator", () => {
    const t = issueAgentToken(key, "eu-west");
    expect(identify("another-analyzer-token-000", t)).toEqual({ kind: "unknown" });
    expect(identify(key, t.replace(".eu-west.", ".us-east."))).toEqual({ kind: "unknown" });
    expect(identify(key, "rwa1.EU WEST.x")).toEqual({ kind: "unknown" });
    expect(identify(key, "nope")).toEqual({ kind: "unknown" });
    expect(identify(key, key)).toEqual({ kind: "operator" });
  });
});
