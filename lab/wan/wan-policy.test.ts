// Pure parts of the emulator: latency table, loss models, shaping, topology, cuts, scheduler.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import { defaultLatencyMs, FALLBACK_LATENCY_MS, knownLatencyRegions } from "./latency-table.js";
import { gilbertTransitions, nextPacketLost, initialLossState } from "./loss-model.js";
import { seededRandom } from "../../core/random.js";
import { MAX_QUEUE_DELAY_MS, newLinkRuntime, newOrderState, shapeDatagram, shapeStreamChunk, TCP_RETRANSMIT_PENALTY_MS } from "./link-shaper.js";
import { applyLinkPatch, defaultLinkParams, linkSettingsSchema, parseBandwidth, settingsToPatch } from "./link-params.js";
import { buildEndpoints, mapRelayPort, unmapRelayPort } from "./topology.js";
import { cutLinks } from "./cuts.js";
import { DeliveryScheduler } from "./delivery-scheduler.js";
import { DEFAULT_REGIONS } from "../../core/region.js";

describe("defaultLatencyMs()", () => {
  it("is symmetric and covers every pair of the default regions", () => {
    for (const a of DEFAULT_REGIONS) {
      for (const b of DEFAULT_REGIONS) {
        expect(defaultLatencyMs(a, b)).toBe(defaultLatencyMs(b, a));
        if (a !== b) expect(defaultLatencyMs(a, b)).not.toBe(FALLBACK_LATENCY_MS);
      }
    }
    expect(knownLatencyRegions()).toEqual([...DEFAULT_REGIONS].sort());
  });

  it("gives realistic figures: nearby regions close, far ones far", () => {
    expect(defaultLatencyMs("us-east", "us-west")).toBe(32);
    expect(defaultLatencyMs("eu-west", "us-east")).toBe(38);
    expect(defaultLatencyMs("eu-central", "eu-west")).toBe(8);
    expect(defaultLatencyMs("us-west", "eu-central")).toBe(70);
    expect(defaultLatencyMs("ap-south", "eu-central")).toBe(60);
    expect(defaultLatencyMs("us-west", "ap-south")).toBeGreaterThan(defaultLatencyMs("us-east", "ap-south"));
  });

  it("falls back for unknown names and is 0 within a region", () => {
    expect(defaultLatencyMs("mars-1", "us-east")).toBe(FALLBACK_LATENCY_MS);
    expect(defaultLatencyMs("eu-west", "eu-west")).toBe(0);
  });
});

describe("loss models", () => {
  function lossRate(loss: number, burst: number, n: number): { rate: number; meanBurst: number } {
    const random = seededRandom(7);
    const state = initialLossState();
    let lost = 0;
    let bursts = 0;
    let prev = false;
    for (let i = 0; i < n; i++) {
      const l = nextPacketLost(state, loss, burst, random);
      if (l) lost++;
      if (l && !prev) bursts++;
      prev = l;
    }
    return { rate: lost / n, meanBurst: bursts === 0 ? 0 : lost / bursts };
  }

  it("Bernoulli loss hits the configured rate", () => {
    expect(lossRate(0.01, 1, 200_000).rate).toBeCloseTo(0.01, 3);
    expect(lossRate(0, 1, 1000).rate).toBe(0);
    expect(lossRate(1, 1, 1000).rate).toBe(1);
  });

  it("Gilbert loss hits the configured rate in bursts of the configured mean length", () => {
    const { rate, meanBurst } = lossRate(0.05, 4, 400_000);
    expect(Math.abs(rate - 0.05)).toBeLessThan(0.005);
    expect(Math.abs(meanBurst - 4)).toBeLessThan(0.3);
  });

  it("gilbertTransitions() caps p at 1 for combinations the chain cannot give", () => {
    expect(gilbertTransitions(0.8, 2).p).toBe(1);
    expect(gilbertTransitions(0.1, 5)).toEqual({ p: (0.1 * 0.2) / 0.9, r: 0.2 });
  });
});

