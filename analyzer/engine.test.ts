import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../core/clock.js";
import type { AlertTransition } from "./alerts/alert-book.js";
import { MISSING_RELAY_FOR_MS } from "./detectors/missing-relay.js";
import { LOOP_KEEP_FIRING_MS } from "./detectors/relay-loop.js";
import { REGION_OFFLINE_FOR_MS, REGION_UNREACHABLE_FOR_MS } from "./detectors/region-health.js";
import { AnalyzerEngine } from "./engine.js";
import { peerEvent, probe, resetSeqs, snapshot, statusEvent, trackEntry, trackEvent } from "../test/support/analyzer-fixtures.js";

/** Warm-up off (grace 0): these cases are about detection; warm-up has its own tests (engine-paging.test.ts). */
const THRESHOLDS = { probe: { k: 2, n: 3 }, relayLatencyMs: 250, staleRelayAfterMs: 60_000, gracePeriodMs: 0 };

function setup() {
  const clock = new ManualClock(10_000);
  const transitions: AlertTransition[] = [];
  const engine = new AnalyzerEngine(THRESHOLDS, { transition: (t) => transitions.push(t) });
  const fired = () => transitions.filter((t) => t.kind === "fired").map((t) => `${t.alert.name}${JSON.stringify(t.alert.labels)}`);
  return { clock, engine, transitions, fired };
}

beforeEach(() => {
  resetSeqs();
});

