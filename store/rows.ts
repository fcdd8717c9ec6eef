// Domain objects (core/) to table rows and back. Times go in as UTC DateTime64(3) text and
// come out as epoch milliseconds (queries select toUnixTimestamp64Milli(...)).
import type { Alert } from "../core/alert.js";
import type { ProbeResult } from "../core/probe-result.js";
import type { RegionHealth } from "../core/region-health.js";
import type { RelayEdge } from "../core/relay-edge.js";

/** ClickHouse DateTime64(3) text in UTC: `2026-11-25 16:56:51.123`. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

/** The inverse of formatTime(); NaN for anything else. */
export function parseTime(text: string): number {
  return Date.parse(`${text.replace(" ", "T")}Z`);
}

export type Row = Record<string, unknown>;

export function probeResultRow(r: ProbeResult): Row {
  return {
    ts: formatTime(r.ts),
    window_ms: r.windowMs,
    src: r.src,
    dst: r.dst,
    track: r.track,
    status: r.status,
    reason: r.reason,
    sent: r.sent,
    received: r.received,
    lost: r.lost,
    duplicates: r.duplicates,
    reordered: r.reordered,
    jitter_ms: r.jitterMs,
    latency_p50_ms: r.latencyP50Ms,
    latency_p95_ms: r.latencyP95Ms,
    ttfp_ms: r.ttfpMs,
    setup_ms: r.setupMs,
    relay_path: r.relayPath,
    via: r.via ?? "direct",
  };
}

export function relayEdgeRow(e: RelayEdge): Row {
  return {
    ts: formatTime(e.ts),
    track: e.track,
    region: e.region,
    upstream: e.upstream ?? "",
    origin: e.origin ?? "",
    state: e.state,
    path: e.path,
    packets: e.packets,
    bytes: e.bytes,
    kind: e.kind,
  };
}

export function regionHealthRow(h: RegionHealth): Row {
  return {
    ts: formatTime(h.ts),
    region: h.region,
    state: h.state,
    isolation: h.isolation,
    reachable_peers: h.reachablePeers,
    total_peers: h.totalPeers,
    event_loop_lag_ms: h.eventLoopLagMs,
    reason: h.reason,
  };
}

export function alertRow(a: Alert): Row {
  return {
    ts: formatTime(a.updatedAt),
    fingerprint: a.fingerprint,
    name: a.name,
    state: a.state,
    severity: a.severity,
    labels: a.labels,
    summary: a.summary,
    evidence: JSON.stringify(a.evidence),
    starts_at: formatTime(a.startsAt),
    ends_at: a.endsAt === null ? null : formatTime(a.endsAt),
  };
}
