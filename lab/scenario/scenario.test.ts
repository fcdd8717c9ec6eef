import { describe, expect, it } from "vitest";
import { builtinScenarios } from "./builtin.js";
import { evaluateScenario, formatReport, labelsMatch, type FiredAlert, type Page } from "./evaluate.js";
import { parseScenario, ScenarioError } from "./parse.js";

const DESIGN_EXAMPLE = `
name: relay-loop-eu            # required
duration: 60s                  # total run time
probeInterval: 1s              # optional, probe window
probeRotate: 10s               # optional, how often probe agents publish a fresh track
regions: [us-east, us-west, eu-central, eu-west]
links:                         # optional; one-way latency per region pair (symmetric), default 10ms
  - { between: [us-west, eu-central], latency: 70ms, jitter: 5ms, loss: 0.001 }
behaviours:                    # optional legacy behaviours per region at start
  eu-central: [announce-early, no-loop-guard]   # also: isolation=naive
timeline:                      # faults, at times from the start
  - { at: 10s, partition: [us-east], for: 3s }
  - { at: 12s, isolate: [us-east], for: 20s }
  - { at: 20s, linkDown: [eu-central, eu-west], for: 5s }
  - { at: 25s, kill: us-west }
  - { at: 40s, restart: us-west }
  - { at: 30s, behaviour: { region: eu-west, set: [no-loop-guard] } }
  - { at: 35s, subscribe: { region: eu-central, track: probe/us-west } }
expect:
  - { alert: RelayLoop, after: 20s, within: 5s, labels: { regions: "eu-central,eu-west" } }
  - { alert: FalseIsolation, after: 10s, within: 10s, labels: { region: us-east } }
  - { noAlert: RegionOffline, labels: { region: us-east } }
`;

