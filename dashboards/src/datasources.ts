// The two Grafana datasources every relaywatch dashboard points at, by fixed uid, so the
// provisioning file, the generated dashboards and a hand import all agree on one name.
import type { DataSourceRef } from "@grafana/grafana-foundation-sdk/common";
import { DEFAULT_DATABASE } from "../../store/url.js";

/** The official ClickHouse plugin (grafana-clickhouse-datasource, 4.x). */
export const CLICKHOUSE_PLUGIN_ID = "grafana-clickhouse-datasource";
/**
 * The plugin version the queries and macro expansions were checked against: the macro
 * set (`$__timeFilter`, `$__fromTime`, `$__toTime`, `$__interval_s`, `$__timeInterval`,
 * `$__conditionalAll`) is the same throughout 4.x.
 */
export const CLICKHOUSE_PLUGIN_VERSION = "4.13.0";

export const CLICKHOUSE: Readonly<DataSourceRef> = { type: CLICKHOUSE_PLUGIN_ID, uid: "relaywatch-clickhouse" };
export const PROMETHEUS: Readonly<DataSourceRef> = { type: "prometheus", uid: "relaywatch-prometheus" };

/** The ClickHouse database the store writes by default. */
export const STORE_DATABASE = DEFAULT_DATABASE;

/** `relaywatch.probe_results`: table references in panel SQL are always qualified. */
export function table(name: string): string {
  return `${STORE_DATABASE}.${name}`;
}
