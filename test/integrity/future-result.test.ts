// Issue 13: two results stamped a year ahead were accepted, resolved a firing
// ProbePairFailing and froze the pair (later real windows were ignored). Against a real
// analyzer over HTTP with agent tokens: such a result gets 422, the pair's windows and the
// alerts do not change, and real failing windows still fire ProbePairFailing.
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Analyzer } from "../../analyzer/analyzer.js";
import { issueAgentToken } from "../../analyzer/ingest/agent-token.js";
import { parseConfig } from "../../core/config.js";
import type { ProbeStatus } from "../../core/probe-result.js";
import { probe } from "../support/analyzer-fixtures.js";
import { ScriptedRegionServer } from "../support/scripted-region-server.js";
import { waitFor } from "../support/ports.js";

const TOKEN = "future-result-analyzer-token-0123";
const YEAR_MS = 365 * 86_400_000;
const regions = [new ScriptedRegionServer("us-east"), new ScriptedRegionServer("eu-west")];
let analyzer: Analyzer;

beforeAll(async () => {
  for (const r of regions) await r.start();
  const config = parseConfig({
    regions: regions.map((r) => ({ name: r.region, url: r.url })),
    analyzer: { listen: "127.0.0.1:0", token: TOKEN },
    thresholds: { gracePeriod: "0s" },
  });
  analyzer = await Analyzer.start({ config, registry: new Registry() });
});
afterAll(async () => {
  await analyzer.close();
  for (const r of regions) await r.close();
});

let t = Date.now() - 60_000;
/** The next real window of us-east→eu-west, posted by eu-west's agent. */
async function post(status: ProbeStatus, ts = (t += 1000)): Promise<number> {
  const res = await fetch(`${analyzer.url}/v1/ingest/probes`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${issueAgentToken(TOKEN, "eu-west")}` },
    body: JSON.stringify({ agent: "probe-eu-west", results: [probe("us-east", "eu-west", status, ts)] }),
  });
  await res.body?.cancel();
  return res.status;
}

const firing = () => analyzer.engine.book.firing().filter((a) => a.name === "ProbePairFailing").map((a) => a.fingerprint);
const windows = () => [...(analyzer.engine.matrix.pair("us-east", "eu-west")?.recent ?? [])];

describe("a probe result stamped a year ahead", () => {
  it("is refused (422) without touching the pair, and real failing windows after it still fire ProbePairFailing", async () => {
    expect(await post("ok")).toBe(202);
    expect(await post("ok")).toBe(202);
    const before = windows();
    expect(await post("ok", Date.now() + YEAR_MS)).toBe(422);
    expect(await post("ok", Date.now() + YEAR_MS + 1000)).toBe(422);
    expect(windows()).toEqual(before);
    expect(await post("no_media")).toBe(202);
    expect(await post("no_media")).toBe(202);
    expect(await waitFor(() => firing().length > 0, 5000), "ProbePairFailing fires").toBe(true);
  });

  it("cannot resolve a firing ProbePairFailing", async () => {
    const fired = firing();
    const before = windows();
    expect(await post("ok", Date.now() + YEAR_MS)).toBe(422);
    expect(await post("ok", Date.now() + YEAR_MS + 1000)).toBe(422);
    expect(windows()).toEqual(before);
    expect(firing()).toEqual(fired);
    expect(await post("no_media")).toBe(202);
    expect(firing()).toEqual(fired);
  });
});
