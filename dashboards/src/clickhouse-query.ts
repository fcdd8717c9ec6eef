// A panel query for the official ClickHouse plugin. The foundation SDK ships no builder for
// this plugin, so this is a small one with the same shape (cog.Builder<cog.Dataquery>),
// emitting the plugin's 4.x SQL-editor target: editorType "sql", queryType, format, rawSql.
// Each query also states the columns its panel reads; tests run every query on chdb and
// compare, so a renamed column fails a test, not a dashboard in front of on-call.
import type { Builder, Dataquery } from "@grafana/grafana-foundation-sdk/cog";
import type { DataSourceRef } from "@grafana/grafana-foundation-sdk/common";
import { CLICKHOUSE, CLICKHOUSE_PLUGIN_VERSION } from "./datasources.js";

/** `table` for tables/bar charts/stats; `timeseries` for long (time, series, value) frames. */
export type ClickHouseFormat = "table" | "timeseries";

/** The plugin's backend format ids (grafana-plugin-sdk-go sqlutil.FormatQueryOption). */
const FORMAT_ID: Readonly<Record<ClickHouseFormat, number>> = { timeseries: 0, table: 1 };

export interface ClickHouseQuery {
  /** Unique within its dashboard; names the query in tests and reports. */
  readonly id: string;
  readonly sql: string;
  readonly format: ClickHouseFormat;
  /** Columns the panel reads, in order. */
  readonly columns: readonly string[];
}

/** The JSON target Grafana stores for one ClickHouse SQL query. */
export interface ClickHouseTarget extends Dataquery {
  refId: string;
  datasource: DataSourceRef;
  editorType: "sql";
  queryType: ClickHouseFormat;
  format: number;
  rawSql: string;
  pluginVersion: string;
}

export class ClickHouseQueryBuilder implements Builder<Dataquery> {
  private readonly query: ClickHouseQuery;
  private ref = "A";

  constructor(query: ClickHouseQuery) {
    this.query = query;
  }

  refId(refId: string): this {
    this.ref = refId;
    return this;
  }

  build(): ClickHouseTarget {
    return {
      refId: this.ref,
      datasource: { ...CLICKHOUSE },
      editorType: "sql",
      queryType: this.query.format,
      format: FORMAT_ID[this.query.format],
      rawSql: this.query.sql,
      pluginVersion: CLICKHOUSE_PLUGIN_VERSION,
      _implementsDataqueryVariant: () => undefined,
    };
  }
}

/** Declares a query; `sql` is trimmed of the indentation template literals bring. */
export function chQuery(id: string, format: ClickHouseFormat, columns: readonly string[], sql: string): ClickHouseQuery {
  return { id, format, columns, sql: dedent(sql) };
}

function dedent(text: string): string {
  const lines = text.replace(/^\n+|\s+$/g, "").split("\n");
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const cut = Math.min(...indents);
  return lines.map((l) => l.slice(cut)).join("\n");
}
