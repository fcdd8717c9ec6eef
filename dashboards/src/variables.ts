// Template variables. Multi-value with "All"; no custom allValue, so "All" expands to the
// listed values in every datasource (a `.*` allValue would break the ClickHouse IN lists).
// ClickHouse panels filter with `$__conditionalAll(col IN (${var:singlequote}), $var)`,
// which the plugin turns into `1=1` when "All" is selected.
import { QueryVariableBuilder, VariableRefresh, VariableSort } from "@grafana/grafana-foundation-sdk/dashboard";
import { CLICKHOUSE, PROMETHEUS } from "./datasources.js";

/** A ClickHouse variable query; the tests run it like a panel query (one column). */
export interface ClickHouseVariable {
  name: string;
  label: string;
  sql: string;
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
