// Judging a finished run: which expectations passed, and how long detection took.
// Pure: the runner hands in every alert the analyzer fired, with times from the start.
import type { Expectation } from "./schema.js";

export interface FiredAlert {
  name: string;
  labels: Record<string, string>;
  /** Milliseconds from the scenario's start. */
  firedAtMs: number;
  resolvedAtMs: number | null;
}

export interface ExpectationResult {
  alert?: string;
  noAlert?: string;
  labels: Record<string, string>;
  passed: boolean;
  /** For `alert`: ms from `after` to the alert firing (0 if already firing then); null if never. */
  detectedAfterMs: number | null;
  /** For `alert`: the allowed `within`; for `noAlert` with a window, its length; else null. */
  deadlineMs: number | null;
  /** For `noAlert`: the alert that broke it, if any. */
  violatedBy?: FiredAlert;
}

/** Label values compare as sets where they are comma lists (`regions`), else exactly. */
export function labelsMatch(expected: Readonly<Record<string, string>>, actual: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(expected)) {
    const got = actual[k];
    if (got === undefined) return false;
    if (v.includes(",") || got.includes(",")) {
      if (normaliseList(v) !== normaliseList(got)) return false;
    } else if (got !== v) return false;
  }
  return true;
}

function normaliseList(v: string): string {
  return v.split(",").map((s) => s.trim()).filter((s) => s !== "").sort().join(",");
}

function activeIn(a: FiredAlert, from: number, to: number): boolean {
  return a.firedAtMs <= to && (a.resolvedAtMs === null || a.resolvedAtMs >= from);
}

export function evaluateExpectation(e: Expectation, alerts: readonly FiredAlert[], runMs: number): ExpectationResult {
  if ("alert" in e) {
    const deadline = e.after + e.within;
    const matching = alerts.filter((a) => a.name === e.alert && labelsMatch(e.labels, a.labels) && activeIn(a, e.after, deadline));
    const first = matching.reduce<FiredAlert | null>((best, a) => (best === null || a.firedAtMs < best.firedAtMs ? a : best), null);
    const detectedAfterMs = first === null ? null : Math.max(0, first.firedAtMs - e.after);
    return { alert: e.alert, labels: e.labels, passed: first !== null, detectedAfterMs, deadlineMs: e.within };
  }
  const from = e.after ?? 0;
  const to = e.within === undefined ? runMs : from + e.within;
  const violatedBy = alerts.find((a) => a.name === e.noAlert && labelsMatch(e.labels, a.labels) && activeIn(a, from, to));
  const result: ExpectationResult = {
    noAlert: e.noAlert,
    labels: e.labels,
    passed: violatedBy === undefined,
    detectedAfterMs: null,
    deadlineMs: e.within ?? null,
  };
  if (violatedBy !== undefined) result.violatedBy = violatedBy;
  return result;
}

export interface ScenarioReport {
  scenario: string;
  passed: boolean;
  expectations: ExpectationResult[];
  alerts: FiredAlert[];
}

/**
 * The warm-up before the start (the mesh settling, its first relays) is not the scenario:
 * an alert that resolved before t=0 neither counts nor is reported; one still active at
 * t=0 does (it fired during warm-up and still holds).
 */
export function alertsOfRun(alerts: readonly FiredAlert[]): FiredAlert[] {
  return alerts.filter((a) => a.resolvedAtMs === null || a.resolvedAtMs >= 0);
}

export function evaluateScenario(name: string, expectations: readonly Expectation[], alerts: readonly FiredAlert[], runMs: number): ScenarioReport {
  const inRun = alertsOfRun(alerts);
  const results = expectations.map((e) => evaluateExpectation(e, inRun, runMs));
  return { scenario: name, passed: results.every((r) => r.passed), expectations: results, alerts: inRun.sort((a, b) => a.firedAtMs - b.firedAtMs) };
}

/** The human summary `relaywatch scenario run` prints without --json. */
export function formatReport(r: ScenarioReport): string {
  const lines = [`scenario ${r.scenario}: ${r.passed ? "PASSED" : "FAILED"}`];
  for (const e of r.expectations) {
    const what = e.alert !== undefined ? e.alert : `no ${e.noAlert ?? "?"}`;
    const labels = Object.entries(e.labels).map(([k, v]) => `${k}=${v}`).join(" ");
    let detail = "";
    if (e.alert !== undefined) detail = e.detectedAfterMs === null ? `not detected within ${e.deadlineMs ?? 0} ms` : `detected after ${e.detectedAfterMs} ms (deadline ${e.deadlineMs ?? 0} ms)`;
    else if (e.violatedBy !== undefined) detail = `fired at ${e.violatedBy.firedAtMs} ms`;
    lines.push(`  ${e.passed ? "pass" : "FAIL"}  ${what}${labels === "" ? "" : ` {${labels}}`}  ${detail}`.trimEnd());
  }
  lines.push(`  ${r.alerts.length} alert(s) fired during the run`);
  for (const a of r.alerts) {
    const labels = Object.entries(a.labels).filter(([k]) => k !== "severity").map(([k, v]) => `${k}=${v}`).join(" ");
    lines.push(`    ${String(a.firedAtMs).padStart(7)} ms  ${a.name} {${labels}}${a.resolvedAtMs === null ? "" : `, resolved at ${a.resolvedAtMs} ms`}`);
  }
  return `${lines.join("\n")}\n`;
}
