import { describe, expect, it } from "vitest";
import { probeResultSchema } from "../../core/probe-result.js";
import { DUPLICATE_HISTORY, quantile, ReceiverStats } from "./receiver-stats.js";
import { buildProbeResult, failedOverNote } from "./window-result.js";

/** Feeds packets sent every 20 ms from t=0 with a fixed one-way delay unless given. */
function feed(stats: ReceiverStats, indices: readonly number[], delayMs: (i: number) => number = () => 10): void {
  for (const i of indices) stats.record(i, i * 20, i * 20 + delayMs(i));
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, k) => a + k);

describe("ReceiverStats", () => {
  it("counts a clean window: nothing lost, zero jitter at constant delay, latency exact", () => {
    const s = new ReceiverStats();
    feed(s, range(0, 50));
    const w = s.takeWindow();
    expect(w).toMatchObject({ expected: 50, received: 50, lost: 0, duplicates: 0, reordered: 0, jitterMs: 0 });
    expect(quantile(w.latenciesMs, 0.5)).toBe(10);
    expect(quantile(w.latenciesMs, 0.95)).toBe(10);
  });

  it("counts gaps as loss, and tail loss in the window where the next packet arrives", () => {
    const s = new ReceiverStats();
    feed(s, range(0, 50).filter((i) => i % 10 !== 3)); // 5 lost: 3, 13, 23, 33, 43
    expect(s.takeWindow()).toMatchObject({ expected: 50, received: 45, lost: 5 });
    feed(s, range(50, 95)); // 95..99 not yet arrived
    expect(s.takeWindow()).toMatchObject({ expected: 45, received: 45, lost: 0 });
    feed(s, range(100, 150)); // 95..99 never arrive: counted now
    expect(s.takeWindow()).toMatchObject({ expected: 55, received: 50, lost: 5 });
  });

  it("starts counting at the first packet seen (RFC 3550 base sequence), not at index 0", () => {
    const s = new ReceiverStats();
    feed(s, range(1000, 1050));
    expect(s.takeWindow()).toMatchObject({ expected: 50, received: 50, lost: 0 });
  });

  it("counts duplicates once and never as received", () => {
    const s = new ReceiverStats();
    feed(s, [0, 1, 1, 2, 2, 2, 3]);
    expect(s.takeWindow()).toMatchObject({ expected: 4, received: 4, duplicates: 3, lost: 0 });
  });

  it("counts a packet arriving after a higher index as reordered, not lost", () => {
    const s = new ReceiverStats();
    expect(s.record(0, 0, 10)).toBe("new");
    expect(s.record(2, 40, 50)).toBe("new");
    expect(s.record(1, 20, 55)).toBe("reordered");
    expect(s.record(3, 60, 70)).toBe("new");
    expect(s.takeWindow()).toMatchObject({ expected: 4, received: 4, reordered: 1, lost: 0 });
  });

  it("a late packet from the previous window never makes loss negative", () => {
    const s = new ReceiverStats();
    feed(s, [0, 1, 3]);
    expect(s.takeWindow()).toMatchObject({ expected: 4, received: 3, lost: 1 });
    feed(s, [2, 4]);
    expect(s.takeWindow()).toMatchObject({ expected: 1, received: 2, lost: 0, reordered: 1 });
  });

  it("computes RFC 3550 jitter: J += (|D| − J)/16 over consecutive transits", () => {
    const s = new ReceiverStats();
    // Transit alternates 10, 14, 10, 14…: |D| = 4 every packet after the first.
    feed(s, range(0, 6), (i) => (i % 2 === 0 ? 10 : 14));
    let j = 0;
    for (let k = 1; k < 6; k++) j += (4 - j) / 16;
    expect(s.takeWindow().jitterMs).toBeCloseTo(j, 12);
    // The estimate converges on |D| under a steady alternation.
    feed(s, range(6, 600), (i) => (i % 2 === 0 ? 10 : 14));
    expect(s.takeWindow().jitterMs).toBeCloseTo(4, 3);
  });

  it("reports latency percentiles (nearest rank) and clamps negative one-way delays from skewed clocks", () => {
    const s = new ReceiverStats();
    feed(s, range(0, 100), (i) => i + 1); // 1..100 ms
    const w = s.takeWindow();
    expect(quantile(w.latenciesMs, 0.5)).toBe(50);
    expect(quantile(w.latenciesMs, 0.95)).toBe(95);
    s.record(100, 5000, 4990);
    expect(s.takeWindow().latenciesMs).toEqual([0]);
  });

  it("an empty window expects nothing and has no latency", () => {
    const s = new ReceiverStats();
    expect(s.takeWindow()).toMatchObject({ expected: 0, received: 0, lost: 0, latenciesMs: [], lastArrivalMs: null });
    feed(s, [0, 1]);
    s.takeWindow();
    expect(s.takeWindow()).toMatchObject({ expected: 0, received: 0, lost: 0, lastArrivalMs: 30 });
  });

  it("recognises duplicates across the whole history, and flags packets older than it", () => {
    const s = new ReceiverStats();
    feed(s, range(0, DUPLICATE_HISTORY + 10));
    s.takeWindow();
    expect(s.record(DUPLICATE_HISTORY + 5, 0, 0)).toBe("duplicate");
    expect(s.record(11, 0, 0)).toBe("duplicate");
    expect(s.record(5, 0, 0)).toBe("too_old");
  });

  it("window figures make a ProbeResult that passes core's schema", () => {
    const s = new ReceiverStats();
    feed(s, range(0, 50));
    const r = buildProbeResult(
      { ts: 1_000, windowMs: 1000, src: "us-west", dst: "eu-central", track: "probe/us-west.1", setupMs: 120, ttfpMs: 140, relayPath: ["us-west", "eu-central"] },
      { phase: "connected", figures: s.takeWindow(), connectedForMs: 5000, totalReceived: 50 },
    );
    expect(probeResultSchema.parse(r)).toEqual(r);
    expect(r).toMatchObject({ status: "ok", sent: 50, received: 50, lost: 0, latencyP50Ms: 10, latencyP95Ms: 10, setupMs: 120, ttfpMs: 140 });
    expect(r.reason).not.toContain("failed over");
  });

  it("a window measured through another region's SFU (failover) says where, in its reason", () => {
    const s = new ReceiverStats();
    feed(s, range(0, 50));
    const r = buildProbeResult(
      { ts: 1_000, windowMs: 1000, src: "us-east", dst: "eu-central", track: "probe/us-east.1", setupMs: 120, ttfpMs: 140, relayPath: ["us-west", "eu-central"] },
      { phase: "connected", figures: s.takeWindow(), connectedForMs: 5000, totalReceived: 50 },
    );
    expect(r.status).toBe("ok");
    expect(r.reason).toMatch(/; failed over: published in us-west \(relay path us-west>eu-central\)$/);
    expect(failedOverNote({ src: "eu-west", dst: "us-east", relayPath: ["eu-west", "us-west"] })).toBe("failed over: subscribed in us-west (relay path eu-west>us-west)");
    expect(failedOverNote({ src: "eu-west", dst: "us-east", relayPath: [] })).toBe("");
  });
});
