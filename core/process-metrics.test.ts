import { readFileSync } from "node:fs";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { RELAYWATCH_VERSION, registerProcessMetrics } from "./process-metrics.js";

describe("registerProcessMetrics()", () => {
  it("keeps RELAYWATCH_VERSION equal to package.json's version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(RELAYWATCH_VERSION).toBe(pkg.version);
  });

  it("exports unprefixed process_* and nodejs_* metrics and relaywatch_build_info = 1", async () => {
    const registry = new Registry();
    registerProcessMetrics(registry, "werift");
    const text = await registry.metrics();
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toContain(`relaywatch_build_info{version="${RELAYWATCH_VERSION}",engine="werift"} 1`);
    // Gauges named *_total are dropped (promtool refuses them); their by-type gauges stay.
    expect(text).not.toMatch(/^# TYPE nodejs_active_handles_total /m);
    expect(text).toMatch(/^# TYPE nodejs_active_handles gauge/m);
  });

  it("setEngine() replaces the engine label: one build_info series, never two", async () => {
    const registry = new Registry();
    const info = registerProcessMetrics(registry);
    info.setEngine("mediasoup");
    const lines = (await registry.metrics()).split("\n").filter((l) => l.startsWith("relaywatch_build_info{"));
    expect(lines).toEqual([`relaywatch_build_info{version="${RELAYWATCH_VERSION}",engine="mediasoup"} 1`]);
  });
});
