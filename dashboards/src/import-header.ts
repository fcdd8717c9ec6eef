// The `__inputs` and `__requires` header that makes a dashboard JSON importable into any
// Grafana, in the shape Grafana's "Export for sharing externally" writes
// (public/app/features/dashboard/components/DashExportModal/DashboardExporter.ts):
// - `__inputs`: one `type: "datasource"` entry per datasource variable on the dashboard;
//   "Import dashboard" shows a picker for each (filtered by `pluginId`) and substitutes the
//   chosen uid for `${name}` throughout the JSON. Every entry must be answered, so a
//   dashboard lists only the datasources it uses.
// - `__requires`: Grafana, the datasource plugins and the panel plugins it needs.
// File provisioning ignores both (see datasources.ts for how the variables still resolve).
import { VariableType } from "@grafana/grafana-foundation-sdk/dashboard";
import type { ClassicDashboard } from "./classic-dashboard.js";
import { DATASOURCE_SLOTS } from "./datasources.js";

export interface ImportInput {
  name: string;
  label: string;
  description: string;
  type: "datasource";
  pluginId: string;
  pluginName: string;
}

export interface Requirement {
  type: "grafana" | "datasource" | "panel";
  id: string;
  name: string;
  version: string;
}

export interface ImportHeader {
  __inputs: ImportInput[];
  __requires: Requirement[];
}

/** Grafana 9: the oldest release the classic JSON model and the ClickHouse plugin 4.x run on. */
export const MIN_GRAFANA_VERSION = ">=9.0.0-0";

/** Display names of the core panel plugins the dashboards use (Grafana's plugin.json names). */
const PANEL_NAMES: Readonly<Record<string, string>> = {
  barchart: "Bar chart",
  stat: "Stat",
  "state-timeline": "State timeline",
  table: "Table",
  timeseries: "Time series",
};

function panelTypes(d: ClassicDashboard): string[] {
  const types = new Set<string>();
  for (const p of d.panels ?? []) {
    if (p.type === "row") continue;
    types.add(p.type);
  }
  return [...types].sort();
}

export function importHeader(d: ClassicDashboard): ImportHeader {
  const variables = d.templating.list ?? [];
  const slots = DATASOURCE_SLOTS.filter((s) => variables.some((v) => v.type === VariableType.Datasource && v.name === s.variable));
  const inputs: ImportInput[] = slots.map((s) => ({
    name: s.input,
    label: s.label,
    description: `The ${s.pluginName} datasource relaywatch's panels read (dashboards/README.md)`,
    type: "datasource",
    pluginId: s.pluginId,
    pluginName: s.pluginName,
  }));
  const requires: Requirement[] = [{ type: "grafana", id: "grafana", name: "Grafana", version: MIN_GRAFANA_VERSION }];
  for (const s of slots) requires.push({ type: "datasource", id: s.pluginId, name: s.pluginName, version: s.pluginVersion });
  for (const type of panelTypes(d)) {
    const name = PANEL_NAMES[type];
    if (name === undefined) throw new Error(`panel type ${type} has no entry in PANEL_NAMES (import-header.ts)`);
    requires.push({ type: "panel", id: type, name, version: "" });
  }
  return { __inputs: inputs, __requires: requires };
}
