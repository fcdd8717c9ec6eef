// What a dashboard module hands the build: where its JSON goes, how to build it, and the
// ClickHouse queries its panels and variables run (so tests can run each one on chdb).
import type { ClassicDashboard } from "./classic-dashboard.js";
import type { ClickHouseQuery } from "./clickhouse-query.js";
import type { ClickHouseVariable } from "./variables.js";

export interface DashboardSpec {
  /** File name under dashboards/grafana/. */
  file: string;
  uid: string;
  build(): ClassicDashboard;
  clickhouseQueries: readonly ClickHouseQuery[];
  clickhouseVariables: readonly ClickHouseVariable[];
}

/** Shared tags, so `tag:relaywatch` finds every dashboard in Grafana's search. */
export const TAGS = ["relaywatch"];
