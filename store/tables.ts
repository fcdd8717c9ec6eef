// relaywatch's ClickHouse tables as data: columns, sort key, partitioning and TTL. The DDL
// for one server or a cluster is generated from this in ddl.ts, so both modes agree.

export interface TableSpec {
  name: string;
  columns: readonly (readonly [name: string, type: string])[];
  /** MergeTree engine family member for the local table. */
  engine: "MergeTree" | "AggregatingMergeTree";
  orderBy: string;
  partitionBy?: string;
  /** TTL expression without the interval, e.g. `toDateTime(ts)`; the interval is ttlDays. */
  ttlOn?: string;
  /** Sharding key for the Distributed table in cluster mode. */
  shardBy: string;
}

const REGION = "LowCardinality(String)";
const TIME = "DateTime64(3, 'UTC')";

/** How the window's media went (core/probe-result.ts `via`); rows from before it read `direct`. */
export const PROBE_VIA_COLUMN: [string, string] = ["via", "LowCardinality(String) DEFAULT 'direct'"];

export const PROBE_RESULTS: TableSpec = {
  name: "probe_results",
  engine: "MergeTree",
  columns: [
    ["ts", `${TIME} CODEC(Delta, ZSTD)`],
    ["window_ms", "UInt32"],
    ["src", REGION],
    ["dst", REGION],
    ["track", "String"],
    ["status", "LowCardinality(String)"],
    ["reason", "String"],
    ["sent", "UInt32"],
    ["received", "UInt32"],
    ["lost", "UInt32"],
    ["duplicates", "UInt32"],
    ["reordered", "UInt32"],
    ["jitter_ms", "Float32"],
    ["latency_p50_ms", "Nullable(Float32)"],
    ["latency_p95_ms", "Nullable(Float32)"],
    ["ttfp_ms", "Nullable(Float32)"],
    ["setup_ms", "Nullable(Float32)"],
    ["relay_path", `Array(${REGION})`],
    PROBE_VIA_COLUMN,
  ],
  orderBy: "(src, dst, ts)",
  partitionBy: "toDate(ts)",
  ttlOn: "toDateTime(ts)",
  shardBy: "cityHash64(src, dst)",
};

/** One row per pair per minute; sums, so the rollup of any set of rows is exact. */
export const PROBE_RESULTS_1M: TableSpec = {
  name: "probe_results_1m",
  engine: "AggregatingMergeTree",
  columns: [
    ["minute", "DateTime('UTC')"],
    ["src", REGION],
    ["dst", REGION],
    ["windows", "SimpleAggregateFunction(sum, UInt64)"],
    ["ok_windows", "SimpleAggregateFunction(sum, UInt64)"],
    ["sent", "SimpleAggregateFunction(sum, UInt64)"],
    ["received", "SimpleAggregateFunction(sum, UInt64)"],
    ["lost", "SimpleAggregateFunction(sum, UInt64)"],
    ["latency_p50_sum_ms", "SimpleAggregateFunction(sum, Float64)"],
    ["latency_samples", "SimpleAggregateFunction(sum, UInt64)"],
    ["latency_p95_max_ms", "SimpleAggregateFunction(max, Float32)"],
  ],
  orderBy: "(src, dst, minute)",
  partitionBy: "toDate(minute)",
  ttlOn: "minute",
  shardBy: "cityHash64(src, dst)",
};

/** The materialised view's SELECT feeding PROBE_RESULTS_1M from PROBE_RESULTS. */
export const PROBE_RESULTS_1M_SELECT = `SELECT
    toStartOfMinute(ts) AS minute, src, dst,
    count() AS windows,
    countIf(status = 'ok') AS ok_windows,
    sum(sent) AS sent, sum(received) AS received, sum(lost) AS lost,
    sum(ifNull(latency_p50_ms, 0)) AS latency_p50_sum_ms,
    countIf(latency_p50_ms IS NOT NULL) AS latency_samples,
    max(ifNull(latency_p95_ms, 0)) AS latency_p95_max_ms`;

export const RELAY_EDGES: TableSpec = {
  name: "relay_edges",
  engine: "MergeTree",
  columns: [
    ["ts", TIME],
    ["track", "String"],
    ["region", REGION],
    ["upstream", REGION],
    ["origin", REGION],
    ["state", "LowCardinality(String)"],
    ["path", `Array(${REGION})`],
    ["packets", "UInt64"],
    ["bytes", "UInt64"],
    ["kind", "LowCardinality(String)"],
  ],
  orderBy: "(track, region, ts)",
  partitionBy: "toDate(ts)",
  ttlOn: "toDateTime(ts)",
  shardBy: "cityHash64(track)",
};

export const REGION_HEALTH: TableSpec = {
  name: "region_health",
  engine: "MergeTree",
  columns: [
    ["ts", TIME],
    ["region", REGION],
    ["state", "LowCardinality(String)"],
    ["isolation", "LowCardinality(String)"],
    ["reachable_peers", "UInt16"],
    ["total_peers", "UInt16"],
    ["event_loop_lag_ms", "Float32"],
    ["reason", "String"],
  ],
  orderBy: "(region, ts)",
  partitionBy: "toDate(ts)",
  ttlOn: "toDateTime(ts)",
  shardBy: "cityHash64(region)",
};

/** Every state change of every alert is a row; the latest row per fingerprint is its state. */
export const ALERTS: TableSpec = {
  name: "alerts",
  engine: "MergeTree",
  columns: [
    ["ts", TIME],
    ["fingerprint", "String"],
    ["name", "LowCardinality(String)"],
    ["state", "LowCardinality(String)"],
    ["severity", "LowCardinality(String)"],
    ["labels", "Map(LowCardinality(String), String)"],
    ["summary", "String"],
    ["evidence", "String"],
    ["starts_at", TIME],
    ["ends_at", `Nullable(${TIME})`],
  ],
  orderBy: "(fingerprint, ts)",
  partitionBy: "toDate(ts)",
  ttlOn: "toDateTime(ts)",
  shardBy: "cityHash64(fingerprint)",
};

/**
 * On-call actions (issue 18), one row per state change (running → verifying → verified…);
 * the latest row per id is the action's state. An audit trail: no TTL, kept as long as the
 * database is (it is small: a few rows per incident).
 */
export const ACTIONS: TableSpec = {
  name: "actions",
  engine: "MergeTree",
  columns: [
    ["ts", TIME],
    ["id", "String"],
    ["kind", "LowCardinality(String)"],
    ["target", "String"],
    ["actor", "String"],
    ["state", "LowCardinality(String)"],
    ["summary", "String"],
    ["steps", "String"],
    ["verification", "String"],
    ["alerts", "Array(String)"],
    ["requested_at", TIME],
    ["finished_at", `Nullable(${TIME})`],
    ["verified_at", `Nullable(${TIME})`],
  ],
  orderBy: "(id, ts)",
  partitionBy: "toYYYYMM(ts)",
  shardBy: "cityHash64(id)",
};

export const SCHEMA_MIGRATIONS: TableSpec = {
  name: "schema_migrations",
  engine: "MergeTree",
  columns: [
    ["version", "UInt32"],
    ["name", "String"],
    ["applied_at", TIME],
  ],
  orderBy: "version",
  shardBy: "version",
};

export const DATA_TABLES: readonly TableSpec[] = [PROBE_RESULTS, PROBE_RESULTS_1M, RELAY_EDGES, REGION_HEALTH, ALERTS];
