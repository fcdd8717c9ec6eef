// buildOverview(): a pair's latency is the last one measured — a window whose agent stalled
// reports none (probes/stats/stall-meter.ts), and the matrix keeps the figure it had.
import { describe, expect, it } from "vitest";
import { probe } from "../test/support/analyzer-fixtures.js";
import { AnalyzerEngine } from "./engine.js";
import { buildOverview } from "./views.js";

describe("buildOverview", () => {
  it("shows a pair's last measured latency through a window that reported none", () => {
    const engine = new AnalyzerEngine({ probe: { k: 2, n: 3 }, relayLatencyMs: 250, staleRelayAfterMs: 60_000, gracePeriodMs: 0 }, { transition: () => undefined });
    engine.ingestProbes([probe("us-west", "eu-west", "ok", 1000, { latencyP50Ms: 70 })], 1000);
    engine.ingestProbes([probe("us-west", "eu-west", "ok", 2000, { latencyP50Ms: 72 })], 2000);
    engine.ingestProbes([probe("us-west", "eu-west", "ok", 3000, { latencyP50Ms: null, latencyP95Ms: null, reason: "latency not measured: this agent stalled 300 ms" })], 3000);
    const pair = buildOverview(engine, ["us-west", "eu-west"], 3000).pairs.find((p) => p.src === "us-west" && p.dst === "eu-west");
    expect(pair).toMatchObject({ status: "ok", latencyP50Ms: 72, updatedAt: 3000 });
  });
});
