// Issue 15 on the engine, with an injected clock: warm-up grace, the paging horizon and
// grouping by cause. A page is a transition sinks get (notify) for a critical alert.
import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../core/clock.js";
import type { AlertTransition } from "./alerts/alert-book.js";
import { PAGING_HORIZON_MS, REGION_GONE_PAGE_MS } from "./alerts/paging.js";
import { MISSING_RELAY_FOR_MS } from "./detectors/missing-relay.js";
import { REGION_UNREACHABLE_FOR_MS } from "./detectors/region-health.js";
import { LOOP_KEEP_FIRING_MS } from "./detectors/relay-loop.js";
import { SETTLED_WINDOWS, WARM_UP_GRACE_MS } from "./detectors/warm-up.js";
import { AnalyzerEngine } from "./engine.js";
import { probe, resetSeqs, statusEvent, trackEvent } from "../test/support/analyzer-fixtures.js";

const THRESHOLDS = { probe: { k: 2, n: 3 }, relayLatencyMs: 250, staleRelayAfterMs: 60_000 };

function setup() {
  const clock = new ManualClock(100_000);
  const transitions: AlertTransition[] = [];
  const engine = new AnalyzerEngine(THRESHOLDS, { transition: (t) => transitions.push(t) });
  const visible = () => transitions.filter((t) => t.kind === "fired").map((t) => `${t.alert.name} ${t.alert.severity}`);
  const pages = () => transitions.filter((t) => t.notify && t.alert.state === "firing" && t.alert.severity === "critical").map((t) => `${t.alert.name}${JSON.stringify(t.alert.labels)}`);
  /** Advances in 1 s sweeps, as the analyzer does. */
  const sweep = (ms: number) => {
    for (let left = ms; left > 0; left -= Math.min(1000, left)) {
      clock.advance(Math.min(1000, left));
      engine.tick(clock.now());
    }
  };
  return { clock, engine, transitions, visible, pages, sweep };
}

/** SETTLED_WINDOWS ok windows of a pair ending at `end`: the pair is healthy after them. */
function settled(src: string, dst: string, end: number, extra: Parameters<typeof probe>[4] = {}) {
  return Array.from({ length: SETTLED_WINDOWS }, (_, i) => probe(src, dst, "ok", end - (SETTLED_WINDOWS - 1 - i) * 1000, extra));
}

/** k failed windows of a pair at `now` (and before). */
function failing(src: string, dst: string, now: number) {
  return [probe(src, dst, "no_media", now - 1000), probe(src, dst, "no_media", now)];
}

beforeEach(() => {
  resetSeqs();
});

