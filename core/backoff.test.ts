import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.js";
import { seededRandom } from "./random.js";

const P: BackoffPolicy = { baseMs: 100, maxMs: 1_000 };

describe("backoffDelay()", () => {
  it("doubles its ceiling per attempt up to maxMs", () => {
    const top = (n: number): number => backoffDelay(P, n, 0.999_999);
    expect([0, 1, 2, 3, 4, 5, 40].map(top)).toEqual([99, 199, 399, 799, 999, 999, 999]);
  });

  it("spreads clients that fail together (full jitter), never below baseMs/2", () => {
    const rnd = seededRandom(7);
    const delays = Array.from({ length: 1_000 }, () => backoffDelay(P, 3, rnd()));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...delays)).toBeLessThan(800);
    // Full jitter: the draws cover the window, they do not bunch at its top.
    expect(new Set(delays.map((d) => Math.floor(d / 100))).size).toBe(8);
    expect(backoffDelay(P, 3, 0)).toBe(50);
  });

  it("takes a negative attempt as the first one", () => {
    expect(backoffDelay(P, -1, 0.5)).toBe(backoffDelay(P, 0, 0.5));
  });

  it("DEFAULT_BACKOFF probes an outage at least every 10 s", () => {
    expect(backoffDelay(DEFAULT_BACKOFF, 1_000, 0.999_999)).toBeLessThan(10_000);
  });
});
