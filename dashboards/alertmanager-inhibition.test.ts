// The example Alertmanager configuration, loaded by a real Alertmanager 0.25, inhibits like
// the analyzer (one page per root cause): a RelayLoop mutes ProbePairFailing on its regions,
// a region-level cause mutes the pair alerts and MissingRelay of its region, a FalseIsolation
// mutes its region's RegionOffline, a critical mutes the warning of the same alert, and
// unrelated alerts stay active.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderAlertmanagerExample } from "./src/alertmanager-config.js";
import { startAlertmanagerWithConfig, type AlertmanagerProcess } from "../test/support/alertmanager-process.js";
import { skipWithout } from "../test/support/real-part.js";

const BIN = "/usr/bin/prometheus-alertmanager";

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

describe.skipIf(skipWithout(existsSync(BIN), "Alertmanager (Debian prometheus-alertmanager)"))("alertmanager.example.yml in a real Alertmanager (skipped when prometheus-alertmanager is absent)", () => {
  let am: AlertmanagerProcess;
  beforeAll(async () => {
    am = await startAlertmanagerWithConfig(renderAlertmanagerExample(), BIN);
  });
  afterAll(async () => {
    await am.close();
  });

  async function post(alerts: Record<string, string>[]): Promise<void> {
    const startsAt = new Date().toISOString();
    const res = await fetch(`${am.url}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alerts.map((labels) => ({ labels, startsAt }))),
    });
    expect(res.status).toBe(200);
  }

  async function state(match: Record<string, string>): Promise<string> {
    const res = await fetch(`${am.url}/api/v2/alerts`);
    const all = (await res.json()) as AmAlert[];
    const a = all.find((x) => Object.entries(match).every(([k, v]) => x.labels[k] === v));
    if (a === undefined) throw new Error(`no alert ${JSON.stringify(match)}`);
    return a.status.state;
  }

  it("RelayLoop mutes ProbePairFailing on the loop's regions and into them, not elsewhere", async () => {
    await post([
      { alertname: "RelayLoop", severity: "critical", regions: "eu-central,eu-west" },
      { alertname: "ProbePairFailing", severity: "warning", regions: "eu-central,eu-west" },
      { alertname: "ProbePairFailing", severity: "warning", src: "us-west", dst: "eu-central" },
      { alertname: "ProbePairFailing", severity: "warning", src: "us-west", dst: "ap-south" },
    ]);
    expect(await state({ alertname: "RelayLoop" })).toBe("active");
    expect(await state({ alertname: "ProbePairFailing", regions: "eu-central,eu-west" })).toBe("suppressed");
    expect(await state({ alertname: "ProbePairFailing", dst: "eu-central" })).toBe("suppressed");
    expect(await state({ alertname: "ProbePairFailing", dst: "ap-south" })).toBe("active");
  });

  it("RegionUnreachable mutes the pair alerts that involve its region", async () => {
    await post([
      { alertname: "RegionUnreachable", severity: "critical", region: "us-east", source: "prometheus" },
      { alertname: "ProbePairFailing", severity: "warning", src: "us-east", dst: "eu-west" },
      { alertname: "RelayLatencyHigh", severity: "warning", src: "ap-south", dst: "us-east" },
      { alertname: "ProbePairFailing", severity: "critical", region: "us-east" },
      { alertname: "RelayLatencyHigh", severity: "warning", src: "ap-south", dst: "us-west" },
    ]);
    expect(await state({ alertname: "ProbePairFailing", src: "us-east" })).toBe("suppressed");
    expect(await state({ alertname: "RelayLatencyHigh", dst: "us-east" })).toBe("suppressed");
    expect(await state({ alertname: "ProbePairFailing", region: "us-east" })).toBe("suppressed");
    expect(await state({ alertname: "RelayLatencyHigh", dst: "us-west" })).toBe("active");
    expect(await state({ alertname: "RegionUnreachable" })).toBe("active");
  });

  it("a critical mutes the warning of the same alert and labels (a symptom past the paging horizon), not another pair's", async () => {
    await post([
      { alertname: "ProbePairFailing", severity: "critical", src: "ap-south", dst: "us-west" },
      { alertname: "ProbePairFailing", severity: "warning", src: "ap-south", dst: "us-west" },
      { alertname: "ProbePairFailing", severity: "warning", src: "us-west", dst: "ap-south" },
    ]);
    expect(await state({ alertname: "ProbePairFailing", src: "ap-south", dst: "us-west", severity: "warning" })).toBe("suppressed");
    expect(await state({ alertname: "ProbePairFailing", src: "ap-south", dst: "us-west", severity: "critical" })).toBe("active");
    expect(await state({ alertname: "ProbePairFailing", src: "us-west", dst: "ap-south", severity: "warning" })).toBe("active");
  });

  it("FalseIsolation mutes its region's RegionOffline and MissingRelay; another region's stay active", async () => {
    await post([
      { alertname: "FalseIsolation", severity: "critical", region: "eu-central" },
      { alertname: "RegionOffline", severity: "critical", region: "eu-central" },
      { alertname: "MissingRelay", severity: "warning", region: "eu-central", track: "room/a" },
      { alertname: "RegionOffline", severity: "critical", region: "ap-south" },
    ]);
    expect(await state({ alertname: "RegionOffline", region: "eu-central" })).toBe("suppressed");
    expect(await state({ alertname: "MissingRelay", region: "eu-central" })).toBe("suppressed");
    expect(await state({ alertname: "RegionOffline", region: "ap-south" })).toBe("active");
    expect(await state({ alertname: "FalseIsolation" })).toBe("active");
  });
});
