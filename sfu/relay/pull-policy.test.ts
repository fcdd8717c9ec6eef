import { describe, expect, it } from "vitest";
import { parsePayload } from "../../core/validate.js";
import { NO_LEGACY_BEHAVIOURS, parseBehaviours, type LegacyBehaviours } from "./legacy-behaviours.js";
import { decidePull, formatRelayPath, isStalePull, locateForRelay, newPullId, pullRequestSchema, type LocalCopy, type PullContext } from "./pull-policy.js";
import { applyAnnouncement, emptyTrackTable, MAX_PATH_LENGTH, snapshotAnnouncement, type TrackTable } from "./track-table.js";

const T = "probe/us-west";
const NOW = 1_000;
const LEGACY = ((): LegacyBehaviours => {
  const r = parseBehaviours(["no-loop-guard"]);
  if (!r.ok) throw new Error("unreachable");
  return r.behaviours;
})();

const TABLE: TrackTable = [
  snapshotAnnouncement("us-west", 1, [{ track: T, origin: true, pathLength: 0 }], NOW),
  snapshotAnnouncement("eu-west", 1, [{ track: T, origin: false, upstream: "us-west", pathLength: 1 }], NOW),
].reduce<TrackTable>((t, a) => applyAnnouncement(t, a, NOW), emptyTrackTable());
const RTTS = new Map([["us-west", 140], ["eu-west", 8], ["eu-central", 8]]);

function ctx(copy: LocalCopy, behaviours: LegacyBehaviours = NO_LEGACY_BEHAVIOURS, self = "eu-central"): PullContext {
  return { self, copy, table: TABLE, rtts: RTTS, now: NOW, behaviours };
}

describe("decidePull() with the loop guard (default)", () => {
  it("refuses a path that already holds this region", () => {
    const d = decidePull({ track: T, path: ["eu-west", "eu-central"] }, ctx({ kind: "flowing", chain: ["us-west"] }));
    expect(d).toMatchObject({ action: "refuse", error: "relay_loop" });
  });

  it("serves from the origin with a chain of itself", () => {
    expect(decidePull({ track: T, path: ["eu-west"] }, ctx({ kind: "origin" }, NO_LEGACY_BEHAVIOURS, "us-west"))).toEqual({ action: "serve", chain: ["us-west"] });
  });

  it("serves a flowing copy and hands back its chain", () => {
    const d = decidePull({ track: T, path: ["ap-south"] }, ctx({ kind: "flowing", chain: ["eu-west", "us-west"] }));
    expect(d).toEqual({ action: "serve", chain: ["eu-central", "eu-west", "us-west"] });
  });

  it("refuses a caller that is upstream of this region's copy (the incident's Germany/France pair)", () => {
    const d = decidePull({ track: T, path: ["eu-west"] }, ctx({ kind: "flowing", chain: ["eu-west", "us-west"] }));
    expect(d).toMatchObject({ action: "refuse", error: "relay_loop" });
    if (d.action === "refuse") expect(d.detail).toContain("eu-west");
  });

  it("refuses a caller that a pending relay is pulling from", () => {
    const d = decidePull({ track: T, path: ["eu-west"] }, ctx({ kind: "pending", pullPath: ["eu-central"], upstream: "eu-west" }));
    expect(d).toMatchObject({ action: "refuse", error: "relay_loop" });
  });

  it("refuses a caller its pending relay did not vet as not_ready, so the caller falls back", () => {
    const d = decidePull({ track: T, path: ["ap-south"] }, ctx({ kind: "pending", pullPath: ["eu-central"], upstream: null }));
    expect(d).toMatchObject({ action: "refuse", error: "not_ready" });
  });

  it("attaches a caller already on the path its pending relay pulls with", () => {
    const d = decidePull({ track: T, path: ["ap-south"] }, ctx({ kind: "pending", pullPath: ["ap-south", "eu-central"], upstream: "us-west" }));
    expect(d).toEqual({ action: "attach", chain: ["eu-central", "us-west"] });
  });

  it("forwards a pull for a track it lacks, extending the path and never choosing a region on it", () => {
    const d = decidePull({ track: T, path: ["eu-west"] }, ctx({ kind: "none" }));
    expect(d.action).toBe("pull");
    if (d.action === "pull") {
      expect(d.path).toEqual(["eu-west", "eu-central"]);
      expect(d.candidates.map((c) => c.region)).toEqual(["us-west"]);
    }
  });

  it("refuses with no_source when nobody else announces the track", () => {
    expect(decidePull({ track: "room/none", path: ["eu-west"] }, ctx({ kind: "none" }))).toMatchObject({ action: "refuse", error: "no_source" });
  });

  it("refuses a path that cannot be extended", () => {
    const path = Array.from({ length: MAX_PATH_LENGTH }, (_, i) => `r${i}`);
    expect(decidePull({ track: T, path }, ctx({ kind: "origin" }))).toMatchObject({ action: "refuse", error: "path_too_long" });
  });
});

