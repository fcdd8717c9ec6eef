import { describe, expect, it } from "vitest";
import { classifyWindow, DEGRADED_LATENCY_P95_MS, DEGRADED_LOSS_RATIO } from "./classify.js";
import type { PairObservation, SetupFailure } from "./observation.js";
import type { WindowFigures } from "./receiver-stats.js";

function figures(over: Partial<WindowFigures> = {}): WindowFigures {
  return { expected: 50, received: 50, lost: 0, duplicates: 0, reordered: 0, jitterMs: 0.5, latenciesMs: Array<number>(50).fill(20), lastArrivalMs: 1, ...over };
}
const connected = (f: WindowFigures): PairObservation => ({ phase: "connected", figures: f, connectedForMs: 4000, totalReceived: 200 });
const failed = (failure: SetupFailure): PairObservation => ({ phase: "failed", failure });
const http = (status: number, over: Partial<Extract<SetupFailure, { kind: "http" }>> = {}): SetupFailure => ({
  kind: "http",
  status,
  statusText: "",
  errorCode: null,
  detail: null,
  retryAfterMs: null,
  endpoint: "WHEP http://127.0.0.1:7000/whep/probe/us-west.5",
  ...over,
});

describe("classifyWindow()", () => {
  it("is ok for a clean window and says what it saw", () => {
    expect(classifyWindow(connected(figures()), 1000)).toEqual({ status: "ok", reason: "50 packets, loss 0.0%, p95 20.0 ms" });
  });

  it("is degraded above the loss threshold, and ok at it", () => {
    const atLimit = Math.floor(50 * DEGRADED_LOSS_RATIO);
    expect(classifyWindow(connected(figures({ received: 50 - atLimit, lost: atLimit })), 1000).status).toBe("ok");
    const c = classifyWindow(connected(figures({ received: 40, lost: 10 })), 1000);
    expect(c.status).toBe("degraded");
    expect(c.reason).toContain("loss 20.0% > 5.0% (10 of 50)");
  });

  it("is degraded when p95 latency passes its threshold", () => {
    const slow = Array<number>(50).fill(DEGRADED_LATENCY_P95_MS + 50);
    const c = classifyWindow(connected(figures({ latenciesMs: slow })), 1000);
    expect(c).toMatchObject({ status: "degraded" });
    expect(c.reason).toContain("p95 latency 350.0 ms > 300 ms");
  });

  it("is no_media when connected but nothing arrived, and while setup is still running", () => {
    expect(classifyWindow(connected(figures({ expected: 0, received: 0, latenciesMs: [] })), 1000)).toMatchObject({ status: "no_media" });
    expect(classifyWindow({ phase: "pending", elapsedMs: 400 }, 1000)).toEqual({ status: "no_media", reason: "subscription setup in progress for 400 ms" });
  });

  it("maps 503 to region_offline and other statuses to http_error, with the status in the reason", () => {
    const off = classifyWindow(failed(http(503, { statusText: "Service Unavailable", retryAfterMs: 5000, errorCode: "region_offline" })), 1000);
    expect(off.status).toBe("region_offline");
    expect(off.reason).toBe("HTTP 503 Service Unavailable from WHEP http://127.0.0.1:7000/whep/probe/us-west.5: region offline, retry after 5.0 s (region_offline)");
    const nf = classifyWindow(failed(http(404, { statusText: "Not Found", errorCode: "not_found", detail: "unknown track" })), 1000);
    expect(nf).toEqual({ status: "http_error", reason: "HTTP 404 Not Found from WHEP http://127.0.0.1:7000/whep/probe/us-west.5 (not_found: unknown track)" });
    expect(classifyWindow(failed(http(502)), 1000).reason).toMatch(/^HTTP 502 /);
  });

  it("maps 504 (the SFU's relay setup timed out) to timeout, keeping the status in the reason", () => {
    const c = classifyWindow(failed(http(504, { statusText: "Gateway Timeout", errorCode: "relay_timeout" })), 1000);
    expect(c).toEqual({ status: "timeout", reason: "HTTP 504 Gateway Timeout from WHEP http://127.0.0.1:7000/whep/probe/us-west.5: the SFU timed out setting up the relay (relay_timeout)" });
  });

  it("maps timeouts and other setup failures", () => {
    expect(classifyWindow(failed({ kind: "timeout", stage: "request", afterMs: 5000 }), 1000)).toEqual({ status: "timeout", reason: "no WHEP answer within 5.0 s" });
    expect(classifyWindow(failed({ kind: "timeout", stage: "connect", afterMs: 5000 }), 1000)).toEqual({ status: "timeout", reason: "ICE/DTLS not connected within 5.0 s" });
    expect(classifyWindow(failed({ kind: "setup", stage: "network", detail: "ECONNREFUSED" }), 1000)).toEqual({ status: "setup_failed", reason: "network: ECONNREFUSED" });
  });
});