describe("warm-up is not an incident", () => {
  it("a pair failing since it appeared is `starting` and alerts only when the grace has passed", () => {
    const { clock, engine, visible, sweep } = setup();
    engine.ingestProbes(failing("us-west", "eu-central", clock.now()), clock.now());
    expect(engine.startingPair("us-west", "eu-central", clock.now())).toBe(true);
    sweep(WARM_UP_GRACE_MS - 1000);
    expect(visible()).toEqual([]);
    sweep(1000);
    expect(engine.startingPair("us-west", "eu-central", clock.now())).toBe(false);
    expect(visible()).toEqual(["ProbePairFailing warning"]);
  });

  it("a pair that was healthy once alerts at once when it fails, however young", () => {
    const { clock, engine, visible } = setup();
    engine.ingestProbes(settled("us-west", "eu-central", clock.now()), clock.now());
    expect(engine.startingPair("us-west", "eu-central", clock.now())).toBe(false);
    clock.advance(2000);
    engine.ingestProbes(failing("us-west", "eu-central", clock.now()), clock.now());
    expect(visible()).toEqual(["ProbePairFailing warning"]);
  });

  it("a starting pair that becomes healthy within the grace never alerts", () => {
    const { clock, engine, transitions, sweep } = setup();
    engine.ingestProbes(failing("us-west", "eu-central", clock.now()), clock.now());
    clock.advance(5000);
    engine.ingestProbes([probe("us-west", "eu-central", "ok", clock.now() - 1000), probe("us-west", "eu-central", "ok", clock.now())], clock.now());
    sweep(WARM_UP_GRACE_MS * 2);
    expect(transitions).toEqual([]);
  });

  it("a failure that began before the pair was ever healthy stays warm-up: no alert when its first media windows come", () => {
    const { clock, engine, transitions, sweep } = setup();
    engine.ingestProbes([probe("eu-central", "ap-south", "http_error", clock.now() - 2000), ...failing("eu-central", "ap-south", clock.now())], clock.now());
    clock.advance(1000);
    // The first media window after setup errors: 2 of the last 3 still failed.
    engine.ingestProbes([probe("eu-central", "ap-south", "degraded", clock.now())], clock.now());
    sweep(1000);
    engine.ingestProbes([probe("eu-central", "ap-south", "ok", clock.now())], clock.now());
    sweep(1000);
    engine.ingestProbes([probe("eu-central", "ap-south", "ok", clock.now())], clock.now());
    expect(engine.startingPair("eu-central", "ap-south", clock.now())).toBe(false);
    sweep(WARM_UP_GRACE_MS * 2);
    expect(transitions).toEqual([]);
  });

  it("slow first media windows of a starting pair raise no RelayLatencyHigh; a pair slow once settled alerts at once", () => {
    const { clock, engine, visible } = setup();
    const slow = (src: string, dst: string, ts: number, ms: number) => probe(src, dst, "ok", ts, { latencyP50Ms: ms });
    const t = clock.now();
    engine.ingestProbes([slow("ap-south", "us-east", t - 2000, 340), slow("ap-south", "us-east", t - 1000, 450), slow("ap-south", "us-east", t, 90)], t);
    expect(visible()).toEqual([]);
    // Slow from its first window to its third (a slow link from the start): it alerts as it settles.
    engine.ingestProbes([slow("us-east", "eu-west", t - 2000, 290), slow("us-east", "eu-west", t - 1000, 295), slow("us-east", "eu-west", t, 288)], t);
    expect(visible()).toEqual(["RelayLatencyHigh warning"]);
  });

  it("a region never reached is `starting`: RegionUnreachable only after the grace", () => {
    const { clock, engine, visible, sweep } = setup();
    engine.setConnected("ap-south", false, clock.now(), "connect ECONNREFUSED");
    expect(engine.startingRegion("ap-south", clock.now())).toBe(true);
    sweep(WARM_UP_GRACE_MS - 1000);
    expect(visible()).toEqual([]);
    sweep(1000);
    expect(visible()).toEqual(["RegionUnreachable warning"]);
  });

  it("a relayed copy that never received a packet alerts after the grace, not after MISSING_RELAY_FOR_MS", () => {
    const { clock, engine, visible, sweep } = setup();
    engine.applyEvent(trackEvent("us-west", "room/cam", { local: true }, clock.now()), clock.now());
    engine.applyEvent(trackEvent("eu-central", "room/cam", { upstream: "eu-west", subscribers: 1 }, clock.now()), clock.now());
    sweep(MISSING_RELAY_FOR_MS * 2);
    expect(visible()).toEqual([]);
    sweep(WARM_UP_GRACE_MS);
    expect(visible()).toEqual(["MissingRelay warning"]);
  });
});

