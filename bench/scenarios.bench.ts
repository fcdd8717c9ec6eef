// Time-to-detect in the lab: every built-in scenario run N times in a whole lab world (the
// scenario runner, as `relaywatch scenario run` does), and for each of its `alert`
// expectations the p50/p95 of detectedAfterMs (from the expectation's `after`). The
// incident's RelayLoop is printed next to the anchor: the 2024-02-07 loop went unnoticed
// for 25 minutes (19:25 → ~19:50 UTC, postmortem), so the ratio is how much of that is left.
// Next to it, precision (issue 15): pages per root cause for each scenario — a page is a
// delivered, unmuted critical (DESIGN) — with goal 1.0 where the scenario injects faults and
// 0 pages where it injects none (blips, a lossy link, the incident with defaults); and, for
// each page, how long after its alert became visible it was delivered (structural < 1 s).
// Each run takes the scenario's duration plus ~30 s of world start-up and settling.
//   RELAYWATCH_BENCH_SCENARIO_RUNS   runs per scenario (default 3)
//   RELAYWATCH_BENCH_SCENARIOS       comma-separated built-in names (default: all)
// With the incident selected, also (issue 18): the incident replayed with each paging alert
// mitigated at once through the analyzer's actions; time from the page to every pair ok (goal < 30 s).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtinScenarios } from "../lab/scenario/builtin.js";
import type { ScenarioReport } from "../lab/scenario/evaluate.js";
import { runScenario } from "../lab/scenario/runner.js";
import { exactDetections } from "../test/support/alert-records.js";
import { mitigateIncidentAtOnce } from "./incident-mitigation.js";
import { quantile, sortedCopy, type Bench } from "./harness.js";

/** 25 minutes: the incident's relay loop, from the postmortem, in ms. */
export const INCIDENT_LOOP_ANCHOR_MS = 1_500_000;
/**
 * Root causes each built-in scenario injects (what deserves a page): the incident's false
 * isolation and loop; the killed region. The others inject none that pages: blips heal by
 * themselves, a slow lossy link still delivers, the incident with defaults is ridden out.
 * A scenario not listed counts its maxPages budget (written as one page per cause).
 */
const ROOT_CAUSES: Readonly<Record<string, number>> = { "incident-2024-02-07": 2, "region-failure": 1, blips: 0, "incident-defaults": 0, "lossy-transatlantic": 0 };

/** Pages of a run, and per page the ms from its alert firing (visible) to its delivery. */
function pageDelays(r: ScenarioReport): number[] {
  return r.pages.map((p) => {
    const fired = r.alerts.filter((a) => a.name === p.name && Object.entries(p.labels).every(([k, v]) => k === "severity" || a.labels[k] === v));
    const first = fired.reduce<number | null>((best, a) => (best === null || a.firedAtMs < best ? a.firedAtMs : best), null);
    return first === null ? 0 : Math.max(0, p.atMs - first);
  });
}

/** 3 runs: enough for a p50 and a first look at the spread; a full pass takes ~12 minutes. */
const DEFAULT_RUNS = 3;

