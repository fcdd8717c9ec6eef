// Issue 13: 200,000 fake region pairs grew an open analyzer by 400 MB. With regions
// configured, only they are taken; with none (probing other SFUs), at most
// MAX_LEARNED_REGIONS are learned and the rest refused and counted.
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Analyzer } from "../../analyzer/analyzer.js";
import { MAX_LEARNED_REGIONS } from "../../analyzer/ingest/probe-ingest.js";
import { parseConfig } from "../../core/config.js";
import { probe } from "../support/analyzer-fixtures.js";

let analyzer: Analyzer;
beforeAll(async () => {
  analyzer = await Analyzer.start({ config: parseConfig({ analyzer: { listen: "127.0.0.1:0" } }), registry: new Registry() });
});
afterAll(async () => {
  await analyzer.close();
});

const post = async (src: string, dst: string): Promise<{ status: number; body: { error?: string } }> => {
  const res = await fetch(`${analyzer.url}/v1/ingest/probes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ agent: "fake", results: [probe(src, dst, "ok", Date.now() - 1000)] }) });
  return { status: res.status, body: (await res.json()) as { error?: string } };
};

describe("an analyzer with no regions configured", () => {
  it(`learns at most ${MAX_LEARNED_REGIONS} regions from the results and refuses the others (counted)`, async () => {
    for (let i = 0; i < MAX_LEARNED_REGIONS; i += 2) expect((await post(`fake-${i}`, `fake-${i + 1}`)).status).toBe(202);
    const refused = await post("fake-x", "fake-y");
    expect(refused).toEqual({ status: 422, body: expect.objectContaining({ error: "unknown_region" }) as unknown });
    expect((await post("fake-0", "fake-1")).status).toBe(202);
    expect(analyzer.engine.matrix.regions().size).toBe(MAX_LEARNED_REGIONS);
    expect(await (await fetch(`${analyzer.url}/metrics`)).text()).toMatch(/relaywatch_analyzer_ingest_rejected_total\{reason="unknown_region"\} 1/);
  });
});