describe("self-healing blips do not page", () => {
  it("a failing pair is a warning at once and pages (same alert, critical) only past the paging horizon", () => {
    const { clock, engine, transitions, pages, sweep } = setup();
    engine.ingestProbes(settled("us-west", "eu-central", clock.now() - 3000), clock.now());
    engine.ingestProbes(failing("us-west", "eu-central", clock.now()), clock.now());
    const fired = transitions.find((t) => t.kind === "fired");
    expect(fired).toMatchObject({ notify: true, alert: { severity: "warning", labels: { severity: "warning" } } });
    sweep(PAGING_HORIZON_MS - 1000);
    expect(pages()).toEqual([]);
    sweep(1000);
    expect(pages()).toEqual(['ProbePairFailing{"src":"us-west","dst":"eu-central","severity":"critical"}']);
    const escalated = transitions.at(-1);
    expect(escalated).toMatchObject({ kind: "updated", notify: true, alert: { fingerprint: fired?.alert.fingerprint, startsAt: fired?.alert.startsAt } });
    expect(escalated?.alert.evidence["escalatedAt"]).toBe(clock.now());
  });

  it("a blip that heals before the horizon resolves as a warning: no page", () => {
    const { clock, engine, transitions, pages, sweep } = setup();
    engine.ingestProbes(settled("us-west", "eu-central", clock.now() - 3000), clock.now());
    engine.ingestProbes(failing("us-west", "eu-central", clock.now()), clock.now());
    clock.advance(6000);
    engine.ingestProbes([probe("us-west", "eu-central", "ok", clock.now() - 1000), probe("us-west", "eu-central", "ok", clock.now())], clock.now());
    sweep(PAGING_HORIZON_MS * 2);
    expect(transitions.map((t) => `${t.kind} ${t.alert.severity}`)).toEqual(["fired warning", "resolved warning"]);
    expect(pages()).toEqual([]);
  });

  it("a region that stays unreachable pages once it has been gone REGION_GONE_PAGE_MS; a restart does not", () => {
    const { clock, engine, pages, visible, sweep } = setup();
    engine.setConnected("us-west", true, clock.now());
    engine.setConnected("us-west", false, clock.now(), "connect ECONNREFUSED");
    sweep(REGION_UNREACHABLE_FOR_MS);
    expect(visible()).toEqual(["RegionUnreachable warning"]);
    sweep(REGION_GONE_PAGE_MS - REGION_UNREACHABLE_FOR_MS - 1000);
    expect(pages()).toEqual([]);
    sweep(1000);
    expect(pages()).toEqual(['RegionUnreachable{"region":"us-west","severity":"critical"}']);
    engine.setConnected("us-west", true, clock.now());
    engine.setConnected("us-west", false, clock.now(), "restarting");
    sweep(2000);
    engine.setConnected("us-west", true, clock.now());
    sweep(REGION_GONE_PAGE_MS);
    expect(pages()).toHaveLength(1);
  });

  it("a dead region pages once: its region-level ProbePairFailing warning is muted when it would escalate, and stays a warning", () => {
    const { clock, engine, transitions, pages, sweep } = setup();
    const regions = ["us-east", "us-west", "eu-central"];
    for (const r of regions) engine.setConnected(r, true, clock.now());
    engine.ingestProbes(regions.flatMap((s) => regions.filter((d) => d !== s).flatMap((d) => settled(s, d, clock.now() - 3000))), clock.now());
    // us-west dies: every pair into and out of it fails before the analyzer's for period is up.
    engine.ingestProbes([...failing("us-east", "us-west", clock.now()), ...failing("eu-central", "us-west", clock.now()), ...failing("us-west", "us-east", clock.now()), ...failing("us-west", "eu-central", clock.now())], clock.now());
    engine.setConnected("us-west", false, clock.now(), "connect ECONNREFUSED");
    expect(transitions.find((t) => t.alert.name === "ProbePairFailing")).toMatchObject({ kind: "fired", notify: true, alert: { labels: { region: "us-west", severity: "warning" } } });
    sweep(PAGING_HORIZON_MS * 2);
    expect(pages()).toEqual(['RegionUnreachable{"region":"us-west","severity":"critical"}']);
    const pair = engine.book.firing().find((a) => a.name === "ProbePairFailing");
    expect(pair?.severity).toBe("warning");
    expect(pair?.evidence["inhibitedBy"]).toBe(engine.book.firing().find((a) => a.name === "RegionUnreachable")?.fingerprint);
  });
});

