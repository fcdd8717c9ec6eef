// Region health (Prometheus): each region's own view — online/offline over time, how well
// it reaches its peers (RTT, reachability), the isolation policy's decisions and the HTTP
// errors it served. The 2024-02-07 false isolation shows here as a region going offline
// while every other region still reports it reachable.
import { DashboardCursorSync, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import { ClassicDashboardBuilder, type ClassicDashboard } from "./classic-dashboard.js";
import { PROMETHEUS_SLOT } from "./datasources.js";
import { TAGS, type DashboardSpec } from "./dashboard-spec.js";
import { binaryStates, promStateTimeline, promTimeseries } from "./panels.js";
import { datasourceVariable, prometheusVariable, REGION_VARIABLE } from "./variables.js";

const SEL = `region=~"$region"`;

function build(): ClassicDashboard {
  const half = { w: 12, h: 8 };
  const full = { w: 24, h: 7 };
  const onlineOffline = binaryStates({ text: "offline", color: "red" }, { text: "online", color: "green" });
  const reachable = binaryStates({ text: "unreachable", color: "red" }, { text: "reachable", color: "green" });
  return new ClassicDashboardBuilder("relaywatch · Region health")
    .uid("relaywatch-region-health")
    .description("Isolation state, peer reachability and RTT, isolation decisions and HTTP errors of every region node.")
    .tags([...TAGS, "regions"])
    .time({ from: "now-1h", to: "now" })
    .refresh("10s")
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable(PROMETHEUS_SLOT))
    .withVariable(prometheusVariable(REGION_VARIABLE))
    .withRow(new RowBuilder("Isolation"))
    .withPanel(
      promStateTimeline("Region state", "Each region's own online/offline state (relaywatch_sfu_region_state).", full, [
        { expr: `max by (region) (relaywatch_sfu_region_state{${SEL}})`, legend: "{{region}}" },
      ], onlineOffline),
    )
    .withPanel(
      promStateTimeline("Reachable by peers", "Whether at least one other region reaches this one. Offline here while reachable above is a false isolation.", full, [
        { expr: `max by (peer) (relaywatch_sfu_peer_reachable{peer=~"$region"})`, legend: "{{peer}}" },
      ], reachable),
    )
    .withPanel(
      promTimeseries("Isolation decisions", "Decisions of the isolation policy per interval, by decision.", "short", half, [
        { expr: `sum by (region, decision) (increase(relaywatch_sfu_isolation_decisions_total{${SEL}}[$__rate_interval]))`, legend: "{{region}} {{decision}}" },
      ], { bars: true }),
    )
    .withPanel(
      promTimeseries("Peers reachable (fraction)", "Share of its peers each region reaches; 0 for every region at once points at the watcher, not the regions.", "percentunit", half, [
        { expr: `avg by (region) (relaywatch_sfu_peer_reachable{${SEL}})`, legend: "{{region}}" },
      ]),
    )
    .withRow(new RowBuilder("Peers"))
    .withPanel(
      promStateTimeline("Peer reachability (observer → peer)", "Heartbeat reachability of each peer as each region sees it.", { w: 24, h: 10 }, [
        { expr: `relaywatch_sfu_peer_reachable{${SEL}}`, legend: "{{region}} → {{peer}}" },
      ], reachable),
    )
    .withPanel(
      promTimeseries("Peer RTT", "Smoothed heartbeat RTT from each region to each peer.", "s", { w: 24, h: 9 }, [
        { expr: `relaywatch_sfu_peer_rtt_seconds{${SEL}}`, legend: "{{region}} → {{peer}}" },
      ]),
    )
    .withRow(new RowBuilder("HTTP"))
    .withPanel(
      promTimeseries("HTTP errors by route", "4xx and 5xx responses per second by route and status (503 while offline).", "reqps", half, [
        { expr: `sum by (region, route, status) (rate(relaywatch_sfu_http_requests_total{${SEL}, status=~"4..|5.."}[$__rate_interval]))`, legend: "{{region}} {{route}} {{status}}" },
      ], { stacked: true }),
    )
    .withPanel(
      promTimeseries("HTTP 5xx ratio", "Share of requests answered with 5xx, per region.", "percentunit", half, [
        {
          expr: `sum by (region) (rate(relaywatch_sfu_http_requests_total{${SEL}, status=~"5.."}[$__rate_interval])) / sum by (region) (rate(relaywatch_sfu_http_requests_total{${SEL}}[$__rate_interval]))`,
          legend: "{{region}}",
        },
      ]),
    )
    .build();
}

export const REGION_HEALTH: DashboardSpec = {
  file: "region-health.json",
  uid: "relaywatch-region-health",
  build,
  clickhouseQueries: [],
  clickhouseVariables: [],
};