function scenarioError(text: string): ScenarioError {
  try {
    parseScenario(text, "s.yaml");
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error("expected a ScenarioError");
}

describe("scenario files", () => {
  it("DESIGN's example parses unchanged, every timeline kind included", () => {
    const s = parseScenario(DESIGN_EXAMPLE);
    expect(s.name).toBe("relay-loop-eu");
    expect(s.duration).toBe(60_000);
    expect(s.links[0]).toEqual({ between: ["us-west", "eu-central"], latency: 70, jitter: 5, loss: 0.001 });
    expect(s.behaviours["eu-central"]).toEqual(["announce-early", "no-loop-guard"]);
    expect(s.timeline).toHaveLength(7);
    expect(s.timeline[0]).toEqual({ at: 10_000, partition: ["us-east"], for: 3000 });
    expect(s.timeline[6]).toEqual({ at: 35_000, subscribe: { region: "eu-central", track: "probe/us-west" } });
    expect(s.expect[2]).toEqual({ noAlert: "RegionOffline", labels: { region: "us-east" } });
  });

  it("every built-in scenario parses", () => {
    const names = builtinScenarios().map((b) => b.name);
    expect(names).toEqual(["blips", "incident-2024-02-07", "incident-defaults", "lossy-transatlantic", "region-failure", "turn-outage"]);
  });

  it("a bad duration names the file, line, column and key", () => {
    const e = scenarioError("name: x\nduration: 60s\nregions: [a, b]\ntimeline:\n  - { at: soon, kill: a }\n");
    expect(e.message).toBe('s.yaml:5:11: timeline[0].at: got "soon", expected a duration like 250ms, 3s, 5m, 1h or 1h30m');
  });

  it("a misspelled alert name is named with the known ones and the likely one", () => {
    const e = scenarioError("name: x\nduration: 60s\nregions: [a, b]\nexpect:\n  - { alert: RelyLoop, within: 5s }\n");
    expect(e.message).toBe(
      's.yaml:5:14: expect[0].alert: got "RelyLoop", expected one of the alert names: RelayLoop, MissingRelay, ProbePairFailing, FalseIsolation, RegionOffline, RegionUnreachable, RelayLatencyHigh, StaleRelay, TurnUnavailable (did you mean RelayLoop?)',
    );
  });

  it("a region not in the scenario is named with the ones that are", () => {
    const e = scenarioError("name: x\nduration: 60s\nregions: [a, b]\ntimeline:\n  - { at: 1s, kill: c }\n");
    expect(e.message).toBe('s.yaml:5:21: timeline[0].kill: got "c", expected one of the scenario\'s regions (a, b)');
  });

  it("an unknown top-level key and a missing name are reported with their line", () => {
    expect(scenarioError("name: x\nduration: 60s\nregions: [a, b]\nregoins: [c]\n").message).toBe(
      "s.yaml:4:1: regoins: got a list of 1 item, expected one of the keys known here: name, description, duration, probeInterval, probeRotate, regions, links, behaviours, timeline, expect (did you mean regions?)",
    );
    expect(scenarioError("duration: 60s\nregions: [a, b]\n").message).toBe("s.yaml:1:1: name: got nothing, expected a string (this key is required)");
  });

  it("too few regions says how many are needed", () => {
    expect(scenarioError("name: x\nduration: 1s\nregions: [a]\n").message).toBe("s.yaml:3:10: regions: got a list of 1 item, expected at least two regions (a relay needs two)");
  });

  it("YAML syntax errors name the line and column", () => {
    expect(scenarioError("name: x\nregions: [a, b\nduration: 1s\n").message).toMatch(/^s\.yaml:\d+:\d+: \(YAML\): expected valid YAML \(/);
  });
});

describe("evaluating a run", () => {
  const alerts: FiredAlert[] = [
    { name: "FalseIsolation", labels: { region: "us-east", severity: "critical" }, firedAtMs: 11_200, resolvedAtMs: null },
    { name: "RelayLoop", labels: { regions: "eu-west,eu-central", track: "probe/us-west-2" }, firedAtMs: 20_700, resolvedAtMs: 30_000 },
  ];

  it("reports time-to-detect from `after` and passes within the deadline", () => {
    const r = evaluateScenario("x", parseScenario(DESIGN_EXAMPLE).expect, alerts, 60_000);
    expect(r.expectations[0]).toMatchObject({ alert: "RelayLoop", passed: true, detectedAfterMs: 700, deadlineMs: 5000 });
    expect(r.expectations[1]).toMatchObject({ alert: "FalseIsolation", passed: true, detectedAfterMs: 1200, deadlineMs: 10_000 });
    expect(r.expectations[2]).toMatchObject({ noAlert: "RegionOffline", passed: true });
    expect(r.passed).toBe(true);
    expect(formatReport(r)).toContain("pass  RelayLoop {regions=eu-central,eu-west}  detected after 700 ms (deadline 5000 ms)");
  });

  it("fails an alert that comes too late and a noAlert that fired", () => {
    const late: FiredAlert[] = [{ name: "RelayLoop", labels: { regions: "eu-central,eu-west" }, firedAtMs: 26_000, resolvedAtMs: null }, { name: "RegionOffline", labels: { region: "us-east" }, firedAtMs: 11_000, resolvedAtMs: null }];
    const r = evaluateScenario("x", parseScenario(DESIGN_EXAMPLE).expect, late, 60_000);
    expect(r.expectations.map((e) => e.passed)).toEqual([false, false, false]);
    expect(r.expectations[0]).toMatchObject({ detectedAfterMs: null });
    expect(r.passed).toBe(false);
  });

  it("leaves out alerts that resolved during the warm-up, keeps those still active at the start", () => {
    const warm: FiredAlert[] = [
      { name: "MissingRelay", labels: { region: "eu-west" }, firedAtMs: -9000, resolvedAtMs: -8000 },
      { name: "ProbePairFailing", labels: { region: "us-east" }, firedAtMs: -2000, resolvedAtMs: 500 },
    ];
    const r = evaluateScenario("s", [{ noAlert: "MissingRelay", labels: {} }, { noAlert: "ProbePairFailing", labels: {} }], warm, 30_000);
    expect(r.alerts.map((a) => a.name)).toEqual(["ProbePairFailing"]);
    expect(r.expectations.map((e) => e.passed)).toEqual([true, false]);
  });

  it("maxPages counts the pages during the run and reports exactly { maxPages, pages, passed }", () => {
    const pages: Page[] = [
      { name: "ProbePairFailing", labels: { src: "a", dst: "b", severity: "critical" }, atMs: -3000 },
      { name: "RelayLoop", labels: { regions: "a,b", severity: "critical" }, atMs: 20_900 },
      { name: "FalseIsolation", labels: { region: "a", severity: "critical" }, atMs: 11_300 },
    ];
    const s = parseScenario(`${DESIGN_EXAMPLE}  - { maxPages: 2 }\n`);
    const r = evaluateScenario("x", s.expect, alerts, 60_000, pages);
    expect(r.expectations[3]).toEqual({ maxPages: 2, pages: 2, passed: true });
    expect(r.pages.map((p) => p.atMs)).toEqual([11_300, 20_900]);
    expect(r.passed).toBe(true);
    const over = evaluateScenario("x", [{ maxPages: 1 }], alerts, 60_000, pages);
    expect(JSON.parse(JSON.stringify(over.expectations))).toEqual([{ maxPages: 1, pages: 2, passed: false }]);
    expect(over.passed).toBe(false);
    expect(formatReport(over)).toContain("FAIL  at most 1 page(s)  2 paged");
    expect(formatReport(over)).toContain("20900 ms  RelayLoop {regions=a,b}");
  });

  it("a run without pages reports an empty list, and maxPages 0 passes", () => {
    const r = evaluateScenario("x", [{ maxPages: 0 }], [], 30_000);
    expect(r.pages).toEqual([]);
    expect(r.expectations).toEqual([{ maxPages: 0, pages: 0, passed: true }]);
  });

  it("labelsMatch() compares comma lists as sets and requires every expected label", () => {
    expect(labelsMatch({ regions: "a,b" }, { regions: "b,a", track: "t" })).toBe(true);
    expect(labelsMatch({ regions: "a,b" }, { regions: "a,c" })).toBe(false);
    expect(labelsMatch({ region: "a" }, {})).toBe(false);
    expect(labelsMatch({}, { region: "a" })).toBe(true);
  });
});
