import { describe, expect, it } from "vitest";
import { parseConfig, parseConfigYaml } from "./config.js";
import { ConfigError } from "./errors.js";

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("relaywatch.yaml", () => {
  it("an empty file gives the documented defaults", () => {
    const c = parseConfigYaml("");
    expect(c.store).toEqual({ url: "./data/clickhouse", spoolDir: "./data/spool", ttlDays: 30 });
    expect(c.analyzer.listen).toBe("127.0.0.1:7700");
    expect(c.alerting.resendInterval).toBe(30_000);
    expect(c.thresholds.probeFailWindows).toBe(2);
  });

  it("a full file parses, durations included", () => {
    const c = parseConfigYaml(`
store: { url: "http://u:p@ch:8123/rw", cluster: mesh, ttlDays: 7 }
regions:
  - { name: us-east, url: "http://127.0.0.1:7001" }
alerting: { alertmanager: ["http://127.0.0.1:9093"], resendInterval: 1m }
thresholds: { staleRelayAfter: 90s }
`);
    expect(c.store.cluster).toBe("mesh");
    expect(c.regions[0]?.name).toBe("us-east");
    expect(c.alerting.resendInterval).toBe(60_000);
    expect(c.thresholds.staleRelayAfter).toBe(90_000);
  });

  it("a bad value names the file, line, column, key, the value and what was expected", () => {
    const e = configError(() => parseConfigYaml(`regions:\n  - { name: us-east, url: "http://a:1" }\n  - { name: "EU West", url: "http://b:2" }\n`));
    expect(e.key).toBe("regions[1].name");
    expect(e.value).toBe("EU West");
    expect(e.message).toBe('relaywatch.yaml:3:13: regions[1].name: got "EU West", expected a region name like eu-central (lowercase letters, digits, dashes)');
  });

  it("a wrong type says what was expected in the file's terms", () => {
    const e = configError(() => parseConfig({ store: { ttlDays: "thirty" } }));
    expect(e.key).toBe("store.ttlDays");
    expect(e.message).toBe('store.ttlDays: got "thirty", expected a number');
  });

  it("a bad duration says what a duration looks like; 1h30m is one", () => {
    const e = configError(() => parseConfig({ alerting: { resendInterval: "soon" } }));
    expect(e.message).toBe('alerting.resendInterval: got "soon", expected a duration like 250ms, 3s, 5m, 1h or 1h30m');
    expect(parseConfigYaml("thresholds: { staleRelayAfter: 1h30m }\n").thresholds.staleRelayAfter).toBe(5_400_000);
  });

  it("an unknown key is named with the keys that are known there, and the likely one", () => {
    const e = configError(() => parseConfig({ store: { ur: "x" } }));
    expect(e.key).toBe("store.ur");
    expect(e.message).toBe('store.ur: got "x", expected one of the keys known here: url, cluster, spoolDir, ttlDays (did you mean url?)');
  });

  it("a YAML syntax error names the file, line and column", () => {
    const e = configError(() => parseConfigYaml("store:\n  url: [unclosed\n", "lab.yaml"));
    expect(e.message).toMatch(/^lab\.yaml:\d+:\d+: \(YAML\): expected valid YAML \(/);
  });

  it("probeFailWindows above probeWindowHistory is refused: ProbePairFailing could never fire", () => {
    const e = configError(() => parseConfigYaml("thresholds:\n  probeFailWindows: 4\n  probeWindowHistory: 3\n", "rw.yaml"));
    expect(e.message).toBe(
      "rw.yaml:2:21: thresholds.probeFailWindows: got 4, expected at most probeWindowHistory (3): ProbePairFailing fires on probeFailWindows failing of the last probeWindowHistory windows, so it could never fire",
    );
  });

  it("every problem is listed, one line each, in file order", () => {
    const e = configError(() => parseConfigYaml("regions:\n  - { name: a, url: 'http://a:1' }\n  - { name: a, url: 'http://b:1' }\nalerting: { resendInterval: 0s }\nfoo: 1\n", "rw.yaml"));
    expect(e.message.split("\n")).toEqual([
      "rw.yaml: 3 problems",
      'rw.yaml:3:13: regions[1].name: got "a", expected each region once (a is already regions[0])',
      'rw.yaml:4:29: alerting.resendInterval: got "0s", expected a duration from 1s to 1h',
      "rw.yaml:5:1: foo: got 1, expected one of the keys known here: store, regions, analyzer, alerting, thresholds",
    ]);
  });
});
