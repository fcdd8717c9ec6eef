// Judging a finished run: which expectations passed, and how long detection took.
// Pure: the runner hands in every alert the analyzer fired and every page it delivered,
// with times from the start.
import type { Expectation } from "./schema.js";

export interface FiredAlert {
  name: string;
  labels: Record<string, string>;
  /** Milliseconds from the scenario's start. */
  firedAtMs: number;
  resolvedAtMs: number | null;
}

/**
 * A page (DESIGN): a notification the analyzer delivered as firing with severity critical
 * and not muted; one per firing episode, at the time it was delivered.
 */
export interface Page {
  name: string;
  labels: Record<string, string>;
  /** Milliseconds from the scenario's start. */
  atMs: number;
}

/** DESIGN: a maxPages expectation reports exactly `{ maxPages, pages, passed }`. */
export interface MaxPagesResult {
  maxPages: number;
  pages: number;
  passed: boolean;
}

export type ExpectationResult = AlertExpectationResult | MaxPagesResult;

export interface AlertExpectationResult {
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

export function evaluateExpectation(e: Expectation, alerts: readonly FiredAlert[], runMs: number, pages: readonly Page[] = []): ExpectationResult {
  if ("maxPages" in e) return { maxPages: e.maxPages, pages: pages.length, passed: pages.length <= e.maxPages };
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
  const result: AlertExpectationResult = {
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
  pages: Page[];
}

/**
 * The warm-up before the start (the mesh settling, its first relays) is not the scenario:
 * an alert that resolved before t=0 neither counts nor is reported; one still active at
 * t=0 does (it fired during warm-up and still holds).
 */
export function alertsOfRun(alerts: readonly FiredAlert[]): FiredAlert[] {
  return alerts.filter((a) => a.resolvedAtMs === null || a.resolvedAtMs >= 0);
}

/** DESIGN: pages count "during the run (after t=0)"; one delivered during warm-up does not. */
export function pagesOfRun(pages: readonly Page[]): Page[] {
  return pages.filter((p) => p.atMs >= 0).sort((a, b) => a.atMs - b.atMs);
}

export function evaluateScenario(name: string, expectations: readonly Expectation[], alerts: readonly FiredAlert[], runMs: number, pages: readonly Page[] = []): ScenarioReport {
  const inRun = alertsOfRun(alerts);
  const paged = pagesOfRun(pages);
  const results = expectations.map((e) => evaluateExpectation(e, inRun, runMs, paged));
  return { scenario: name, passed: results.every((r) => r.passed), expectations: results, alerts: inRun.sort((a, b) => a.firedAtMs - b.firedAtMs), pages: paged };
}

function formatExpectation(e: ExpectationResult): string {
  if ("maxPages" in e) return `  ${e.passed ? "pass" : "FAIL"}  at most ${e.maxPages} page(s)  ${e.pages} paged`;
  const what = e.alert !== undefined ? e.alert : `no ${e.noAlert ?? "?"}`;
  const labels = Object.entries(e.labels).map(([k, v]) => `${k}=${v}`).join(" ");
  let detail = "";
  if (e.alert !== undefined) detail = e.detectedAfterMs === null ? `not detected within ${e.deadlineMs ?? 0} ms` : `detected after ${e.detectedAfterMs} ms (deadline ${e.deadlineMs ?? 0} ms)`;
  else if (e.violatedBy !== undefined) detail = `fired at ${e.violatedBy.firedAtMs} ms`;
  return `  ${e.passed ? "pass" : "FAIL"}  ${what}${labels === "" ? "" : ` {${labels}}`}  ${detail}`.trimEnd();
}

function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).filter(([k]) => k !== "severity").map(([k, v]) => `${k}=${v}`).join(" ");
}

/** The human summary `relaywatch scenario run` prints without --json. */
export function formatReport(r: ScenarioReport): string {
  const lines = [`scenario ${r.scenario}: ${r.passed ? "PASSED" : "FAILED"}`];
  for (const e of r.expectations) lines.push(formatExpectation(e));
  lines.push(`  ${r.alerts.length} alert(s) fired during the run`);
  for (const a of r.alerts) {
    lines.push(`    ${String(a.firedAtMs).padStart(7)} ms  ${a.name} {${labelText(a.labels)}}${a.resolvedAtMs === null ? "" : `, resolved at ${a.resolvedAtMs} ms`}`);
  }
  lines.push(`  ${r.pages.length} page(s) during the run`);
  for (const p of r.pages) lines.push(`    ${String(p.atMs).padStart(7)} ms  ${p.name} {${labelText(p.labels)}}`);
  return `${lines.join("\n")}\n`;
}
