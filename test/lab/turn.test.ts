// Issue 20's acceptance on real coturn: a 3-region lab with one coturn per region and TURN
// probes (the built-in turn-outage scenario, run as users run it: `relaywatch scenario run
// turn-outage --json`). Before the outage every region's TURN probe is ok (allocations and
// media through a relay candidate, read from the run's store: probe_results with via =
// 'turn'); eu-west's coturn stopped → TurnUnavailable{region=eu-west} within 3 probe windows,
// no other region blamed, every direct pair ok; coturn started again → it resolves.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { builtinScenarios } from "../../lab/scenario/builtin.js";
import type { ScenarioReport } from "../../lab/scenario/evaluate.js";
import { turnserverBinary } from "../support/coturn.js";
import { skipWithout } from "../support/real-part.js";
import { runCli } from "../support/run-cli.js";

const scenario = builtinScenarios().find((s) => s.name === "turn-outage")?.scenario;
/** Starting and settling a 3-region world takes ~30 s on a loaded 2-core machine; the rest is headroom. */
const RUN_OVERHEAD_MS = 150_000;
const DOWN_AT_MS = 8_000;
const DOWN_FOR_MS = 40_000;
/**
 * The ingest (results batched by the agent, ≤ 1 window) and the runner's 200 ms alert poll sit
 * between a window and the report's firedAtMs: allowed on top of the 3 windows.
 */
const DELIVERY_SLACK_MS = 1_200;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(skipWithout(turnserverBinary !== null, "turnserver (coturn)"))("TURN outage in a 3-region lab on real coturn", () => {
  const timeoutMs = (scenario?.duration ?? 60_000) + RUN_OVERHEAD_MS;

  it("TURN probes ok everywhere; eu-west's coturn stopped → TurnUnavailable{eu-west} within 3 windows, nothing else; restarted → resolved", { timeout: timeoutMs + 70_000 }, async () => {
    expect(scenario?.timeline).toEqual([{ at: DOWN_AT_MS, turnDown: "eu-west", for: DOWN_FOR_MS }]);
    const windowMs = scenario?.probeInterval ?? 1000;
    const dir = mkdtempSync(join(tmpdir(), "rw-turn-outage-"));
    dirs.push(dir);
    const res = await runCli(["scenario", "run", "turn-outage", "--json", "--data-dir", dir], { timeoutMs });
    let report: ScenarioReport;
    try {
      report = JSON.parse(res.stdout) as ScenarioReport;
    } catch {
      throw new Error(`scenario run exited ${res.code} without a JSON report; stderr:\n${res.stderr.slice(-4000)}`);
    }
    expect(report.passed, JSON.stringify(report, null, 1)).toBe(true);

    const turn = report.alerts.filter((a) => a.name === "TurnUnavailable");
    expect(turn.map((a) => a.labels["region"]).every((r) => r === "eu-west"), JSON.stringify(turn)).toBe(true);
    const first = turn.sort((a, b) => a.firedAtMs - b.firedAtMs)[0];
    if (first === undefined) throw new Error("no TurnUnavailable{eu-west}");
    process.stdout.write(`turn-outage: TurnUnavailable{eu-west} ${first.firedAtMs - DOWN_AT_MS} ms after the stop, resolved ${first.resolvedAtMs === null ? "never" : `${first.resolvedAtMs - DOWN_AT_MS - DOWN_FOR_MS} ms after the restart`}\n`);
    expect(first.firedAtMs - DOWN_AT_MS).toBeLessThanOrEqual(3 * windowMs + DELIVERY_SLACK_MS);
    // Restarted at 48 s → resolves before the run ends (a fresh allocation succeeds within a window).
    expect(first.resolvedAtMs).not.toBeNull();
    expect(report.alerts.filter((a) => a.name === "ProbePairFailing")).toEqual([]);

    // The TURN windows as the analyzer stored them: every region's TURN probe measured ok
    // windows, only eu-west's failed beyond warm-up, and failed for about the outage.
    const q = await runCli(
      ["store", "query", "SELECT dst, countIf(status = 'ok') AS ok, countIf(status != 'ok') AS failed FROM relaywatch.probe_results WHERE via = 'turn' GROUP BY dst ORDER BY dst", "--store", join(dir, "clickhouse"), "--format", "json"],
      { timeoutMs: 60_000 },
    );
    expect(q.code, q.stderr.slice(-2000)).toBe(0);
    const rows = q.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as { dst: string; ok: number | string; failed: number | string });
    const by = new Map(rows.map((r) => [r.dst, { ok: Number(r.ok), failed: Number(r.failed) }]));
    for (const region of ["us-east", "eu-west", "eu-central"]) expect(by.get(region)?.ok ?? 0, `${region} ok TURN windows`).toBeGreaterThanOrEqual(10);
    expect(by.get("eu-west")?.failed ?? 0).toBeGreaterThanOrEqual(DOWN_FOR_MS / windowMs / 2);
    for (const region of ["us-east", "eu-central"]) expect(by.get(region)?.failed ?? 0, `${region} failed TURN windows (warm-up only)`).toBeLessThanOrEqual(5);
  });
});
