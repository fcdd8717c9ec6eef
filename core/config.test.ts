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

  it("a bad value names the key, the value and what was expected", () => {
    const e = configError(() => parseConfigYaml(`regions:\n  - { name: us-east, url: "http://a:1" }\n  - { name: "EU West", url: "http://b:2" }\n`));
    expect(e.key).toBe("regions[1].name");
    expect(e.value).toBe("EU West");
    expect(e.message).toBe('regions[1].name: got "EU West", expected a region name like eu-central (lowercase letters, digits, dashes)');
  });

  it("a wrong type says what type was expected", () => {
    const e = configError(() => parseConfig({ store: { ttlDays: "thirty" } }));
    expect(e.key).toBe("store.ttlDays");
    expect(e.message).toMatch(/^store\.ttlDays: got "thirty", expected number/);
  });

  it("a bad duration says what a duration looks like", () => {
    const e = configError(() => parseConfig({ alerting: { resendInterval: "soon" } }));
    expect(e.message).toBe('alerting.resendInterval: got "soon", expected a duration like 250ms, 3s, 5m or 1h');
  });

  it("an unknown key is named with the keys that are known there", () => {
    const e = configError(() => parseConfig({ store: { ur: "x" } }));
    expect(e.key).toBe("store.ur");
    expect(e.message).toContain("expected one of the known keys: url, cluster, spoolDir, ttlDays");
  });

  it("a YAML syntax error names the file and line", () => {
    const e = configError(() => parseConfigYaml("store:\n  url: [unclosed\n", "lab.yaml"));
    expect(e.key).toMatch(/^lab\.yaml:\d+$/);
    expect(e.expected).toMatch(/^valid YAML/);
  });
});
