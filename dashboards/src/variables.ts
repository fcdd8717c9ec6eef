// Template variables. Filters are multi-value with "All"; no custom allValue, so "All"
// expands to the listed values in every datasource (a `.*` allValue would break the
// ClickHouse IN lists). ClickHouse panels filter with
// `$__conditionalAll(col IN (${var:singlequote}), $var)`, which the plugin turns into `1=1`
// when "All" is selected. Before the filters come the datasource variables every panel
// names its datasource through, and (ClickHouse dashboards) the database variable.
import { DatasourceVariableBuilder, QueryVariableBuilder, VariableRefresh, VariableSort } from "@grafana/grafana-foundation-sdk/dashboard";
import { DATA_TABLES } from "../../store/tables.js";
import { DEFAULT_DATABASE } from "../../store/url.js";
import { CLICKHOUSE, DATABASE_VARIABLE, PROMETHEUS, type DatasourceSlot } from "./datasources.js";

/**
 * A datasource picker for one plugin type, any instance (no name regex: an import may pick
 * a datasource of any name). Its default is the `__inputs` placeholder by uid, else the
 * provisioned datasource by name (see datasources.ts).
 */
export function datasourceVariable(slot: DatasourceSlot): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(slot.variable)
    .label(slot.label)
    .type(slot.pluginId)
    .current({ selected: true, text: slot.provisionedName, value: `\${${slot.input}}` });
}

/** A ClickHouse variable query; the tests run it like a panel query (one column). */
export interface ClickHouseVariable {
  name: string;
  label: string;
  sql: string;
}

/**
 * The database holding the store's tables: every database on the server that has all of
 * them (so a store at http://…:8123/rw_prod is found without editing anything), the
 * default database selected when present. A value can also be typed in or set with
 * `?var-database=…`.
 */
export const DATABASE: ClickHouseVariable = {
  name: DATABASE_VARIABLE,
  label: "Database",
  sql: `SELECT database FROM system.tables WHERE name IN (${DATA_TABLES.map((t) => `'${t.name}'`).join(", ")}) GROUP BY database HAVING uniqExact(name) = ${DATA_TABLES.length} ORDER BY database`,
};

export function databaseVariable(): QueryVariableBuilder {
  return new QueryVariableBuilder(DATABASE.name)
    .label(DATABASE.label)
    .datasource({ ...CLICKHOUSE })
    .query({ rawSql: DATABASE.sql, editorType: "sql", queryType: "table", format: 1, refId: `${DATABASE.name}-variable` })
    .definition(DATABASE.sql)
    .multi(false)
    .includeAll(false)
    .allowCustomValue(true)
    .current({ selected: true, text: DEFAULT_DATABASE, value: DEFAULT_DATABASE })
    .refresh(VariableRefresh.OnDashboardLoad)
    .sort(VariableSort.AlphabeticalAsc);
}

export function clickhouseVariable(v: ClickHouseVariable): QueryVariableBuilder {
  return new QueryVariableBuilder(v.name)
    .label(v.label)
    .datasource({ ...CLICKHOUSE })
    .query({ rawSql: v.sql, editorType: "sql", queryType: "table", format: 1, refId: `${v.name}-variable` })
    .definition(v.sql)
    .multi(true)
    .includeAll(true)
    .current({ selected: true, text: ["All"], value: ["$__all"] })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}

/** `label_values(metric, label)`: Grafana's Prometheus variable function, not PromQL. */
export interface PrometheusVariable {
  name: string;
  label: string;
  metric: string;
  labelName: string;
}

export function prometheusVariable(v: PrometheusVariable): QueryVariableBuilder {
  const query = `label_values(${v.metric}, ${v.labelName})`;
  return new QueryVariableBuilder(v.name)
    .label(v.label)
    .datasource({ ...PROMETHEUS })
    .query(query)
    .definition(query)
    .multi(true)
    .includeAll(true)
    .current({ selected: true, text: ["All"], value: ["$__all"] })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}

/** The per-region filter of the Prometheus dashboards (regions label their node's target). */
export const REGION_VARIABLE: PrometheusVariable = { name: "region", label: "Region", metric: "relaywatch_sfu_region_state", labelName: "region" };
