// Every PromQL expression relaywatch ships, with where it comes from: the Prometheus panels
// and variables of the generated dashboards and the expressions of the rules file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PROMETHEUS } from "../../dashboards/src/datasources.js";
import { labelValuesMetric } from "./promql.js";
import { DASHBOARDS_DIR, generatedFiles } from "../../dashboards/src/render.js";

export interface PromExpression {
  where: string;
  expr: string;
}

interface DashboardJson {
  title: string;
  panels?: { title?: string; targets?: { expr?: string; datasource?: { uid?: string } }[] }[];
  templating?: { list?: { name: string; query?: unknown; datasource?: { uid?: string } }[] };
}

interface RulesFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}

export const RULES_FILE = join(DASHBOARDS_DIR, "prometheus", "relaywatch.rules.yml");

export function ruleGroups(): RulesFile["groups"] {
  return (parse(readFileSync(RULES_FILE, "utf8")) as RulesFile).groups;
}

export function promExpressions(): PromExpression[] {
  const out: PromExpression[] = [];
  for (const f of generatedFiles().filter((g) => g.path.endsWith(".json"))) {
    const d = JSON.parse(f.content) as DashboardJson;
    for (const p of d.panels ?? []) {
      for (const t of p.targets ?? []) {
        if (t.datasource?.uid === PROMETHEUS.uid && t.expr !== undefined) out.push({ where: `${d.title} › ${p.title ?? "?"}`, expr: t.expr });
      }
    }
    for (const v of d.templating?.list ?? []) {
      if (v.datasource?.uid !== PROMETHEUS.uid || typeof v.query !== "string") continue;
      const metric = labelValuesMetric(v.query);
      out.push({ where: `${d.title} › $${v.name}`, expr: metric ?? v.query });
    }
  }
  for (const g of ruleGroups()) {
    for (const r of g.rules) out.push({ where: `rules › ${g.name} › ${r.record ?? r.alert ?? "?"}`, expr: r.expr });
  }
  return out;
}

/** Names the rules file records (level:metric:operations), usable by later expressions. */
export function recordedNames(): Set<string> {
  return new Set(ruleGroups().flatMap((g) => g.rules.flatMap((r) => (r.record === undefined ? [] : [r.record]))));
}