function positiveInt(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

const bench: Bench = {
  name: "scenarios",
  description: "time-to-detect per built-in scenario expectation (p50/p95 over repeated lab runs) vs the incident's 25 minutes",
  async run(report) {
    const runs = positiveInt(process.env["RELAYWATCH_BENCH_SCENARIO_RUNS"], DEFAULT_RUNS);
    const only = (process.env["RELAYWATCH_BENCH_SCENARIOS"] ?? "").split(",").filter((s) => s !== "");
    const selected = builtinScenarios().filter((b) => only.length === 0 || only.includes(b.name));
    for (const { name, scenario } of selected) {
      const budget = scenario.expect.find((e) => "maxPages" in e);
      const causes = ROOT_CAUSES[name] ?? (budget !== undefined && "maxPages" in budget ? budget.maxPages : 0);
      const pageCounts: number[] = [];
      const delays: number[] = [];
      const detections = new Map<string, number[]>();
      const missed = new Map<string, number>();
      const exact = new Map<string, number[]>();
      let passed = 0;
      for (let i = 0; i < runs; i++) {
        const dataDir = mkdtempSync(join(tmpdir(), `rw-bench-${name}-`));
        try {
          report.progress(`${name}: run ${i + 1} of ${runs}`);
          const r = await runScenario(scenario, { dataDir });
          if (r.passed) passed++;
          pageCounts.push(r.pages.length);
          delays.push(...pageDelays(r));
          for (const d of await exactDetections(dataDir)) {
            const key = d.name === "RelayLoop" ? "loop formed → RelayLoop" : `${d.subject} offline → FalseIsolation`;
            exact.set(key, [...(exact.get(key) ?? []), d.detectMs]);
          }
          for (const e of r.expectations) {
            if ("maxPages" in e || e.alert === undefined) continue;
            const key = `${e.alert}${Object.keys(e.labels).length === 0 ? "" : `{${Object.entries(e.labels).map(([k, v]) => `${k}=${v}`).join(",")}}`}`;
            if (e.detectedAfterMs === null) missed.set(key, (missed.get(key) ?? 0) + 1);
            else detections.set(key, [...(detections.get(key) ?? []), e.detectedAfterMs]);
          }
        } finally {
          rmSync(dataDir, { recursive: true, force: true });
        }
      }
      report.figure(`${name} runs passed`, passed, `of ${runs}`);
      const meanPages = pageCounts.reduce((a, b) => a + b, 0) / Math.max(1, pageCounts.length);
      if (causes > 0) report.figure(`${name} precision: pages per root cause`, meanPages / causes, "pages/cause", { note: `goal 1.0; ${causes} root cause(s), pages per run ${pageCounts.join(", ")}` });
      else report.figure(`${name} precision: pages (no root cause)`, meanPages, "pages/run", { note: `goal 0; pages per run ${pageCounts.join(", ")}` });
      if (delays.length > 0) {
        const sorted = sortedCopy(delays);
        report.figure(`${name} page after detection p50`, quantile(sorted, 0.5), "ms", { note: "page delivered − alert visible (firedAtMs)" });
        report.figure(`${name} page after detection p95`, quantile(sorted, 0.95), "ms");
      }
      for (const [key, values] of detections) {
        const sorted = sortedCopy(values);
        const miss = missed.get(key) ?? 0;
        const early = sorted[0] === 0 ? "0 ms: already firing at the expectation's `after` (the condition began earlier; see exact:)" : undefined;
        const note = miss > 0 ? `${miss} of ${runs} runs missed it` : early;
        const p50 = quantile(sorted, 0.5);
        const isLoop = name === "incident-2024-02-07" && key.startsWith("RelayLoop");
        report.figure(`${name} ${key} p50`, p50, "ms", {
          ...(isLoop ? { baseline: INCIDENT_LOOP_ANCHOR_MS } : {}),
          ...(note === undefined ? (isLoop ? { note: "anchor: 25 min in the 2024-02-07 incident" } : {}) : { note }),
        });
        report.figure(`${name} ${key} p95`, quantile(sorted, 0.95), "ms", isLoop ? { baseline: INCIDENT_LOOP_ANCHOR_MS } : {});
        if (isLoop && p50 > 0) report.figure(`${name} ${key} faster than the incident (p50)`, INCIDENT_LOOP_ANCHOR_MS / p50, "×");
      }
      for (const [key, miss] of missed) if (!detections.has(key)) report.figure(`${name} ${key} detected`, 0, `of ${runs} runs (missed ${miss})`);
      // Exact, from the alerts' evidence in the run's store (every loop of every run counts).
      for (const [key, values] of exact) {
        const sorted = sortedCopy(values);
        const note = `${values.length} alerts; startsAt − evidence time (formedAt / offlineSince)`;
        report.figure(`${name} exact: ${key} p50`, quantile(sorted, 0.5), "ms", key.startsWith("loop") ? { baseline: INCIDENT_LOOP_ANCHOR_MS, note } : { note });
        report.figure(`${name} exact: ${key} p95`, quantile(sorted, 0.95), "ms");
      }
    }
    if (selected.some((b) => b.name === "incident-2024-02-07")) await mitigationFigures(report, runs);
  },
};

/** 30 s: the goal from page to every pair ok when on-call acts at once (issue 18). */
const MITIGATION_GOAL_MS = 30_000;

async function mitigationFigures(report: Parameters<Bench["run"]>[0], runs: number): Promise<void> {
  const fromLoop: number[] = [];
  const fromFirst: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), "rw-bench-mitigation-"));
    try {
      report.progress(`incident mitigated at once: run ${i + 1} of ${runs}`);
      const r = await mitigateIncidentAtOnce(dataDir);
      if (r.loopPageToOkMs !== null) fromLoop.push(r.loopPageToOkMs);
      if (r.firstPageToOkMs !== null) fromFirst.push(r.firstPageToOkMs);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const note = `goal < ${MITIGATION_GOAL_MS / 1000} s; loop-break + override-isolation taken when each alert fires; ${fromLoop.length} of ${runs} runs recovered`;
  if (fromLoop.length === 0) report.figure("incident mitigated at once: recovered", 0, `of ${runs} runs`);
  else {
    const sorted = sortedCopy(fromLoop);
    report.figure("incident mitigated at once: RelayLoop page → all pairs ok p50", quantile(sorted, 0.5), "ms", { note });
    report.figure("incident mitigated at once: RelayLoop page → all pairs ok p95", quantile(sorted, 0.95), "ms");
    report.figure("incident mitigated at once: first page → all pairs ok p50", quantile(sortedCopy(fromFirst), 0.5), "ms", { note: "from FalseIsolation's page; the loop forms ~13 s later by the timeline" });
  }
}

export default bench;
