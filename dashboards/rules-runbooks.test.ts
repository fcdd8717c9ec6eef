// Rebased rules stay valid and keep their unit tests green (promtool, Prometheus 2.42), with
// every alert's runbook_url under the new base.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { rebaseRunbookUrls } from "./src/rules-runbooks.js";
import { DASHBOARDS_DIR } from "./src/render.js";
import { findBinary, run } from "../test/support/binaries.js";
import { skipWithout } from "../test/support/real-part.js";

const promtool = findBinary("promtool");
const BASE = "https://wiki.example/relaywatch/runbooks/";
const read = (f: string) => readFileSync(join(DASHBOARDS_DIR, "prometheus", f), "utf8");
const dir = mkdtempSync(join(tmpdir(), "relaywatch-rules-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("rebaseRunbookUrls()", () => {
  it("moves every alert rule's runbook_url under the base and changes nothing else", () => {
    const rules = read("relaywatch.rules.yml");
    const rebased = rebaseRunbookUrls(rules, BASE);
    const alerts = (parse(rebased) as { groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[] }).groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
    expect(alerts.length).toBeGreaterThan(0);
    for (const r of alerts) expect(r.annotations?.["runbook_url"]).toBe(`https://wiki.example/relaywatch/runbooks/${r.alert ?? ""}.md`);
    expect(rebased.replace(/^\s*runbook_url: .*$/gm, "")).toBe(rules.replace(/^\s*runbook_url: .*$/gm, ""));
  });

  it.skipIf(skipWithout(promtool !== null, "promtool (Debian prometheus)"))("the rebased rules pass promtool check rules and their rebased unit tests", async () => {
    writeFileSync(join(dir, "relaywatch.rules.yml"), rebaseRunbookUrls(read("relaywatch.rules.yml"), BASE));
    writeFileSync(join(dir, "relaywatch.rules.test.yml"), rebaseRunbookUrls(read("relaywatch.rules.test.yml"), BASE));
    const check = await run(promtool ?? "", ["check", "rules", "relaywatch.rules.yml"], dir);
    expect(check.code, check.output).toBe(0);
    const tests = await run(promtool ?? "", ["test", "rules", "relaywatch.rules.test.yml"], dir);
    expect(tests.code, tests.output).toBe(0);
  });
});
