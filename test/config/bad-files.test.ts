// Bad config and scenario files through the real `relaywatch` command: each problem is one
// line naming the file, line and column, the key, the value and what was expected — all of
// them — with exit code 2 and no stack trace.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfigYaml } from "../../core/config.js";
import { MAX_YAML_BYTES } from "../../core/yaml-file.js";
import { parseScenario } from "../../lab/scenario/parse.js";
import { runCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-bad-files-"));

const ALERTS = "RelayLoop, MissingRelay, ProbePairFailing, FalseIsolation, RegionOffline, RegionUnreachable, RelayLatencyHigh, StaleRelay, TurnUnavailable";
const BOMB = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]", ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(", ")}]`)].join("\n");
const OK = "name: ok\nduration: 30s\nregions: [us-east, eu-west]\n";

interface Row {
  name: string;
  kind: "scenario" | "config";
  text: string;
  /** The expected message, one problem per line; F stands for the file's path. */
  lines: string[];
}

const ROWS: Row[] = [
  {
    name: "a scenario alias bomb",
    kind: "scenario",
    text: `${BOMB}\n`,
    lines: ["F:1:1: (YAML): expected at most 100 alias expansions (this looks like an alias bomb)"],
  },
  {
    name: "duplicate regions, probeInterval 0s and duration 999999h, all listed",
    kind: "scenario",
    text: "name: x\nduration: 999999h\nprobeInterval: 0s\nregions: [us-east, eu-west, us-east]\n",
    lines: [
      "F: 3 problems",
      'F:2:11: duration: got "999999h", expected a duration from 1s to 24h',
      'F:3:16: probeInterval: got "0s", expected a duration from 100ms to 1m',
      'F:4:29: regions[2]: got "us-east", expected each region once (us-east is already regions[0])',
    ],
  },
  {
    name: "a misspelled alert name, with the valid names and the likely one",
    kind: "scenario",
    text: `${OK}expect:\n  - { alert: RelayLop, within: 5s }\n`,
    lines: [`F:5:14: expect[0].alert: got "RelayLop", expected one of the alert names: ${ALERTS} (did you mean RelayLoop?)`],
  },
  {
    name: "a missing name, in the project's words (not zod's)",
    kind: "scenario",
    text: "duration: 30s\nregions: [us-east, eu-west]\n",
    lines: ["F:1:1: name: got nothing, expected a string (this key is required)"],
  },
  {
    name: "a timeline naming a region the scenario lacks, and a time past its end",
    kind: "scenario",
    text: `${OK}timeline:\n  - { at: 5s, kill: ap-south }\n  - { at: 45s, restart: us-east }\n`,
    lines: [
      "F: 2 problems",
      'F:5:21: timeline[0].kill: got "ap-south", expected one of the scenario\'s regions (us-east, eu-west)',
      'F:6:11: timeline[1].at: got "45s", expected a time within the scenario\'s duration (30s)',
    ],
  },
  {
    name: "a turnDown event naming a region the scenario does not run",
    kind: "scenario",
    text: `${OK}timeline:\n  - { at: 5s, turnDown: ap-south, for: 10s }\n`,
    lines: ['F:5:25: timeline[0].turnDown: got "ap-south", expected one of the scenario\'s regions (us-east, eu-west)'],
  },
  {
    name: "a misspelled top-level key",
    kind: "scenario",
    text: `${OK}timelien: []\n`,
    lines: ["F:4:1: timelien: got a list of 0 items, expected one of the keys known here: name, description, duration, probeInterval, probeRotate, regions, links, behaviours, timeline, expect (did you mean timeline?)"],
  },
  {
    name: "a scenario over the size limit",
    kind: "scenario",
    text: `${OK}# ${"x".repeat(MAX_YAML_BYTES)}\n`,
    lines: [`F: (file): got "${OK.length + MAX_YAML_BYTES + 3} bytes", expected at most ${MAX_YAML_BYTES} bytes (a hand-written file)`],
  },
  {
    name: "probeFailWindows larger than probeWindowHistory",
    kind: "config",
    text: "thresholds:\n  probeFailWindows: 5\n  probeWindowHistory: 3\n",
    lines: ["F:2:21: thresholds.probeFailWindows: got 5, expected at most probeWindowHistory (3): ProbePairFailing fires on probeFailWindows failing of the last probeWindowHistory windows, so it could never fire"],
  },
  {
    name: "a config alias bomb",
    kind: "config",
    text: `${BOMB}\n`,
    lines: ["F:1:1: (YAML): expected at most 100 alias expansions (this looks like an alias bomb)"],
  },
  {
    name: "a duplicate region, a bad URL, a zero interval and an unknown key, all listed",
    kind: "config",
    text: "regions:\n  - { name: us-east, url: 'http://127.0.0.1:7001' }\n  - { name: us-east, url: 'ftp://x' }\nalerting:\n  resendInterval: 0s\nstroe: {}\n",
    lines: [
      "F: 4 problems",
      'F:3:13: regions[1].name: got "us-east", expected each region once (us-east is already regions[0])',
      'F:3:27: regions[1].url: got "ftp://x", expected an http(s) URL like http://127.0.0.1:7001',
      'F:5:19: alerting.resendInterval: got "0s", expected a duration from 1s to 1h',
      "F:6:1: stroe: got a mapping {}, expected one of the keys known here: store, regions, analyzer, alerting, thresholds (did you mean store?)",
    ],
  },
  {
    name: "a YAML syntax error",
    kind: "config",
    text: "store:\n  url: 'unclosed\n",
    lines: ["F:3:1: (YAML): expected valid YAML (Missing closing 'quote)"],
  },
];

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return "(no error)";
}

describe("bad config and scenario files", () => {
  ROWS.forEach((row, i) => {
    it(`${row.kind}: ${row.name} — exact lines, exit 2, no stack trace`, async () => {
      const file = join(dir, `bad-${i}.yaml`);
      writeFileSync(file, row.text);
      const expected = row.lines.map((l) => l.replace(/^F\b/, file)).join("\n");
      const load = row.kind === "scenario" ? () => parseScenario(row.text, file) : () => parseConfigYaml(row.text, file);
      if (!row.name.includes("size limit")) expect(messageOf(load)).toBe(expected);
      const args = row.kind === "scenario" ? ["scenario", "run", file] : ["analyze", "--config", file];
      const r = await runCli(args);
      expect(r.stderr).toBe(`relaywatch: ${expected}\n`);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
    });
  });
});
