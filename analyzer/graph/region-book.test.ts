import { describe, expect, it } from "vitest";
import { RegionBook, regionHealth } from "./region-book.js";

const STATUS = { state: "offline", isolation: "naive", reason: "no peer answered round 7", since: 1_000, eventLoopLagMs: 3 } as const;

describe("regionHealth()", () => {
  it("is null until the region has reported a status", () => {
    expect(regionHealth(new RegionBook().get("eu-west"), 5_000)).toBeNull();
  });

  it("counts reachable peers and keeps the region's own reason while connected", () => {
    const r = new RegionBook().get("eu-west");
    r.connected = true;
    r.status = STATUS;
    r.peers.set("us-east", { region: "us-east", reachable: false, rttMs: null, lastSeenAt: null });
    r.peers.set("eu-central", { region: "eu-central", reachable: true, rttMs: 20, lastSeenAt: 4_900 });
    expect(regionHealth(r, 5_000)).toEqual({ ts: 5_000, region: "eu-west", state: "offline", isolation: "naive", reachablePeers: 1, totalPeers: 2, eventLoopLagMs: 3, reason: "no peer answered round 7" });
  });

  it("says the analyzer cannot reach the region while disconnected, within the store's 1000 characters", () => {
    const r = new RegionBook().get("eu-west");
    r.status = { ...STATUS, reason: "x".repeat(2_000) };
    r.connected = false;
    r.disconnectReason = "ECONNREFUSED";
    expect(regionHealth(r, 5_000)?.reason).toBe("analyzer cannot reach the region: ECONNREFUSED");
    r.connected = true;
    expect(regionHealth(r, 5_000)?.reason).toHaveLength(1_000);
  });
});