describe("decidePull() with no-loop-guard (legacy)", () => {
  it("serves a path that already holds this region", () => {
    const d = decidePull({ track: T, path: ["eu-west"] }, ctx({ kind: "flowing", chain: ["eu-west", "us-west"] }, LEGACY));
    expect(d.action).toBe("serve");
  });

  it("treats an announced-but-not-flowing copy as held and attaches any caller", () => {
    const d = decidePull({ track: T, path: ["eu-west"] }, ctx({ kind: "pending", pullPath: ["eu-central"], upstream: "eu-west" }, LEGACY));
    expect(d).toEqual({ action: "attach", chain: ["eu-central", "eu-west"] });
  });

  it("still bounds the path length, so a legacy forwarding loop cannot recurse forever", () => {
    const path = Array.from({ length: MAX_PATH_LENGTH }, () => "eu-west");
    expect(decidePull({ track: T, path }, ctx({ kind: "none" }, LEGACY))).toMatchObject({ error: "path_too_long" });
  });
});

describe("locateForRelay()", () => {
  it("picks the cheapest announced copy for the region's own subscribers", () => {
    const cs = locateForRelay(T, "eu-central", ["eu-central"], { table: TABLE, rtts: RTTS, now: NOW, behaviours: NO_LEGACY_BEHAVIOURS });
    expect(cs.map((c) => c.region)).toEqual(["eu-west", "us-west"]);
  });
});

describe("formatRelayPath()", () => {
  it("writes the Relay-Path header origin first", () => {
    expect(formatRelayPath("eu-central", ["eu-west", "us-west"])).toBe("us-west>eu-west>eu-central");
  });
});

describe("pullRequestSchema", () => {
  it("parses the pull body and bounds the path", () => {
    expect(parsePayload(pullRequestSchema, { track: T, path: ["eu-central"], traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" }).ok).toBe(true);
    const r = parsePayload(pullRequestSchema, { track: T, path: [] });
    expect(r.ok ? null : r.error.path).toBe("path");
  });
});

describe("pull ids", () => {
  it("order one region's pulls by time, then by counter, whatever the random part", () => {
    const a = newPullId(1_764_000_000_000, 7, "ffff");
    const b = newPullId(1_764_000_000_000, 8, "0000");
    const c = newPullId(1_764_000_000_001, 0, "aaaa");
    expect([isStalePull(a, b), isStalePull(b, c), isStalePull(a, c)]).toEqual([true, true, true]);
    expect([isStalePull(b, a), isStalePull(c, b), isStalePull(a, a)]).toEqual([false, false, false]);
    expect(a).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(newPullId(Date.now(), 0, "3b241101-e2bb-4255-8caf-4136c566a962").length).toBeLessThanOrEqual(64);
  });

  it("never calls a pull stale when either id is not an ordered one (an older peer's UUID)", () => {
    expect(isStalePull("3b241101-e2bb-4255-8caf-4136c566a962", newPullId(2e12, 0, "x"))).toBe(false);
    expect(isStalePull(newPullId(1e12, 0, "x"), "3b241101-e2bb-4255-8caf-4136c566a962")).toBe(false);
  });
});
