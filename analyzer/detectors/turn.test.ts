// TurnUnavailable: the pure detector (k of n TURN windows, direct media into the region
// decides whether it is TURN's fault) and the engine with an injected clock (warning at
// once, critical past the paging horizon, resolved when TURN works again, never blaming a
// region whose TURN works, and TURN windows never counted as probe pairs).
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import type { Region } from "../../core/region.js";
import { probe } from "../../test/support/analyzer-fixtures.js";
import type { AlertTransition } from "../alerts/alert-book.js";
import { PAGING_HORIZON_MS } from "../alerts/paging.js";
import { AnalyzerEngine } from "../engine.js";
import { buildOverview } from "../views.js";
import { TurnBook, turnErrorCode, turnFindings, type DirectMedia } from "./turn.js";

const turnWindow = (region: Region, status: "ok" | "setup_failed" | "timeout", ts: number, reason = "") => probe(region, region, status, ts, { via: "turn", reason, relayPath: [] });
const directOk = (): DirectMedia => ({ ok: ["us-west>eu-west"], failing: [] });

describe("turnFindings()", () => {
  it("fires for a region whose TURN fails 2 of 3 windows while direct media into it works, with the TURN error code", () => {
    const book = new TurnBook({ k: 2, n: 3 });
    book.record(turnWindow("eu-west", "ok", 1000));
    expect(book.record(turnWindow("eu-west", "setup_failed", 2000, "TURN allocation refused: 486 Allocation Quota Reached"))).toBe(false);
    expect(turnFindings(book.all(), directOk, () => undefined)).toEqual([]);
    expect(book.record(turnWindow("eu-west", "setup_failed", 3000, "TURN allocation refused: 486 Allocation Quota Reached"))).toBe(true);
    const [f, ...rest] = turnFindings(book.all(), directOk, () => undefined);
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ name: "TurnUnavailable", labels: { region: "eu-west" }, since: 2000, evidence: { turnErrorCode: 486, directOk: ["us-west>eu-west"] } });
  });

  it("stays quiet when direct media into the region fails too (the region's own alerts say it)", () => {
    const book = new TurnBook({ k: 2, n: 3 });
    for (const ts of [1000, 2000]) book.record(turnWindow("eu-west", "timeout", ts));
    expect(turnFindings(book.all(), () => ({ ok: [], failing: ["us-west>eu-west"] }), () => undefined)).toEqual([]);
    expect(turnFindings(book.all(), () => ({ ok: [], failing: [] }), () => undefined)).toHaveLength(1);
  });

  it("a repeated window counts once; turnErrorCode() reads the refusal code only", () => {
    const book = new TurnBook({ k: 2, n: 3 });
    book.record(turnWindow("eu-west", "timeout", 1000));
    expect(book.record(turnWindow("eu-west", "timeout", 1000))).toBe(false);
    expect(book.get("eu-west")?.failing).toBe(false);
    expect(turnErrorCode("TURN allocation refused: 401 Unauthorized")).toBe(401);
    expect(turnErrorCode("TURN allocation failed (timeout): no answer within 2000 ms")).toBeNull();
  });
});

describe("TurnUnavailable in the engine", () => {
  const regions: Region[] = ["us-west", "eu-west", "eu-central"];
  function setup() {
    const clock = new ManualClock(100_000);
    const transitions: AlertTransition[] = [];
    const engine = new AnalyzerEngine({ probe: { k: 2, n: 3 }, relayLatencyMs: 250, staleRelayAfterMs: 60_000 }, { transition: (t) => transitions.push(t) });
    /** One 1 s window of every direct pair (ok) and each region's TURN window (`turn(region)`). */
    const window = (turn: (r: Region) => "ok" | "setup_failed") => {
      clock.advance(1000);
      const ts = clock.now();
      for (const dst of regions) {
        const results = regions.filter((s) => s !== dst).map((src) => probe(src, dst, "ok", ts));
        engine.ingestProbes([...results, turnWindow(dst, turn(dst), ts, turn(dst) === "ok" ? "" : "TURN allocation failed (unreachable): recvmsg ECONNREFUSED")], clock.now());
      }
      engine.tick(clock.now());
    };
    const turnAlerts = () => engine.book.firing().filter((a) => a.name === "TurnUnavailable");
    return { engine, window, turnAlerts, transitions };
  }

  it("TURN that fails only while it starts (no track to subscribe to yet) raises nothing when it comes up", () => {
    const { window, turnAlerts, transitions } = setup();
    window(() => "setup_failed");
    window(() => "setup_failed");
    for (let i = 0; i < 40; i++) window(() => "ok");
    expect(turnAlerts()).toEqual([]);
    expect(transitions.filter((t) => t.alert.name === "TurnUnavailable")).toEqual([]);
  });

  it("warns within 2 windows of the outage, pages past the horizon, names only that region, resolves on recovery", () => {
    const { engine, window, turnAlerts } = setup();
    for (let i = 0; i < 5; i++) window(() => "ok");
    expect(turnAlerts()).toEqual([]);
    window((r) => (r === "eu-west" ? "setup_failed" : "ok"));
    window((r) => (r === "eu-west" ? "setup_failed" : "ok"));
    expect(turnAlerts().map((a) => [a.labels["region"], a.severity])).toEqual([["eu-west", "warning"]]);
    expect(engine.book.firing().filter((a) => a.name === "ProbePairFailing")).toEqual([]);
    expect([...engine.matrix.allPairs()].some((p) => p.src === p.dst)).toBe(false);
    expect(buildOverview(engine, regions, 0).turn?.map((t) => [t.region, t.failing])).toEqual([["eu-central", false], ["eu-west", true], ["us-west", false]]);
    for (let t = 0; t < PAGING_HORIZON_MS / 1000; t++) window((r) => (r === "eu-west" ? "setup_failed" : "ok"));
    expect(turnAlerts().map((a) => [a.labels["region"], a.severity])).toEqual([["eu-west", "critical"]]);
    for (let i = 0; i < 3; i++) window(() => "ok");
    expect(turnAlerts()).toEqual([]);
  });
});
