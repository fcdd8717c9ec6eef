// PromQL as the dashboards and rules use it: Grafana's variables substituted with sample
// values, parsed with Prometheus' own Lezer grammar (@prometheus-io/lezer-promql), the
// metric names it selects listed. Pure; used by tests and by nothing at runtime.
import { parser } from "@prometheus-io/lezer-promql";

/** Grafana variables in PromQL panels and a value of the right shape for each. */
const GRAFANA_VARIABLES: readonly (readonly [RegExp, string])[] = [
  [/\$__rate_interval\b/g, "1m"],
  [/\$__interval\b/g, "1m"],
  [/\$__range\b/g, "1h"],
  [/\$\{?region\}?/g, "us-east"],
  [/\$\{?alertname\}?/g, "RelayLoop"],
];

export function substituteGrafanaVariables(expr: string): string {
  let out = expr;
  for (const [re, value] of GRAFANA_VARIABLES) out = out.replace(re, value);
  return out;
}

export interface ParsedPromQL {
  /** Text around each error node the parser produced; empty when the expression parses. */
  errors: string[];
  /** Metric names of every vector selector, sorted, unique. */
  metrics: string[];
}

export function parsePromQL(expr: string): ParsedPromQL {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const metrics = new Set<string>();
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(`at ${node.from}: …${expr.slice(Math.max(0, node.from - 15), node.to + 15)}…`);
      if (node.name === "VectorSelector") {
        const id = node.node.getChild("Identifier");
        if (id !== null) metrics.add(expr.slice(id.from, id.to));
      }
    },
  });
  return { errors, metrics: [...metrics].sort() };
}

/** `label_values(metric, label)` (Grafana's variable function) → the metric selector. */
export function labelValuesMetric(query: string): string | null {
  const m = /^label_values\(\s*([^,]+?)\s*,\s*\w+\s*\)$/.exec(query.trim());
  return m?.[1] ?? null;
}

/** Metric names in a text exposition, from its `# TYPE` lines (histograms expanded). */
export function exposedMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split("\n")) {
    const m = /^# TYPE (\S+) (\S+)/.exec(line);
    if (m === null) continue;
    const [, name = "", type] = m;
    if (type === "histogram" || type === "summary") {
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${name}${suffix}`);
      if (type === "summary") names.add(name);
    } else {
      names.add(name);
    }
  }
  return names;
}
