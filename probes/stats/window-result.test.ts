import { describe, expect, it } from "vitest";
import { ReceiverStats } from "./receiver-stats.js";
import { STALL_DISCOUNT_MS } from "./stall-meter.js";
import { buildProbeResult, type WindowContext } from "./window-result.js";

const CTX: WindowContext = { ts: 10_000, windowMs: 1000, src: "us-east", dst: "eu-west", track: "probe/us-east.1", setupMs: 120, ttfpMs: 150, relayPath: ["us-east", "eu-west"] };

/** 50 packets, each `latencyMs` late: a connected window's observation. */
function slowWindow(latencyMs: number) {
  const stats = new ReceiverStats();
  for (let i = 0; i < 50; i++) stats.record(i, 9000 + i * 20, 9000 + i * 20 + latencyMs);
  return { phase: "connected" as const, figures: stats.takeWindow(), connectedForMs: 5000, totalReceived: 50 };
}

describe("buildProbeResult and the agent's own stalls", () => {
  it("reports the latency it measured when the agent did not stall", () => {
    const r = buildProbeResult({ ...CTX, agentStallMs: STALL_DISCOUNT_MS - 1 }, slowWindow(400));
    expect(r).toMatchObject({ status: "degraded", latencyP50Ms: 400, latencyP95Ms: 400, received: 50, lost: 0 });
  });

  it("reports no latency (and no latency-based degradation) for a window the agent stalled in; loss still counts", () => {
    const r = buildProbeResult({ ...CTX, agentStallMs: 320 }, slowWindow(400));
    expect(r).toMatchObject({ status: "ok", latencyP50Ms: null, latencyP95Ms: null, received: 50, lost: 0 });
    expect(r.reason).toMatch(/; latency not measured: this agent stalled 320 ms$/);
  });
});
