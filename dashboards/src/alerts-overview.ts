// Alerts (ClickHouse, plus the analyzer's own metrics): every alert episode the analyzer raised, with its evidence; how
// many were active over time; how fast they were detected and how fast they were resolved.
// An episode is one (fingerprint, starts_at): the analyzer writes a row per state change.
import { DashboardCursorSync, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { ClassicDashboardBuilder, type ClassicDashboard } from "./classic-dashboard.js";
import { chQuery } from "./clickhouse-query.js";
import { CLICKHOUSE_SLOT, PROMETHEUS_SLOT, table } from "./datasources.js";
import { TAGS, type DashboardSpec } from "./dashboard-spec.js";
import { chStat, chTable, chTimeseries, promTimeseries } from "./panels.js";
import { activeAlertsQuery } from "./relay-health.js";
import { clickhouseVariable, DATABASE, databaseVariable, datasourceVariable, type ClickHouseVariable } from "./variables.js";

const NAMES = `$__conditionalAll(name IN (\${alertname:singlequote}), $alertname)`;

const ALERTNAME: ClickHouseVariable = { name: "alertname", label: "Alert", sql: `SELECT DISTINCT name FROM ${table("alerts")} WHERE $__timeFilter(ts) ORDER BY name` };

const ACTIVE = activeAlertsQuery("active-alerts", NAMES);

const TIMELINE = chQuery(
  "alert-timeline",
  "table",
  ["starts_at", "resolved_at", "duration_s", "name", "alert_severity", "last_state", "label_set", "last_summary", "last_evidence"],
  `
  SELECT
    starts_at,
    maxOrNull(ends_at) AS resolved_at,
    dateDiff('second', starts_at, ifNull(resolved_at, $__toTime)) AS duration_s,
    name,
    any(severity) AS alert_severity,
    argMax(state, ts) AS last_state,
    arrayStringConcat(arrayMap((k, v) -> concat(k, '=', v), mapKeys(any(labels)), mapValues(any(labels))), ' ') AS label_set,
    argMax(summary, ts) AS last_summary,
    argMax(evidence, ts) AS last_evidence
  FROM ${table("alerts")}
  WHERE $__timeFilter(ts) AND ${NAMES}
  GROUP BY fingerprint, starts_at, name
  ORDER BY starts_at DESC
  LIMIT 500
  `,
);

/**
 * Time to detect: from the revealing event (evidence.observedAt, epoch ms) to firing
 * (starts_at). Episodes without observedAt are left out; the analyzer's own histogram
 * (relaywatch_analyzer_time_to_detect_seconds, panel below) covers every alert.
 */
const TIME_TO_DETECT = chQuery(
  "time-to-detect",
  "table",
  ["name", "episodes", "ttd_p50_s", "ttd_p95_s", "ttd_max_s"],
  `
  SELECT
    name,
    count() AS episodes,
    round(quantile(0.5)(ttd_s), 2) AS ttd_p50_s,
    round(quantile(0.95)(ttd_s), 2) AS ttd_p95_s,
    round(max(ttd_s), 2) AS ttd_max_s
  FROM
  (
    SELECT
      name,
      (toUnixTimestamp64Milli(starts_at) - min(JSONExtract(evidence, 'observedAt', 'Nullable(Int64)'))) / 1000 AS ttd_s
    FROM ${table("alerts")}
    WHERE $__timeFilter(starts_at) AND ${NAMES}
    GROUP BY fingerprint, starts_at, name
    HAVING ttd_s IS NOT NULL
  )
  GROUP BY name
  ORDER BY name
  `,
);

/** Mean time to resolve, over the episodes that resolved in range. */
const MTTR = chQuery(
  "mttr",
  "table",
  ["name", "resolved", "mttr_s", "p95_s"],
  `
  SELECT
    name,
    count() AS resolved,
    round(avg(seconds), 1) AS mttr_s,
    round(quantile(0.95)(seconds), 1) AS p95_s
  FROM
  (
    SELECT name, dateDiff('millisecond', starts_at, assumeNotNull(max(ends_at))) / 1000 AS seconds
    FROM ${table("alerts")}
    WHERE $__timeFilter(ts) AND ${NAMES} AND ends_at IS NOT NULL
    GROUP BY fingerprint, starts_at, name
  )
  GROUP BY name
  ORDER BY name
  `,
);

const MTTR_OVERALL = chQuery(
  "mttr-overall",
  "table",
  ["mttr_s"],
  `
  SELECT round(avg(dateDiff('millisecond', starts_at, assumeNotNull(ends_at)) / 1000), 1) AS mttr_s
  FROM ${table("alerts")}
  WHERE $__timeFilter(ts) AND ${NAMES} AND state = 'resolved' AND ends_at IS NOT NULL
  `,
);

const FIRING_NOW = chQuery(
  "firing-now",
  "table",
  ["firing"],
  `
  SELECT countIf(last_state = 'firing') AS firing
  FROM
  (
    SELECT fingerprint, argMax(state, ts) AS last_state
    FROM ${table("alerts")}
    WHERE ts <= $__toTime AND ${NAMES}
    GROUP BY fingerprint
  )
  `,
);

function build(): ClassicDashboard {
  return new ClassicDashboardBuilder("relaywatch · Alerts")
    .uid("relaywatch-alerts")
    .description("Analyzer alerts from the store: timeline with evidence, time to detect, time to resolve.")
    .tags([...TAGS, "alerts"])
    .time({ from: "now-24h", to: "now" })
    .refresh("30s")
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable(CLICKHOUSE_SLOT))
    .withVariable(datasourceVariable(PROMETHEUS_SLOT))
    .withVariable(databaseVariable())
    .withVariable(clickhouseVariable(ALERTNAME))
    .withRow(new RowBuilder("Now"))
    .withPanel(chStat("Firing at the end of the range", "Alerts whose latest state is firing.", "short", { w: 6, h: 5 }, FIRING_NOW))
    .withPanel(chStat("Mean time to resolve", "Mean firing duration of the episodes that resolved in range.", "s", { w: 6, h: 5 }, MTTR_OVERALL))
    .withPanel(chTimeseries("Active alerts by name", "Alerts firing per interval.", "short", { w: 12, h: 5 }, ACTIVE, { stacked: true }))
    .withRow(new RowBuilder("Timeline"))
    .withPanel(chTable("Alert timeline", "Every episode: when it fired and resolved, its labels, summary and evidence (the cycle, the failing pairs…).", { w: 24, h: 12 }, TIMELINE))
    .withRow(new RowBuilder("Detection and resolution"))
    .withPanel(chTable("Time to detect (s)", "From the revealing event (evidence.observedAt) to firing, per alert name.", { w: 12, h: 8 }, TIME_TO_DETECT))
    .withPanel(chTable("Time to resolve (s)", "Firing duration of resolved episodes, per alert name.", { w: 12, h: 8 }, MTTR))
    .withRow(new RowBuilder("Analyzer (Prometheus)"))
    .withPanel(
      promTimeseries("Time to detect, p50 and p95 over the last hour (analyzer)", "From the event that revealed a problem to the alert firing (relaywatch_analyzer_time_to_detect_seconds).", "s", { w: 12, h: 8 }, [
        { expr: `histogram_quantile(0.5, sum by (le, alertname) (increase(relaywatch_analyzer_time_to_detect_seconds_bucket{alertname=~"$alertname"}[1h])))`, legend: "p50 {{alertname}}" },
        { expr: `histogram_quantile(0.95, sum by (le, alertname) (increase(relaywatch_analyzer_time_to_detect_seconds_bucket{alertname=~"$alertname"}[1h])))`, legend: "p95 {{alertname}}" },
      ]),
    )
    .withPanel(
      promTimeseries("Firing and delivery errors (analyzer)", "Alerts firing by name, and failed deliveries to Alertmanager/webhooks (each is retried).", "short", { w: 12, h: 8 }, [
        { expr: `sum by (alertname) (relaywatch_analyzer_alerts_firing{alertname=~"$alertname"})`, legend: "firing {{alertname}}" },
        { expr: `sum by (sink) (increase(relaywatch_analyzer_sink_errors_total[$__rate_interval]))`, legend: "delivery errors {{sink}}" },
      ]),
    )
    .build();
}

export const ALERTS_OVERVIEW: DashboardSpec = {
  file: "alerts.json",
  uid: "relaywatch-alerts",
  build,
  clickhouseQueries: [ACTIVE, TIMELINE, TIME_TO_DETECT, MTTR, MTTR_OVERALL, FIRING_NOW],
  clickhouseVariables: [DATABASE, ALERTNAME],
};