describe("shapeDatagram()", () => {
  const random = seededRandom(1);

  it("releases at now + latency, and never before an earlier datagram without reorder", () => {
    const p = { ...defaultLinkParams(50), jitterMs: 20 };
    const order = newOrderState();
    const runtime = newLinkRuntime();
    let last = 0;
    for (let i = 0; i < 1000; i++) {
      const v = shapeDatagram(p, runtime, order, 1000 + i, 100, random);
      if (!("deliverAt" in v)) throw new Error("dropped");
      expect(v.deliverAt).toBeGreaterThanOrEqual(last);
      expect(v.deliverAt).toBeGreaterThanOrEqual(1000 + i + 30);
      last = v.deliverAt;
    }
  });

  it("lets jitter reorder when asked", () => {
    const p = { ...defaultLinkParams(50), jitterMs: 20, reorder: true };
    const order = newOrderState();
    const runtime = newLinkRuntime();
    const times = Array.from({ length: 200 }, (_, i) => {
      const v = shapeDatagram(p, runtime, order, i, 100, random);
      return "deliverAt" in v ? v.deliverAt : Number.NaN;
    });
    expect(times.some((t, i) => i > 0 && t < times[i - 1]!)).toBe(true);
  });

  it("serialises at the bandwidth cap and tail-drops beyond the queue limit", () => {
    const p = { ...defaultLinkParams(0), bandwidthBps: 8_000_000 }; // 1 byte per µs: 1000 B = 1 ms
    const runtime = newLinkRuntime();
    const order = newOrderState();
    const first = shapeDatagram(p, runtime, order, 0, 1000, random);
    expect(first).toEqual({ deliverAt: 1 });
    const results = Array.from({ length: MAX_QUEUE_DELAY_MS + 10 }, () => shapeDatagram(p, runtime, order, 0, 1000, random));
    expect(results.filter((r) => "dropped" in r && r.dropped === "bandwidth").length).toBeGreaterThan(0);
    expect(results.filter((r) => "deliverAt" in r).length).toBe(MAX_QUEUE_DELAY_MS);
  });

  it("charges lost stream chunks a retransmission delay instead of dropping them", () => {
    const p = { ...defaultLinkParams(10), loss: 1 };
    expect(shapeStreamChunk(p, newLinkRuntime(), newOrderState(), 0, 10, random)).toBe(10 + TCP_RETRANSMIT_PENALTY_MS);
  });
});

describe("link settings", () => {
  it("parse the scenario spelling into a patch", () => {
    const s = linkSettingsSchema.parse({ latency: "70ms", jitter: "5ms", loss: 0.001, bandwidth: "10mbit" });
    expect(settingsToPatch(s)).toEqual({ latencyMs: 70, jitterMs: 5, loss: 0.001, bandwidthBps: 10_000_000 });
    expect(parseBandwidth("512kbit")).toBe(512_000);
    expect(parseBandwidth("fast")).toBeNull();
    expect(linkSettingsSchema.safeParse({ latency: "70 parsecs" }).success).toBe(false);
    expect(linkSettingsSchema.safeParse({ lossy: true }).success).toBe(false);
  });

  it("reject out-of-range patches naming the field", () => {
    expect(() => applyLinkPatch(defaultLinkParams(), { loss: 1.5 }, "links[a>b]")).toThrow("links[a>b].loss: got 1.5, expected a number from 0 to 1");
    expect(() => applyLinkPatch(defaultLinkParams(), { latencyMs: -1 })).toThrow(/latencyMs/);
  });
});

describe("topology and cuts", () => {
  const endpoints = buildEndpoints(
    [{ name: "a", relayPortRange: { min: 5000, max: 5009 } }, { name: "b" }, { name: "c" }],
    [{ name: "analyzer" }],
  );

  it("mapRelayPort() and unmapRelayPort() are inverse over the range and refuse ports outside it", () => {
    const m = { host: "127.0.0.1", targetMin: 5000, targetMax: 5009, proxyBase: 21000 };
    for (let p = 5000; p <= 5009; p++) expect(unmapRelayPort(m, mapRelayPort(m, p))).toBe(p);
    expect(() => mapRelayPort(m, 5010)).toThrow("port: got 5010, expected a relay port in 5000-5009");
    expect(unmapRelayPort(m, 20999)).toBeNull();
  });

  it("cutLinks() follows DESIGN's partition / isolate / linkDown semantics", () => {
    const keys = (k: "partition" | "isolate" | "linkDown", names: string[]): string[] =>
      cutLinks(k, names, endpoints).map((l) => `${l.from}>${l.to}`).sort();
    expect(keys("partition", ["a"])).toEqual(["a>b", "a>c", "b>a", "c>a"]);
    expect(keys("isolate", ["a"])).toEqual(["a>analyzer", "a>b", "a>c", "analyzer>a", "b>a", "c>a"]);
    expect(keys("partition", ["a", "b"])).toEqual(["a>c", "b>c", "c>a", "c>b"]);
    expect(keys("linkDown", ["b", "c"])).toEqual(["b>c", "c>b"]);
    expect(() => keys("partition", ["zz"])).toThrow(/partition: got "zz", expected one of a, b, c, analyzer/);
    expect(() => keys("isolate", ["analyzer"])).toThrow(/observers cannot be partitioned/);
  });
});

describe("DeliveryScheduler", () => {
  it("runs deliveries in release order on the injected clock, due ones at once after overdue ones", () => {
    const clock = new ManualClock(0);
    const s = new DeliveryScheduler(clock);
    const log: string[] = [];
    s.schedule(30, () => log.push("c"));
    s.schedule(10, () => log.push("a"));
    s.schedule(10, () => log.push("b"));
    clock.advance(10);
    expect(log).toEqual(["a", "b"]);
    clock.set(35);
    expect(log).toEqual(["a", "b", "c"]);
    s.schedule(40, () => log.push("d"));
    clock.advance(0);
    s.schedule(35, () => log.push("now"));
    expect(log).toEqual(["a", "b", "c", "now"]);
    s.close();
    s.close();
    expect(clock.pendingTimers()).toBe(0);
    expect(() => { s.schedule(1, () => undefined); }).toThrow(/closed/);
  });
});
