// Mesh overview (ClickHouse): every ordered region pair as the probes measure it — the
// success/latency/loss matrix over the time range, the pairs that fail and why, and how
// long new subscriptions take (time to first packet, setup). Filters: src and dst regions.
import { DashboardCursorSync, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { ClassicDashboardBuilder, type ClassicDashboard } from "./classic-dashboard.js";
import { chQuery } from "./clickhouse-query.js";
import { CLICKHOUSE_SLOT, table } from "./datasources.js";
import { TAGS, type DashboardSpec } from "./dashboard-spec.js";
import { chBarChart, chTable, chTimeseries, pairMatrix } from "./panels.js";
import { clickhouseVariable, DATABASE, databaseVariable, datasourceVariable, type ClickHouseVariable } from "./variables.js";

const PAIRS = `$__conditionalAll(src IN (\${src:singlequote}), $src) AND $__conditionalAll(dst IN (\${dst:singlequote}), $dst)`;

const SRC: ClickHouseVariable = { name: "src", label: "Source region", sql: `SELECT DISTINCT src FROM ${table("probe_results_1m")} WHERE $__timeFilter(minute) ORDER BY src` };
const DST: ClickHouseVariable = { name: "dst", label: "Destination region", sql: `SELECT DISTINCT dst FROM ${table("probe_results_1m")} WHERE $__timeFilter(minute) ORDER BY dst` };

/** Per pair over the range, from the 1-minute rollup (cheap at 30 days of history). */
const PAIR_SUMMARY = chQuery(
  "pair-summary",
  "table",
  ["src", "dst", "probe_windows", "ok_pct", "loss_pct", "latency_p50_ms", "worst_p95_ms"],
  `
  SELECT
    src,
    dst,
    sum(windows) AS probe_windows,
    round(100 * sum(ok_windows) / greatest(sum(windows), 1), 1) AS ok_pct,
    round(100 * sum(lost) / greatest(sum(sent), 1), 2) AS loss_pct,
    if(sum(latency_samples) = 0, NULL, round(sum(latency_p50_sum_ms) / sum(latency_samples), 1)) AS latency_p50_ms,
    max(latency_p95_max_ms) AS worst_p95_ms
  FROM ${table("probe_results_1m")}
  WHERE $__timeFilter(minute) AND ${PAIRS}
  GROUP BY src, dst
  ORDER BY src, dst
  `,
);

const FAILING_PAIRS = chQuery(
  "failing-pairs",
  "table",
  ["src", "dst", "failed_windows", "windows", "failed_pct", "last_status", "last_reason", "relay_path", "last_failed_at"],
  `
  SELECT
    src,
    dst,
    countIf(status != 'ok') AS failed_windows,
    count() AS windows,
    round(100 * failed_windows / windows, 1) AS failed_pct,
    argMaxIf(status, ts, status != 'ok') AS last_status,
    argMaxIf(reason, ts, status != 'ok') AS last_reason,
    arrayStringConcat(argMaxIf(relay_path, ts, status != 'ok'), ' > ') AS relay_path,
    maxIf(ts, status != 'ok') AS last_failed_at
  FROM ${table("probe_results")}
  WHERE $__timeFilter(ts) AND ${PAIRS}
  GROUP BY src, dst
  HAVING failed_windows > 0
  ORDER BY failed_windows DESC, src, dst
  LIMIT 100
  `,
);

const FAILED_OVER_TIME = chQuery(
  "failed-windows-over-time",
  "timeseries",
  ["time", "pair", "failed_windows"],
  `
  SELECT
    $__timeInterval(ts) AS time,
    concat(src, ' → ', dst) AS pair,
    countIf(status != 'ok') AS failed_windows
  FROM ${table("probe_results")}
  WHERE $__timeFilter(ts) AND ${PAIRS}
  GROUP BY time, pair
  ORDER BY time, pair
  `,
);

const STATUS_OVER_TIME = chQuery(
  "status-over-time",
  "timeseries",
  ["time", "status", "windows"],
  `
  SELECT $__timeInterval(ts) AS time, status, count() AS windows
  FROM ${table("probe_results")}
  WHERE $__timeFilter(ts) AND ${PAIRS}
  GROUP BY time, status
  ORDER BY time, status
  `,
);

/** Log2 buckets (≤ 1, 2, 4 … ms): readable from 5 ms loopback hops to multi-second stalls. */
const SETUP_DISTRIBUTION = chQuery(
  "setup-distribution",
  "table",
  ["bucket", "ttfp", "setup"],
  `
  SELECT
    concat('≤ ', toString(le), ' ms') AS bucket,
    countIf(kind = 'ttfp') AS ttfp,
    countIf(kind = 'setup') AS setup
  FROM
  (
    SELECT kind, toUInt64(exp2(ceil(log2(greatest(assumeNotNull(v), 1))))) AS le
    FROM ${table("probe_results")}
    ARRAY JOIN ['ttfp', 'setup'] AS kind, [ttfp_ms, setup_ms] AS v
    WHERE $__timeFilter(ts) AND ${PAIRS} AND v IS NOT NULL
  )
  GROUP BY le
  ORDER BY le
  `,
);

const SETUP_QUANTILES = chQuery(
  "setup-quantiles",
  "timeseries",
  ["time", "ttfp_p50_ms", "ttfp_p95_ms", "setup_p50_ms", "setup_p95_ms"],
  `
  SELECT
    $__timeInterval(ts) AS time,
    quantileIf(0.5)(ttfp_ms, ttfp_ms IS NOT NULL) AS ttfp_p50_ms,
    quantileIf(0.95)(ttfp_ms, ttfp_ms IS NOT NULL) AS ttfp_p95_ms,
    quantileIf(0.5)(setup_ms, setup_ms IS NOT NULL) AS setup_p50_ms,
    quantileIf(0.95)(setup_ms, setup_ms IS NOT NULL) AS setup_p95_ms
  FROM ${table("probe_results")}
  WHERE $__timeFilter(ts) AND ${PAIRS} AND (ttfp_ms IS NOT NULL OR setup_ms IS NOT NULL)
  GROUP BY time
  ORDER BY time
  `,
);

const LATENCY_OVER_TIME = chQuery(
  "latency-over-time",
  "timeseries",
  ["time", "pair", "worst_p95_ms"],
  `
  SELECT
    $__timeInterval(ts) AS time,
    concat(src, ' → ', dst) AS pair,
    max(latency_p95_ms) AS worst_p95_ms
  FROM ${table("probe_results")}
  WHERE $__timeFilter(ts) AND ${PAIRS} AND latency_p95_ms IS NOT NULL
  GROUP BY time, pair
  ORDER BY time, pair
  `,
);

function build(): ClassicDashboard {
  const full = { w: 24, h: 10 };
  const third = { w: 8, h: 9 };
  const half = { w: 12, h: 9 };
  return new ClassicDashboardBuilder("relaywatch · Mesh overview")
    .uid("relaywatch-mesh-overview")
    .description("Every ordered region pair as the synthetic probes measure it (ClickHouse: probe_results, probe_results_1m).")
    .tags([...TAGS, "probes"])
    .time({ from: "now-1h", to: "now" })
    .refresh("30s")
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable(CLICKHOUSE_SLOT))
    .withVariable(databaseVariable())
    .withVariable(clickhouseVariable(SRC))
    .withVariable(clickhouseVariable(DST))
    .withRow(new RowBuilder("Pair matrix (rows: src, columns: dst)"))
    .withPanel(chTable("Windows OK (%)", "Share of probe windows with status ok, per src → dst pair, over the time range.", third, PAIR_SUMMARY, pairMatrix("ok_pct")).unit("percent"))
    .withPanel(chTable("Latency p50 (ms)", "Mean of the windows' one-way p50 latency, per pair (same-clock hosts only).", third, PAIR_SUMMARY, pairMatrix("latency_p50_ms")).unit("ms"))
    .withPanel(chTable("Loss (%)", "Packets lost / sent per pair over the time range.", third, PAIR_SUMMARY, pairMatrix("loss_pct")).unit("percent"))
    .withRow(new RowBuilder("Failing pairs"))
    .withPanel(chTable("Failing pairs", "Pairs with at least one failed window: last failure status, reason and the relay path it took.", full, FAILING_PAIRS))
    .withPanel(chTimeseries("Failed windows by pair", "Windows whose status was not ok, per interval.", "short", half, FAILED_OVER_TIME, { bars: true }))
    .withPanel(chTimeseries("Window status", "All probe windows by status, per interval.", "short", half, STATUS_OVER_TIME, { stacked: true }))
    .withPanel(chTimeseries("Latency p95 by pair", "Worst window p95 one-way latency per pair, per interval.", "ms", full, LATENCY_OVER_TIME))
    .withRow(new RowBuilder("Subscription setup"))
    .withPanel(chBarChart("Time to first packet and setup (distribution)", "Windows by time-to-first-packet and by WHEP setup time, log2 buckets.", "short", half, SETUP_DISTRIBUTION, "bucket"))
    .withPanel(chTimeseries("Time to first packet and setup (p50, p95)", "Quantiles per interval over the windows that started a subscription.", "ms", half, SETUP_QUANTILES))
    .build();
}

export const MESH_OVERVIEW: DashboardSpec = {
  file: "mesh-overview.json",
  uid: "relaywatch-mesh-overview",
  build,
  clickhouseQueries: [PAIR_SUMMARY, FAILING_PAIRS, FAILED_OVER_TIME, STATUS_OVER_TIME, SETUP_DISTRIBUTION, SETUP_QUANTILES, LATENCY_OVER_TIME],
  clickhouseVariables: [DATABASE, SRC, DST],
};