describe("AnalyzerEngine", () => {
  it("fires RelayLoop when two regions' events close the loop, and resolves when one re-points at the origin", () => {
    const { clock, engine, transitions } = setup();
    for (const r of ["us-west", "eu-central", "eu-west"]) engine.applySnapshot(snapshot(r), clock.now());
    engine.applyEvent(trackEvent("us-west", "room/cam", { local: true, origin: "us-west" }, 10_000), clock.now());
    engine.applyEvent(trackEvent("eu-central", "room/cam", { upstream: "eu-west", subscribers: 1 }, 10_001), clock.now());
    expect(transitions.filter((t) => t.alert.name === "RelayLoop")).toEqual([]);
    engine.applyEvent(trackEvent("eu-west", "room/cam", { upstream: "eu-central", subscribers: 1 }, 10_002), clock.now());
    const loop = transitions.find((t) => t.alert.name === "RelayLoop");
    expect(loop).toMatchObject({ kind: "fired", notify: true, observedAt: 10_002, alert: { labels: { regions: "eu-central,eu-west", severity: "critical" }, evidence: { track: "room/cam", cycle: ["eu-central", "eu-west", "eu-central"], formedAt: 10_002 } } });
    engine.applyEvent(trackEvent("eu-west", "room/cam", { upstream: "us-west", subscribers: 1 }, 10_003), clock.now());
    // Kept firing across a probe rotation's gap, then resolved.
    engine.tick(clock.now() + LOOP_KEEP_FIRING_MS - 1);
    expect(engine.book.firingCount("RelayLoop")).toBe(1);
    engine.tick(clock.now() + LOOP_KEEP_FIRING_MS);
    expect(transitions.at(-1)).toMatchObject({ kind: "resolved", alert: { name: "RelayLoop" } });
  });

  it("FalseIsolation at once and RegionOffline after its for period: a naive region that goes offline while its peers still saw it", () => {
    const { clock, engine, fired } = setup();
    engine.applySnapshot(snapshot("us-east", { status: { state: "online", isolation: "naive", reason: "", since: 0, eventLoopLagMs: 1 } }), clock.now());
    engine.applySnapshot(snapshot("us-west", { peers: [{ region: "us-east", reachable: true, rttMs: 60, lastSeenAt: 9_000 }] }), clock.now());
    clock.advance(1500);
    engine.applyEvent(statusEvent("us-east", { state: "offline", isolation: "naive", reason: "no peer answered a heartbeat round", since: clock.now() }, clock.now()), clock.now());
    expect(fired()).toEqual(['FalseIsolation{"region":"us-east","severity":"critical"}']);
    engine.tick(clock.now() + REGION_OFFLINE_FOR_MS - 1);
    expect(fired()).toEqual(['FalseIsolation{"region":"us-east","severity":"critical"}']);
    engine.tick(clock.now() + REGION_OFFLINE_FOR_MS);
    expect(fired()).toEqual(['FalseIsolation{"region":"us-east","severity":"critical"}', 'RegionOffline{"region":"us-east","severity":"critical"}']);
    // One outage, one page: the FalseIsolation names it and mutes the RegionOffline.
    expect(engine.book.pagingCount()).toBe(1);
    engine.applyEvent(statusEvent("us-east", { state: "online", isolation: "naive", since: clock.now() + 30_000 }, clock.now()), clock.now());
    expect(engine.book.firing()).toEqual([]);
  });

  it("FalseIsolation from probe evidence: an ok window into the region right before it went offline", () => {
    const { clock, engine, fired } = setup();
    engine.ingestProbes([probe("eu-west", "us-east", "ok", 9_800)], clock.now());
    engine.applyEvent(statusEvent("us-east", { state: "offline", isolation: "naive", since: 10_000 }, 10_000), clock.now());
    expect(fired()).toEqual(['FalseIsolation{"region":"us-east","severity":"critical"}']);
  });

  it("an ok window of a failed-over agent (relay path not through the region) witnesses nothing: RegionOffline, not FalseIsolation", () => {
    const { clock, engine, fired } = setup();
    // us-east's agent subscribes at us-west and its track is published there (probes/failover.ts).
    engine.ingestProbes([probe("eu-west", "us-east", "ok", 9_800, { relayPath: ["eu-west", "us-west"] }), probe("us-east", "eu-west", "ok", 9_800, { relayPath: ["us-west", "eu-west"] })], clock.now());
    engine.applyEvent(statusEvent("us-east", { state: "offline", isolation: "naive", since: 10_000 }, 10_000), clock.now());
    expect(fired()).toEqual([]);
    clock.advance(REGION_OFFLINE_FOR_MS);
    engine.tick(clock.now());
    expect(fired()).toEqual(['RegionOffline{"region":"us-east","severity":"critical"}']);
    // The same window through us-east is a witness.
    engine.ingestProbes([probe("eu-west", "us-east", "ok", 13_000, { relayPath: ["eu-west", "us-east"] })], clock.now());
    engine.tick(clock.now());
    expect(fired()).toEqual(['RegionOffline{"region":"us-east","severity":"critical"}', 'FalseIsolation{"region":"us-east","severity":"critical"}']);
  });

  it("RegionOffline (not FalseIsolation) when nobody reached the region for longer than the window, after its for period", () => {
    const { clock, engine, fired } = setup();
    engine.applySnapshot(snapshot("us-west", { peers: [{ region: "us-east", reachable: false, rttMs: null, lastSeenAt: 1_000 }] }), clock.now());
    engine.applyEvent(statusEvent("us-east", { state: "offline", isolation: "guarded", reason: "all peers unreachable for 15 s; witness unreachable", since: clock.now() }, clock.now()), clock.now());
    expect(fired()).toEqual([]);
    clock.advance(REGION_OFFLINE_FOR_MS);
    engine.tick(clock.now());
    expect(fired()).toEqual(['RegionOffline{"region":"us-east","severity":"critical"}']);
  });

  it("adds FalseIsolation to a pending RegionOffline when a peer reports the region reachable", () => {
    const { clock, engine, fired } = setup();
    engine.applyEvent(statusEvent("us-east", { state: "offline", isolation: "naive", since: clock.now() }, clock.now()), clock.now());
    clock.advance(1000);
    engine.applyEvent(peerEvent("us-west", { region: "us-east", reachable: true, lastSeenAt: clock.now() }, clock.now()), clock.now());
    expect(fired()).toEqual(['FalseIsolation{"region":"us-east","severity":"critical"}']);
    clock.advance(REGION_OFFLINE_FOR_MS);
    engine.tick(clock.now());
    expect(fired()).toEqual(['FalseIsolation{"region":"us-east","severity":"critical"}', 'RegionOffline{"region":"us-east","severity":"critical"}']);
  });

  it("an offline region's pair alerts stay active but muted (not for sinks) while FalseIsolation fires", () => {
    const { clock, engine, transitions } = setup();
    engine.ingestProbes([probe("eu-west", "us-east", "ok", 9_800)], clock.now());
    engine.applyEvent(statusEvent("us-east", { state: "offline", isolation: "naive", since: 10_000 }, 10_000), clock.now());
    const offline = [probe("eu-west", "us-east", "region_offline", 10_500), probe("eu-west", "us-east", "region_offline", 11_000), probe("eu-central", "us-east", "region_offline", 10_500), probe("eu-central", "us-east", "region_offline", 11_000)];
    engine.ingestProbes(offline, clock.now());
    const pair = transitions.find((t) => t.alert.name === "ProbePairFailing");
    expect(pair).toMatchObject({ kind: "fired", notify: false, alert: { labels: { region: "us-east" } } });
    expect(pair?.alert.evidence["inhibitedBy"]).toBe(engine.book.firing().find((a) => a.name === "FalseIsolation")?.fingerprint);
  });

  it("RegionUnreachable after the analyzer has not reached a region for its for period; resolves on reconnect", () => {
    const { clock, engine, transitions } = setup();
    engine.setConnected("ap-south", true, clock.now());
    engine.setConnected("ap-south", false, clock.now(), "connect ECONNREFUSED");
    clock.advance(REGION_UNREACHABLE_FOR_MS - 1);
    engine.tick(clock.now());
    expect(transitions).toEqual([]);
    clock.advance(1);
    engine.tick(clock.now());
    expect(transitions).toMatchObject([{ kind: "fired", alert: { name: "RegionUnreachable", labels: { region: "ap-south" } } }]);
    engine.setConnected("ap-south", true, clock.now());
    expect(transitions.at(-1)).toMatchObject({ kind: "resolved", alert: { name: "RegionUnreachable" } });
  });

  it("RegionUnreachable for a region never reached at all, from the first report that it is not reached", () => {
    const { clock, engine, fired } = setup();
    engine.setConnected("us-west", false, clock.now(), "not connected yet");
    engine.setConnected("us-west", false, clock.now() + 500, "fetch failed");
    clock.advance(REGION_UNREACHABLE_FOR_MS);
    engine.tick(clock.now());
    expect(fired()).toEqual(['RegionUnreachable{"region":"us-west","severity":"warning"}']);
  });

  it("MissingRelay after its for period for a subscribed copy whose upstream lacks the track", () => {
    const { clock, engine, fired } = setup();
    engine.applyEvent(trackEvent("us-west", "room/cam", { local: true }, clock.now()), clock.now());
    engine.applyEvent(trackEvent("eu-central", "room/cam", { upstream: "eu-west", subscribers: 2 }, clock.now()), clock.now());
    clock.advance(MISSING_RELAY_FOR_MS - 1);
    engine.tick(clock.now());
    expect(fired()).toEqual([]);
    clock.advance(1);
    engine.tick(clock.now());
    expect(fired()).toEqual(['MissingRelay{"track":"room/cam","region":"eu-central","severity":"warning"}']);
  });

  it("a relay being set up at a probe rotation (locating, then pulling with no packet yet, then flowing within 1 s) is not a MissingRelay", () => {
    const { clock, engine, fired } = setup();
    const t = "probe/us-west.7";
    engine.applyEvent(trackEvent("us-west", t, { local: true, packets: 100, firstPacketAt: 9_000 }, clock.now()), clock.now());
    engine.applyEvent(trackEvent("us-west", t, { local: true, packets: 400 }, clock.now()), clock.now());
    clock.advance(100);
    engine.applyEvent(trackEvent("eu-central", t, { subscribers: 1, state: "locating" }, clock.now()), clock.now());
    clock.advance(300);
    engine.applyEvent(trackEvent("eu-central", t, { upstream: "us-west", subscribers: 1, state: "pulling" }, clock.now()), clock.now());
    clock.advance(300);
    engine.applyEvent(trackEvent("us-west", t, { local: true, packets: 900 }, clock.now()), clock.now());
    engine.tick(clock.now());
    clock.advance(300);
    engine.applyEvent(trackEvent("eu-central", t, { upstream: "us-west", subscribers: 1, state: "flowing", packets: 20 }, clock.now()), clock.now());
    clock.advance(MISSING_RELAY_FOR_MS * 2);
    engine.tick(clock.now());
    expect(fired()).toEqual([]);
  });

  it("a subscribed copy still pulling from the origin without a packet after MISSING_RELAY_FOR_MS fires (no_packets)", () => {
    const { clock, engine, transitions } = setup();
    const t = "probe/us-west.7";
    engine.applyEvent(trackEvent("us-west", t, { local: true, packets: 100 }, clock.now()), clock.now());
    engine.applyEvent(trackEvent("us-west", t, { local: true, packets: 400 }, clock.now() + 1), clock.now());
    engine.applyEvent(trackEvent("eu-central", t, { upstream: "us-west", subscribers: 1, state: "pulling" }, clock.now()), clock.now());
    clock.advance(MISSING_RELAY_FOR_MS);
    engine.tick(clock.now());
    expect(transitions).toMatchObject([{ kind: "fired", notify: true, alert: { name: "MissingRelay", evidence: { kind: "no_packets" } } }]);
  });

  it("under a relay loop, the looped pairs are per-pair ProbePairFailing {src, dst}, muted by the RelayLoop (on-call is paged for the loop only)", () => {
    const { clock, engine, transitions } = setup();
    const t = "probe/us-west-1";
    engine.applyEvent(trackEvent("us-west", t, { local: true }, clock.now()), clock.now());
    engine.applyEvent(trackEvent("eu-central", t, { upstream: "eu-west", subscribers: 1 }, clock.now()), clock.now());
    engine.applyEvent(trackEvent("eu-west", t, { upstream: "eu-central", subscribers: 1 }, clock.now()), clock.now());
    const windows = [1, 2, 3].flatMap((i) => [
      probe("us-west", "eu-central", "no_media", i * 1000),
      probe("us-west", "eu-west", "no_media", i * 1000),
      probe("eu-central", "us-west", "ok", i * 1000, { track: "probe/eu-central-1" }),
      probe("eu-west", "us-west", "ok", i * 1000, { track: "probe/eu-west-1" }),
      probe("eu-west", "eu-central", "ok", i * 1000, { track: "probe/eu-west-1" }),
      probe("eu-central", "eu-west", "ok", i * 1000, { track: "probe/eu-central-1" }),
    ]);
    engine.ingestProbes(windows, clock.now());
    const fired = transitions.filter((x) => x.kind === "fired");
    expect(fired.map((x) => [x.alert.name, x.alert.labels["src"] ?? x.alert.labels["region"], x.alert.labels["dst"], x.notify])).toEqual([
      ["RelayLoop", undefined, undefined, true],
      ["ProbePairFailing", "us-west", "eu-central", false],
      ["ProbePairFailing", "us-west", "eu-west", false],
    ]);
    // Three active alerts, one of them paging: what /v1/overview counts.
    expect([engine.book.firingCount(), engine.book.pagingCount()]).toEqual([3, 1]);
  });

  it("does not judge the copies of a region the analyzer cannot reach (last-known state): a pending MissingRelay there never fires", () => {
    const { clock, engine, fired } = setup();
    engine.setConnected("us-west", true, clock.now());
    engine.applyEvent(trackEvent("eu-central", "room/cam", { local: true }, clock.now()), clock.now());
    engine.applyEvent(trackEvent("us-west", "room/cam", { upstream: "eu-west", subscribers: 1 }, clock.now()), clock.now());
    clock.advance(1000);
    engine.setConnected("us-west", false, clock.now(), "connect ECONNREFUSED");
    clock.advance(MISSING_RELAY_FOR_MS * 2);
    engine.tick(clock.now());
    expect(fired()).toEqual(['RegionUnreachable{"region":"us-west","severity":"warning"}']);
  });

  it("ProbePairFailing fires at 2 of 3 and the gap refetch (snapshot) replaces a region's copies", () => {
    const { clock, engine, fired } = setup();
    engine.ingestProbes([probe("us-west", "eu-central", "no_media", 1), probe("us-west", "eu-central", "no_media", 2)], clock.now());
    expect(fired()).toEqual(['ProbePairFailing{"src":"us-west","dst":"eu-central","severity":"warning"}']);
    engine.applySnapshot(snapshot("eu-west", { tracks: [trackEntry("room/a", { upstream: "us-west" })] }), clock.now());
    engine.applySnapshot(snapshot("eu-west", { tracks: [trackEntry("room/b", { upstream: "us-west" })] }), clock.now());
    expect(engine.graph.node("room/a", "eu-west")).toBeUndefined();
    expect(engine.graph.node("room/b", "eu-west")?.upstream).toBe("us-west");
  });
});