describe("a symptom pages only on its own", () => {
  it("pair alerts muted by a false isolation do not page when it ends; past a horizon of their own they do", () => {
    const { clock, engine, pages, sweep } = setup();
    const t = clock.now();
    engine.ingestProbes([...settled("eu-west", "us-east", t - 3000), ...settled("eu-central", "us-east", t - 3000)], t);
    engine.applyEvent(statusEvent("us-east", { state: "offline", isolation: "naive", since: t - 200 }, t - 200), t);
    engine.ingestProbes([...failing("eu-west", "us-east", t), ...failing("eu-central", "us-east", t)], t);
    sweep(PAGING_HORIZON_MS + 5000);
    // The FalseIsolation is the one page (RegionOffline is muted by it, the pairs by both).
    expect(pages()).toEqual(['FalseIsolation{"region":"us-east","severity":"critical"}']);
    engine.applyEvent(statusEvent("us-east", { state: "online", isolation: "naive", since: clock.now() }, clock.now()), clock.now());
    sweep(1000);
    expect(pages()).toHaveLength(1);
    // Still failing with no cause: a page once the horizon has passed since the release.
    const pairsStillFailing = () => [...failing("eu-west", "us-east", clock.now()), ...failing("eu-central", "us-east", clock.now())];
    engine.ingestProbes(pairsStillFailing(), clock.now());
    sweep(PAGING_HORIZON_MS - 2000);
    expect(pages()).toHaveLength(1);
    sweep(2000);
    expect(pages()).toEqual(['FalseIsolation{"region":"us-east","severity":"critical"}', 'ProbePairFailing{"region":"us-east","severity":"critical"}']);
  });
});

describe("one page per cause", () => {
  /** A loop eu-central ⇄ eu-west on `track` (origin us-west), closed at `ts`. */
  function loop(engine: AnalyzerEngine, track: string, now: number) {
    engine.applyEvent(trackEvent("us-west", track, { local: true }, now), now);
    engine.applyEvent(trackEvent("eu-central", track, { upstream: "eu-west", subscribers: 1 }, now), now);
    engine.applyEvent(trackEvent("eu-west", track, { upstream: "eu-central", subscribers: 1 }, now), now);
  }

  it("every track looping on one cycle is one RelayLoop: one page, the tracks in its evidence", () => {
    const { clock, engine, pages } = setup();
    loop(engine, "probe/us-west.1", clock.now());
    clock.advance(100);
    loop(engine, "probe/us-east.1", clock.now());
    expect(pages()).toEqual(['RelayLoop{"regions":"eu-central,eu-west","severity":"critical"}']);
    const [alert] = engine.book.firing();
    expect(alert?.evidence).toMatchObject({ track: "probe/us-west.1", formedAt: 100_000, trackCount: 1 });
    expect(engine.book.firingCount("RelayLoop")).toBe(1);
  });

  it("a loop that moves to the next probe track (the old one ends) is the same episode: no second page", () => {
    const { clock, engine, pages, transitions, sweep } = setup();
    loop(engine, "probe/us-west.1", clock.now());
    sweep(10_000);
    // The rotation ends the old track everywhere.
    for (const r of ["eu-west", "eu-central", "us-west"]) engine.applyEvent({ type: "track-removed", region: r, track: "probe/us-west.1", ts: clock.now(), seq: 900 }, clock.now());
    sweep(3000);
    loop(engine, "probe/us-west.2", clock.now());
    sweep(LOOP_KEEP_FIRING_MS);
    expect(pages()).toHaveLength(1);
    expect(transitions.filter((t) => t.kind === "resolved")).toEqual([]);
  });

  it("the pairs a loop breaks are warnings muted by it: they never page, even past the horizon", () => {
    const { clock, engine, pages, sweep } = setup();
    const t = "probe/us-west.1";
    engine.ingestProbes(settled("us-west", "eu-central", clock.now(), { track: "probe/us-west.0" }), clock.now());
    loop(engine, t, clock.now());
    clock.advance(2000);
    engine.ingestProbes(failing("us-west", "eu-central", clock.now()).map((p) => ({ ...p, track: t })), clock.now());
    sweep(PAGING_HORIZON_MS * 2);
    expect(pages()).toEqual(['RelayLoop{"regions":"eu-central,eu-west","severity":"critical"}']);
    expect(engine.book.firing().find((a) => a.name === "ProbePairFailing")?.evidence["inhibitedBy"]).toBeDefined();
    // The loop's evidence names the pair it breaks.
    expect(engine.book.firing().find((a) => a.name === "RelayLoop")?.evidence["pairs"]).toEqual([{ src: "us-west", dst: "eu-central", track: t }]);
  });
});
