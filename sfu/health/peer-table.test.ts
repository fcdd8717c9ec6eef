import { describe, expect, it } from "vitest";
import {
  applyRound,
  emptyPeerTable,
  measuredRtts,
  MISSES_BEFORE_UNREACHABLE,
  reachablePeers,
  recordHeartbeat,
  RTT_EWMA_ALPHA,
  type PeerTable,
} from "./peer-table.js";

describe("peer table", () => {
  it("starts every peer unreachable with no RTT", () => {
    const t = emptyPeerTable(["eu-west", "us-west"], 0);
    expect(t.get("eu-west")).toMatchObject({ reachable: false, rttMs: null, misses: 0 });
    expect(measuredRtts(t).size).toBe(0);
  });

  it("takes the first RTT as is, then smooths with the RFC 6298 gain", () => {
    let t = recordHeartbeat(emptyPeerTable(["eu-west"], 0), "eu-west", { ok: true, rttMs: 10 }, 1000);
    expect(t.get("eu-west")).toMatchObject({ reachable: true, rttMs: 10, lastRttMs: 10, since: 1000 });
    t = recordHeartbeat(t, "eu-west", { ok: true, rttMs: 90 }, 2000);
    expect(t.get("eu-west")?.rttMs).toBeCloseTo(10 + RTT_EWMA_ALPHA * 80);
    expect(t.get("eu-west")?.lastRttMs).toBe(90);
  });

  it("marks a peer unreachable only after consecutive misses", () => {
    let t: PeerTable = recordHeartbeat(emptyPeerTable(["eu-west"], 0), "eu-west", { ok: true, rttMs: 10 }, 1000);
    for (let i = 1; i < MISSES_BEFORE_UNREACHABLE; i++) t = recordHeartbeat(t, "eu-west", { ok: false }, 1000 + i * 1000);
    expect(t.get("eu-west")?.reachable).toBe(true);
    t = recordHeartbeat(t, "eu-west", { ok: false }, 9000);
    expect(t.get("eu-west")).toMatchObject({ reachable: false, misses: MISSES_BEFORE_UNREACHABLE, since: 9000, rttMs: 10 });
    expect(measuredRtts(t).has("eu-west")).toBe(false);
  });

  it("forgets a miss streak on an answer and restarts the average after an outage", () => {
    let t: PeerTable = recordHeartbeat(emptyPeerTable(["eu-west"], 0), "eu-west", { ok: true, rttMs: 10 }, 1000);
    for (let i = 0; i < MISSES_BEFORE_UNREACHABLE; i++) t = recordHeartbeat(t, "eu-west", { ok: false }, 2000 + i);
    t = recordHeartbeat(t, "eu-west", { ok: true, rttMs: 40 }, 5000);
    expect(t.get("eu-west")).toMatchObject({ reachable: true, misses: 0, rttMs: 40, since: 5000 });
  });

  it("applies a whole round and feeds the locator only reachable, measured peers", () => {
    const t = applyRound(
      emptyPeerTable(["eu-west", "us-west", "ap-south"], 0),
      new Map([
        ["eu-west", { ok: true, rttMs: 8 }],
        ["us-west", { ok: true, rttMs: 140 }],
        ["ap-south", { ok: false }],
      ] as const),
      1000,
    );
    expect(measuredRtts(t)).toEqual(new Map([["eu-west", 8], ["us-west", 140]]));
    expect(reachablePeers(t)).toEqual(["eu-west", "us-west"]);
  });

  it("does not change the table it was given", () => {
    const t = emptyPeerTable(["eu-west"], 0);
    recordHeartbeat(t, "eu-west", { ok: true, rttMs: 10 }, 1000);
    expect(t.get("eu-west")?.reachable).toBe(false);
  });
});
