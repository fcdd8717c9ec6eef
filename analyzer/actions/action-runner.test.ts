// ActionRunner on an engine fed the incident's loop (fixtures) and real region nodes'
// admin APIs (test/sfu's kit), time on a manual clock: refused without an admin token;
// a region that does not answer fails the action; calls that succeed while the alert
// keeps firing end unverified after VERIFY_TIMEOUT_MS; the loop gone, verified.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { beforeEach, describe, expect, it } from "vitest";
import type { ActionRecord } from "../../core/actions.js";
import { ManualClock } from "../../core/clock.js";
import { silentLogger } from "../../core/logger.js";
import { resetSeqs, snapshot, trackEvent } from "../../test/support/analyzer-fixtures.js";
import { labScope } from "../../test/sfu/sfu-kit.js";
import { LOOP_KEEP_FIRING_MS } from "../detectors/relay-loop.js";
import { AnalyzerEngine } from "../engine.js";
import { ActionRunner, VERIFY_INTERVAL_MS, VERIFY_TIMEOUT_MS } from "./action-runner.js";

const ADMIN_TOKEN = "admin-token-0123456789abcdef";
const REGIONS = ["us-west", "eu-central", "eu-west"];
const BODY = { request: { kind: "loop-break" as const, regions: ["eu-central", "eu-west"], restoreLoopGuard: false }, actor: "oncall", confirmed: true as const };

beforeEach(() => {
  resetSeqs();
});

/** The incident's loop in the engine's view: eu-central ⇄ eu-west on us-west's track. */
function loopingEngine(clock: ManualClock): AnalyzerEngine {
  const engine = new AnalyzerEngine({ probe: { k: 2, n: 3 }, relayLatencyMs: 250, staleRelayAfterMs: 60_000, gracePeriodMs: 0 }, { transition: () => undefined });
  for (const r of REGIONS) engine.applySnapshot(snapshot(r), clock.now());
  engine.applyEvent(trackEvent("us-west", "probe/us-west", { local: true, origin: "us-west" }, clock.now()), clock.now());
  engine.applyEvent(trackEvent("eu-central", "probe/us-west", { upstream: "eu-west", subscribers: 1 }, clock.now()), clock.now());
  engine.applyEvent(trackEvent("eu-west", "probe/us-west", { upstream: "eu-central", subscribers: 1 }, clock.now()), clock.now());
  expect(engine.book.firingCount("RelayLoop")).toBe(1);
  return engine;
}

function runner(engine: AnalyzerEngine, clock: ManualClock, urls: Map<string, string>, adminToken: string | undefined, records: ActionRecord[]): ActionRunner {
  return new ActionRunner({
    engine, configured: REGIONS, regionUrl: (r) => urls.get(r), adminToken, fetch: globalThis.fetch, clock, logger: silentLogger,
    record: (a) => { records.push(a); },
  });
}

describe("ActionRunner", () => {
  const scope = labScope();

  it("refuses without an admin token, and fails (recorded) when a region does not answer", async () => {
    const clock = new ManualClock(1_000_000);
    const records: ActionRecord[] = [];
    const off = await runner(loopingEngine(clock), clock, new Map(), undefined, records).run(BODY);
    expect(off).toMatchObject({ ok: false, status: 503, error: "actions_disabled" });
    // A port that was just closed: connection refused, a real failure.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => { r(); }));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => { r(); }));
    const urls = new Map(REGIONS.map((r) => [r, `http://127.0.0.1:${port}`]));
    const out = await runner(loopingEngine(clock), clock, urls, ADMIN_TOKEN, records).run(BODY);
    expect(out.ok && out.action).toMatchObject({ state: "failed", verification: "a call failed: nothing verified" });
    expect(out.ok && out.action.steps).toMatchObject([{ region: "eu-central", ok: false, status: 0 }]);
    expect(records.map((r) => r.state)).toEqual(["running", "failed"]);
  });

  it("calls made, alert still firing: unverified after the timeout; the loop gone: verified", async () => {
    const lab = await scope.start({ regions: ["eu-central", "eu-west"], node: () => ({ admin: { enabled: true, token: ADMIN_TOKEN } }) });
    const urls = new Map(["eu-central", "eu-west"].map((r) => [r, lab.node(r).url]));
    const clock = new ManualClock(1_000_000);
    const records: ActionRecord[] = [];
    const engine = loopingEngine(clock);
    const r = runner(engine, clock, urls, ADMIN_TOKEN, records);
    const first = await r.run(BODY);
    if (!first.ok) throw new Error(first.detail);
    expect(first.action.state).toBe("verifying");
    expect(first.action.steps.map((s) => [s.region, s.ok])).toEqual([["eu-central", true], ["eu-west", true]]);
    clock.advance(VERIFY_TIMEOUT_MS - VERIFY_INTERVAL_MS);
    expect(r.get(first.action.id)).toMatchObject({ state: "verifying", verification: "RelayLoop still firing; 0/0 pairs ok" });
    clock.advance(VERIFY_INTERVAL_MS);
    expect(r.get(first.action.id)).toMatchObject({ state: "unverified", verification: "not verified within 90 s: RelayLoop still firing; 0/0 pairs ok" });

    const second = await r.run(BODY);
    if (!second.ok) throw new Error(second.detail);
    engine.applyEvent(trackEvent("eu-west", "probe/us-west", { upstream: "us-west", subscribers: 1 }, clock.now()), clock.now());
    engine.tick(clock.now() + LOOP_KEEP_FIRING_MS);
    clock.advance(LOOP_KEEP_FIRING_MS + VERIFY_INTERVAL_MS);
    expect(r.get(second.action.id)).toMatchObject({ state: "verified", verifiedAt: clock.now() - LOOP_KEEP_FIRING_MS, verification: "RelayLoop resolved; 0/0 pairs ok" });
    expect(records.map((x) => x.state)).toEqual(["running", "verifying", "unverified", "running", "verifying", "verified"]);
    r.close();
  });

  it("lists actions in the order they were requested, whichever settles first", async () => {
    const lab = await scope.start({ regions: ["eu-central", "eu-west"], node: () => ({ admin: { enabled: true, token: ADMIN_TOKEN } }) });
    const urls = new Map(["eu-central", "eu-west"].map((r) => [r, lab.node(r).url]));
    const clock = new ManualClock(1_000_000);
    const r = runner(loopingEngine(clock), clock, urls, ADMIN_TOKEN, []);
    const first = await r.run(BODY);
    clock.advance(VERIFY_INTERVAL_MS);
    const second = await r.run(BODY);
    if (!first.ok || !second.ok) throw new Error("both actions should run");
    // The first one's deadline passes while the second still verifies: it settles (and is saved) last.
    clock.advance(VERIFY_TIMEOUT_MS - VERIFY_INTERVAL_MS);
    expect([r.get(first.action.id)?.state, r.get(second.action.id)?.state]).toEqual(["unverified", "verifying"]);
    expect(r.list().map((a) => a.id)).toEqual([first.action.id, second.action.id]);
    r.close();
  });
});
