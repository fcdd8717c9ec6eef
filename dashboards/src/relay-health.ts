// Relay health (Prometheus + ClickHouse): the relays each region holds and how long they
// take to set up (region node metrics), loops and missing relays over time (the analyzer's
// alerts in the store), how long relay paths get, and what relay pipes drop.
import { DashboardCursorSync, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { ClassicDashboardBuilder, type ClassicDashboard } from "./classic-dashboard.js";
import { chQuery } from "./clickhouse-query.js";
import { CLICKHOUSE_SLOT, PROMETHEUS_SLOT, table } from "./datasources.js";
import { TAGS, type DashboardSpec } from "./dashboard-spec.js";
import { chBarChart, chTable, chTimeseries, promTimeseries } from "./panels.js";
import { DATABASE, databaseVariable, datasourceVariable, prometheusVariable, REGION_VARIABLE } from "./variables.js";

const REGION = `$__conditionalAll(region IN (\${region:singlequote}), $region)`;
const SEL = `region=~"$region"`;

/**
 * Alerts active per interval: each firing episode (fingerprint, starts_at) spans
 * [starts_at, ends_at or now]; timeSlots() lists the intervals it covers.
 */
export function activeAlertsQuery(id: string, names: string): ReturnType<typeof chQuery> {
  return chQuery(
    id,
    "timeseries",
    ["time", "name", "active"],
    `
    SELECT slot AS time, name, uniqExact(fingerprint) AS active
    FROM
    (
      SELECT
        name,
        fingerprint,
        greatest(toDateTime(starts_at), $__fromTime) AS s,
        least(toDateTime(ifNull(maxOrNull(ends_at), $__toTime)), $__toTime) AS e
      FROM ${table("alerts")}
      WHERE ${names} AND starts_at <= $__toTime
      GROUP BY name, fingerprint, starts_at
      HAVING e >= s
    )
    ARRAY JOIN timeSlots(s, toUInt32(dateDiff('second', s, e)), toUInt32($__interval_s)) AS slot
    GROUP BY time, name
    ORDER BY time, name
    `,
  );
}

const LOOPS_AND_MISSING = activeAlertsQuery("loops-and-missing", "name IN ('RelayLoop', 'MissingRelay') AND $__conditionalAll(labels['region'] IN (${region:singlequote}) OR hasAny(splitByChar(',', labels['regions']), [${region:singlequote}]), $region)");

const LOOP_EPISODES = chQuery(
  "loop-episodes",
  "table",
  ["starts_at", "resolved_at", "name", "track", "regions", "last_summary", "last_evidence"],
  `
  SELECT
    starts_at,
    maxOrNull(ends_at) AS resolved_at,
    name,
    any(labels['track']) AS track,
    any(if(labels['regions'] != '', labels['regions'], labels['region'])) AS regions,
    argMax(summary, ts) AS last_summary,
    argMax(evidence, ts) AS last_evidence
  FROM ${table("alerts")}
  WHERE $__timeFilter(ts) AND name IN ('RelayLoop', 'MissingRelay')
  GROUP BY fingerprint, starts_at, name
  ORDER BY starts_at DESC
  LIMIT 200
  `,
);

/** The latest edge per (track, region) in range; a relayed copy has an upstream. */
const PATH_LENGTHS = chQuery(
  "relay-path-lengths",
  "table",
  ["hops", "relays"],
  `
  SELECT toString(length(path) - 1) AS hops, count() AS relays
  FROM
  (
    SELECT track, region, argMax(path, ts) AS path
    FROM ${table("relay_edges")}
    WHERE $__timeFilter(ts) AND upstream != '' AND ${REGION}
    GROUP BY track, region
  )
  GROUP BY length(path) AS len, hops
  ORDER BY len
  `,
);

const LONGEST_PATHS = chQuery(
  "longest-relay-paths",
  "table",
  ["track", "region", "hops", "relay_path", "last_state", "last_seen"],
  `
  SELECT
    track,
    region,
    length(argMax(path, ts)) - 1 AS hops,
    arrayStringConcat(argMax(path, ts), ' < ') AS relay_path,
    argMax(state, ts) AS last_state,
    max(ts) AS last_seen
  FROM ${table("relay_edges")}
  WHERE $__timeFilter(ts) AND upstream != '' AND ${REGION}
  GROUP BY track, region
  ORDER BY hops DESC, last_seen DESC
  LIMIT 50
  `,
);

const PROBE_PATH_HOPS = chQuery(
  "probe-relay-path-hops",
  "timeseries",
  ["time", "avg_hops", "max_hops"],
  `
  SELECT
    $__timeInterval(ts) AS time,
    avg(length(relay_path) - 1) AS avg_hops,
    max(length(relay_path) - 1) AS max_hops
  FROM ${table("probe_results")}
  WHERE $__timeFilter(ts) AND notEmpty(relay_path) AND $__conditionalAll(dst IN (\${region:singlequote}), $region)
  GROUP BY time
  ORDER BY time
  `,
);

function build(): ClassicDashboard {
  const half = { w: 12, h: 9 };
  const full = { w: 24, h: 9 };
  return new ClassicDashboardBuilder("relaywatch · Relay health")
    .uid("relaywatch-relay-health")
    .description("Inter-region relays: state, setup time, pulls refused, loops and missing relays, path lengths, pipe drops.")
    .tags([...TAGS, "relay"])
    .time({ from: "now-1h", to: "now" })
    .refresh("30s")
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable(CLICKHOUSE_SLOT))
    .withVariable(datasourceVariable(PROMETHEUS_SLOT))
    .withVariable(databaseVariable())
    .withVariable(prometheusVariable(REGION_VARIABLE))
    .withRow(new RowBuilder("Relays (region nodes)"))
    .withPanel(
      promTimeseries("Relays by state", "Relays each region pulls from a peer (direction in), by state.", "short", half, [
        { expr: `sum by (region, state) (relaywatch_sfu_relays{${SEL}, direction="in"})`, legend: "{{region}} {{state}}" },
      ], { stacked: true }),
    )
    .withPanel(
      promTimeseries("Relay setup time (p50, p95, p99)", "From a subscribe needing a relay to its first packet (relaywatch_sfu_relay_setup_seconds).", "s", half, [
        { expr: `histogram_quantile(0.5, sum by (le, region) (rate(relaywatch_sfu_relay_setup_seconds_bucket{${SEL}}[$__rate_interval])))`, legend: "p50 {{region}}" },
        { expr: `histogram_quantile(0.95, sum by (le, region) (rate(relaywatch_sfu_relay_setup_seconds_bucket{${SEL}}[$__rate_interval])))`, legend: "p95 {{region}}" },
        { expr: `histogram_quantile(0.99, sum by (le) (rate(relaywatch_sfu_relay_setup_seconds_bucket{${SEL}}[$__rate_interval])))`, legend: "p99 all" },
      ]),
    )
    .withPanel(
      promTimeseries("Relay setup time by hops (p95)", "Setup p95 by the number of hops from the origin: cascades cost one pull per hop.", "s", half, [
        { expr: `histogram_quantile(0.95, sum by (le, hops) (rate(relaywatch_sfu_relay_setup_seconds_bucket{${SEL}}[$__rate_interval])))`, legend: "{{hops}} hops" },
      ]),
    )
    .withPanel(
      promTimeseries("Relay pulls by result", "Pulls served/refused by each region; relay_loop means the loop guard refused a circular pull.", "reqps", half, [
        { expr: `sum by (region, result) (rate(relaywatch_sfu_relay_pulls_total{${SEL}}[$__rate_interval]))`, legend: "{{region}} {{result}}" },
      ], { stacked: true }),
    )
    .withRow(new RowBuilder("Loops and missing relays (analyzer alerts)"))
    .withPanel(chTimeseries("RelayLoop and MissingRelay alerts active", "Firing alerts per interval, from the alerts table.", "short", full, LOOPS_AND_MISSING, { bars: true }))
    .withPanel(chTable("Loop and missing-relay episodes", "Each firing episode with its evidence (the cycle, the dangling chain).", full, LOOP_EPISODES))
    .withRow(new RowBuilder("Relay paths"))
    .withPanel(chBarChart("Relay path lengths", "Relayed copies by hops from the origin (latest edge per track and region).", "short", half, PATH_LENGTHS, "hops"))
    .withPanel(chTimeseries("Probe relay path hops", "Hops on the relay path the probes' subscriptions took (probe_results.relay_path).", "short", half, PROBE_PATH_HOPS))
    .withPanel(chTable("Longest relay paths", "The relayed copies with the most hops in range.", full, LONGEST_PATHS))
    .withRow(new RowBuilder("Relay pipes"))
    .withPanel(
      promTimeseries("Pipe packets dropped by reason", "Datagrams on relay-in pipes not forwarded (relaywatch_sfu_pipe_dropped_packets_total).", "pps", full, [
        { expr: `sum by (region, reason) (rate(relaywatch_sfu_pipe_dropped_packets_total{${SEL}}[$__rate_interval]))`, legend: "{{region}} {{reason}}" },
      ], { stacked: true }),
    )
    .build();
}

export const RELAY_HEALTH: DashboardSpec = {
  file: "relay-health.json",
  uid: "relaywatch-relay-health",
  build,
  clickhouseQueries: [LOOPS_AND_MISSING, LOOP_EPISODES, PATH_LENGTHS, LONGEST_PATHS, PROBE_PATH_HOPS],
  clickhouseVariables: [DATABASE],
};
