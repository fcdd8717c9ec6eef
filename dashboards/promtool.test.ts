// The rules, their unit tests, the example Prometheus config and the example Alertmanager
// config pass the real tools: promtool (Prometheus 2.42) and amtool (Alertmanager 0.25).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import { DASHBOARDS_DIR } from "./src/render.js";
import { findBinary, run } from "../test/support/binaries.js";
import { ruleGroups } from "../test/support/prom-expressions.js";
import { skipWithout } from "../test/support/real-part.js";

const promtool = findBinary("promtool");
const amtool = findBinary("amtool");
const promDir = join(DASHBOARDS_DIR, "prometheus");

describe.skipIf(skipWithout(promtool !== null, "promtool (Debian prometheus)"))("promtool (skipped when promtool is not installed: Debian package prometheus, installed by .ci/run)", () => {
  it("promtool check rules relaywatch.rules.yml passes", async () => {
    const r = await run(promtool ?? "", ["check", "rules", "relaywatch.rules.yml"], promDir);
    expect(r.output).toContain("SUCCESS");
    expect(r.code, r.output).toBe(0);
  });

  it("promtool test rules relaywatch.rules.test.yml passes", async () => {
    const r = await run(promtool ?? "", ["test", "rules", "relaywatch.rules.test.yml"], promDir);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });

  it("promtool check config prometheus.example.yml passes", async () => {
    const r = await run(promtool ?? "", ["check", "config", "prometheus.example.yml"], promDir);
    expect(r.code, r.output).toBe(0);
  });
});

describe("rule unit tests cover every alert rule", () => {
  it("each alert of relaywatch.rules.yml has an alert_rule_test that expects it to fire", () => {
    const tests = parse(readFileSync(join(promDir, "relaywatch.rules.test.yml"), "utf8")) as { tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[] };
    const firing = new Set(tests.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    const alerts = ruleGroups().flatMap((g) => g.rules.flatMap((r) => (r.alert === undefined ? [] : [r.alert])));
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) expect(firing, a).toContain(a);
  });
});

describe.skipIf(skipWithout(amtool !== null, "amtool (Debian prometheus-alertmanager)"))("amtool (skipped when amtool is not installed: Debian package prometheus-alertmanager, installed by .ci/run)", () => {
  it("amtool check-config alertmanager.example.yml passes", async () => {
    const r = await run(amtool ?? "", ["check-config", "alertmanager.example.yml"], join(DASHBOARDS_DIR, "alertmanager"));
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("SUCCESS");
  });
});
