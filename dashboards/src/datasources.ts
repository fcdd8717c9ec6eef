// The two kinds of Grafana datasource relaywatch's dashboards read, and how a panel names
// one: never by a fixed uid, always through a dashboard variable of type "datasource"
// (`${ds_clickhouse}`, `${ds_prometheus}`), so one JSON imports into any Grafana.
//
// That variable's default is filled two ways, the way the ClickHouse plugin's own bundled
// dashboards do it (grafana/clickhouse-datasource src/dashboards):
// - "Import dashboard" asks for each `__inputs` entry (`DS_CLICKHOUSE`, `DS_PROMETHEUS`) and
//   replaces every `${DS_…}` string in the JSON with the chosen datasource's uid
//   (pkg/services/dashboardimport/utils/dash_template_evaluator.go); the variable's
//   `current.value` is `${DS_…}`, so it ends up selecting that datasource. The variable's
//   own name differs (lower case), so panels keep `${ds_…}` and stay switchable.
// - File provisioning does no such replacement: the variable then keeps `${DS_…}`, which
//   matches no uid, and Grafana falls back to the option whose name is `current.text`:
//   the name dashboards/provisioning/datasources/relaywatch.yaml gives the datasource.
import type { DataSourceRef } from "@grafana/grafana-foundation-sdk/common";

/** The official ClickHouse plugin (grafana-clickhouse-datasource, 4.x). */
export const CLICKHOUSE_PLUGIN_ID = "grafana-clickhouse-datasource";
/**
 * The plugin version the queries and macro expansions were checked against: the macro
 * set (`$__timeFilter`, `$__fromTime`, `$__toTime`, `$__interval_s`, `$__timeInterval`,
 * `$__conditionalAll`) is the same throughout 4.x.
 */
export const CLICKHOUSE_PLUGIN_VERSION = "4.13.0";

export interface DatasourceSlot {
  /** The `__inputs` entry "Import dashboard" prompts for; referenced as `${input}`. */
  readonly input: string;
  /** The dashboard variable (type datasource) every panel and query names as `${variable}`. */
  readonly variable: string;
  /** Shown next to the variable's dropdown and in the import prompt. */
  readonly label: string;
  readonly pluginId: string;
  readonly pluginName: string;
  /** Plugin version for `__requires` (Grafana's exporter writes 1.0.0 for core plugins). */
  readonly pluginVersion: string;
  /** The name the provisioning file gives this datasource: the variable's fallback. */
  readonly provisionedName: string;
}

export const CLICKHOUSE_SLOT: DatasourceSlot = {
  input: "DS_CLICKHOUSE",
  variable: "ds_clickhouse",
  label: "ClickHouse",
  pluginId: CLICKHOUSE_PLUGIN_ID,
  pluginName: "ClickHouse",
  pluginVersion: CLICKHOUSE_PLUGIN_VERSION,
  provisionedName: "relaywatch ClickHouse",
};

export const PROMETHEUS_SLOT: DatasourceSlot = {
  input: "DS_PROMETHEUS",
  variable: "ds_prometheus",
  label: "Prometheus",
  pluginId: "prometheus",
  pluginName: "Prometheus",
  pluginVersion: "1.0.0",
  provisionedName: "relaywatch Prometheus",
};

/** Every slot, in the order their variables appear on a dashboard. */
export const DATASOURCE_SLOTS: readonly DatasourceSlot[] = [CLICKHOUSE_SLOT, PROMETHEUS_SLOT];

/** What a panel, target or query variable stores: the plugin type and `${variable}`. */
export function datasourceRef(slot: DatasourceSlot): Readonly<DataSourceRef> {
  return { type: slot.pluginId, uid: `\${${slot.variable}}` };
}

export const CLICKHOUSE: Readonly<DataSourceRef> = datasourceRef(CLICKHOUSE_SLOT);
export const PROMETHEUS: Readonly<DataSourceRef> = datasourceRef(PROMETHEUS_SLOT);

/**
 * The dashboard variable naming the ClickHouse database that holds the store's tables
 * (`--store http://…:8123/<database>`; `relaywatch` by default). Panel SQL names every
 * table as `${database}.<table>`.
 */
export const DATABASE_VARIABLE = "database";

/** `${database}.probe_results`: table references in panel SQL are always qualified. */
export function table(name: string): string {
  return `\${${DATABASE_VARIABLE}}.${name}`;
}
