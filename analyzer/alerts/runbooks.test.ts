// Every alert relaywatch can raise has a runbook page, and every alert it sends (the
// analyzer's, to Alertmanager and webhooks) and every Prometheus rule carries `runbook_url`
// to it. The list of names comes from the contract itself (core/alert.ts ALERT_NAMES and the
// committed rules file), so a new alert without a page fails here.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ALERT_NAMES, type Alert, type AlertName } from "../../core/alert.js";
import { DEFAULT_RUNBOOK_BASE_URL, runbookUrl } from "../../core/runbook.js";
import { RULES_FILE } from "../../test/support/prom-expressions.js";
import { toAmAlerts, toWebhookPayload, type SinkContext } from "./sink.js";

const RUNBOOK_DIR = fileURLToPath(DEFAULT_RUNBOOK_BASE_URL);
/** What every page must cover (the five questions), as its level-2 headings. */
const SECTIONS = ["What it means", "Confirm", "Mitigate", "Verify", "Escalate"];

interface RuleFile {
  groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[];
}
const alertRules = (parse(readFileSync(RULES_FILE, "utf8")) as RuleFile).groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
const allNames = [...new Set<string>([...ALERT_NAMES, ...alertRules.map((r) => r.alert ?? "")])];

function alertNamed(name: AlertName): Alert {
  return { fingerprint: `fp-${name}`, name, state: "firing", severity: "critical", labels: { region: "eu-west", severity: "critical" }, summary: name, evidence: {}, startsAt: 1, endsAt: null, updatedAt: 1 };
}

describe("runbooks", () => {
  it.each(allNames)("%s has a page under docs/runbooks with every section, listed in the index", (name) => {
    const page = join(RUNBOOK_DIR, `${name}.md`);
    expect(existsSync(page), `${page} is missing`).toBe(true);
    const text = readFileSync(page, "utf8");
    expect(text.split("\n")[0]).toBe(`# ${name}`);
    for (const s of SECTIONS) expect(text, `${name}.md lacks "## ${s}…"`).toMatch(new RegExp(`^## ${s}`, "m"));
    expect(readFileSync(join(RUNBOOK_DIR, "README.md"), "utf8")).toContain(`(${name}.md)`);
  });

  it("every Prometheus alerting rule carries runbook_url to its own page", () => {
    expect(alertRules.length).toBeGreaterThan(0);
    for (const r of alertRules) {
      const url = r.annotations?.["runbook_url"];
      expect(url, `rule ${r.alert} has no runbook_url`).toBe(`docs/runbooks/${r.alert}.md`);
      expect(existsSync(join(RUNBOOK_DIR, "..", "..", url ?? "")), `${url} does not exist`).toBe(true);
    }
  });

  it("every alert the analyzer sends carries runbook_url: to Alertmanager (both label sets of a raised alert) and in webhook payloads", () => {
    const ctx: SinkContext = { externalUrl: "http://127.0.0.1:7700", now: () => 10, resendIntervalMs: 30_000 };
    for (const name of ALERT_NAMES) {
      const a = alertNamed(name);
      const raised = { ...a, evidence: { escalatedAt: 5 } };
      for (const am of toAmAlerts(raised, ctx)) expect(am.annotations["runbook_url"]).toBe(runbookUrl(name));
      const hook = toWebhookPayload([a], ctx, "relaywatch");
      expect(hook.alerts[0]?.annotations["runbook_url"]).toBe(runbookUrl(name));
      // The default points at this installation's own page, which exists.
      expect(existsSync(fileURLToPath(runbookUrl(name)))).toBe(true);
    }
  });

  it("the base URL is configurable, with or without a trailing slash", () => {
    for (const base of ["https://wiki.example/relaywatch/runbooks", "https://wiki.example/relaywatch/runbooks/"]) {
      const [am] = toAmAlerts(alertNamed("RelayLoop"), { externalUrl: "http://a:1", now: () => 0, resendIntervalMs: 1000, runbookBaseUrl: base });
      expect(am?.annotations["runbook_url"]).toBe("https://wiki.example/relaywatch/runbooks/RelayLoop.md");
    }
  });
});
