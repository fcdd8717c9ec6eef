// The questions the TUI, analyzer and CLI ask of the store. Every time bound is epoch ms,
// every parameter is bound server-side ({name:Type}), never spliced into SQL.
import type { Alert, AlertName, AlertState, Severity } from "../core/alert.js";
import type { ProbeResult, ProbeStatus } from "../core/probe-result.js";
import type { RelayEdge, RelayState } from "../core/relay-edge.js";
import type { Region, TrackId } from "../core/region.js";
import type { Store } from "./store.js";

/** 64-bit integers may arrive quoted in JSON output, depending on server settings. */
type Num = number | string;

export interface PairSummary {
  src: Region;
  dst: Region;
  windows: number;
  okWindows: number;
  lastStatus: ProbeStatus;
  lastReason: string;
  lastTs: number;
  sent: number;
  lost: number;
  lossRatio: number;
  /** Median of the windows' p50 one-way latency; null when no window measured any. */
  latencyP50Ms: number | null;
  /** Worst window p95 latency. */
  latencyP95Ms: number | null;
}

interface PairRow {
  src: string;
  dst: string;
  windows: Num;
  ok_windows: Num;
  last_status: string;
  last_reason: string;
  last_ts: Num;
  sent: Num;
  lost: Num;
  latency_p50_ms: Num | null;
  latency_p95_ms: Num | null;
}

/** The src×dst matrix over the `windowMs` milliseconds before `now`. */
export async function pairMatrix(store: Store, opts: { now: number; windowMs: number }): Promise<PairSummary[]> {
  const rows = await store.query<PairRow>(
    `SELECT src, dst, count() AS windows, countIf(status = 'ok') AS ok_windows,
            argMax(status, ts) AS last_status, argMax(reason, ts) AS last_reason,
            toUnixTimestamp64Milli(max(ts)) AS last_ts,
            sum(sent) AS sent, sum(lost) AS lost,
            quantileOrNull(0.5)(latency_p50_ms) AS latency_p50_ms,
            maxOrNull(latency_p95_ms) AS latency_p95_ms
     FROM ${store.database}.probe_results
     WHERE ts > fromUnixTimestamp64Milli({from:Int64}) AND ts <= fromUnixTimestamp64Milli({to:Int64})
     GROUP BY src, dst
     ORDER BY src, dst`,
    { from: opts.now - opts.windowMs, to: opts.now },
  );
  return rows.map((r) => {
    const sent = Number(r.sent);
    const lost = Number(r.lost);
    return {
      src: r.src,
      dst: r.dst,
      windows: Number(r.windows),
      okWindows: Number(r.ok_windows),
      lastStatus: r.last_status as ProbeStatus,
      lastReason: r.last_reason,
      lastTs: Number(r.last_ts),
      sent,
      lost,
      lossRatio: sent === 0 ? 0 : lost / sent,
      latencyP50Ms: nullableNumber(r.latency_p50_ms),
      latencyP95Ms: nullableNumber(r.latency_p95_ms),
    };
  });
}

interface ProbeRow {
  ts_ms: Num;
  window_ms: Num;
  src: string;
  dst: string;
  track: string;
  status: string;
  reason: string;
  sent: Num;
  received: Num;
  lost: Num;
  duplicates: Num;
  reordered: Num;
  jitter_ms: Num;
  latency_p50_ms: Num | null;
  latency_p95_ms: Num | null;
  ttfp_ms: Num | null;
  setup_ms: Num | null;
  relay_path: string[];
  via?: string;
}

/** One pair's windows in [from, to], newest first. */
export async function pairHistory(
  store: Store,
  opts: { src: Region; dst: Region; from: number; to: number; limit?: number },
): Promise<ProbeResult[]> {
  const rows = await store.query<ProbeRow>(
    `SELECT toUnixTimestamp64Milli(ts) AS ts_ms, * EXCEPT ts
     FROM ${store.database}.probe_results
     WHERE src = {src:String} AND dst = {dst:String}
       AND ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts <= fromUnixTimestamp64Milli({to:Int64})
     ORDER BY ts_ms DESC
     LIMIT {limit:UInt32}`,
    { src: opts.src, dst: opts.dst, from: opts.from, to: opts.to, limit: opts.limit ?? 1000 },
  );
  return rows.map((r) => ({
    ts: Number(r.ts_ms),
    windowMs: Number(r.window_ms),
    src: r.src,
    dst: r.dst,
    track: r.track,
    status: r.status as ProbeStatus,
    reason: r.reason,
    sent: Number(r.sent),
    received: Number(r.received),
    lost: Number(r.lost),
    duplicates: Number(r.duplicates),
    reordered: Number(r.reordered),
    jitterMs: Number(r.jitter_ms),
    latencyP50Ms: nullableNumber(r.latency_p50_ms),
    latencyP95Ms: nullableNumber(r.latency_p95_ms),
    ttfpMs: nullableNumber(r.ttfp_ms),
    setupMs: nullableNumber(r.setup_ms),
    relayPath: r.relay_path,
    ...(r.via === "turn" ? { via: "turn" as const } : {}),
  }));
}

interface AlertRow {
  fingerprint: string;
  last_name: string;
  last_state: string;
  last_severity: string;
  last_labels: Record<string, string>;
  last_summary: string;
  last_evidence: string;
  starts_ms: Num;
  ends_ms: Num | null;
  updated_ms: Num;
}

/**
 * Alerts active at any moment in [from, to]: each fingerprint's latest state as of `to`,
 * kept when it started before `to` and had not ended before `from`.
 */
export async function alertsInRange(store: Store, opts: { from: number; to: number }): Promise<Alert[]> {
  const rows = await store.query<AlertRow>(
    `SELECT * FROM (
       SELECT fingerprint,
              argMax(tuple(name, state, severity, labels, summary, evidence, ends_at), ts) AS latest,
              latest.1 AS last_name, latest.2 AS last_state, latest.3 AS last_severity,
              latest.4 AS last_labels, latest.5 AS last_summary, latest.6 AS last_evidence,
              toUnixTimestamp64Milli(latest.7) AS ends_ms,
              toUnixTimestamp64Milli(min(starts_at)) AS starts_ms,
              toUnixTimestamp64Milli(max(ts)) AS updated_ms
       FROM ${store.database}.alerts
       WHERE ts <= fromUnixTimestamp64Milli({to:Int64})
       GROUP BY fingerprint)
     WHERE starts_ms <= {to:Int64} AND (last_state = 'firing' OR ends_ms >= {from:Int64})
     ORDER BY starts_ms, fingerprint`,
    { from: opts.from, to: opts.to },
  );
  return rows.map((r) => ({
    fingerprint: r.fingerprint,
    name: r.last_name as AlertName,
    state: r.last_state as AlertState,
    severity: r.last_severity as Severity,
    labels: r.last_labels,
    summary: r.last_summary,
    evidence: parseEvidence(r.last_evidence),
    startsAt: Number(r.starts_ms),
    endsAt: r.last_state === "resolved" ? nullableNumber(r.ends_ms) : null,
    updatedAt: Number(r.updated_ms),
  }));
}

interface EdgeRow {
  ts_ms: Num;
  region: string;
  last_upstream: string;
  last_origin: string;
  last_state: string;
  last_path: string[];
  last_packets: Num;
  last_bytes: Num;
  last_kind: string;
}

/** Each region's latest edge for `track` at or before `at`. */
export async function relayEdgesAt(store: Store, opts: { track: TrackId; at: number }): Promise<RelayEdge[]> {
  const rows = await store.query<EdgeRow>(
    `SELECT region,
            argMax(tuple(upstream, origin, state, path, packets, bytes, kind), ts) AS latest,
            toUnixTimestamp64Milli(max(ts)) AS ts_ms,
            latest.1 AS last_upstream, latest.2 AS last_origin, latest.3 AS last_state, latest.4 AS last_path,
            latest.5 AS last_packets, latest.6 AS last_bytes, latest.7 AS last_kind
     FROM ${store.database}.relay_edges
     WHERE track = {track:String} AND ts <= fromUnixTimestamp64Milli({at:Int64})
     GROUP BY region
     ORDER BY region`,
    { track: opts.track, at: opts.at },
  );
  return rows.map((r) => ({
    ts: Number(r.ts_ms),
    track: opts.track,
    region: r.region,
    upstream: r.last_upstream === "" ? null : r.last_upstream,
    origin: r.last_origin === "" ? null : r.last_origin,
    state: r.last_state as RelayState,
    path: r.last_path,
    packets: Number(r.last_packets),
    bytes: Number(r.last_bytes),
    kind: r.last_kind === "change" ? "change" : "snapshot",
  }));
}

export async function tableCounts(store: Store): Promise<Record<string, number>> {
  const rows = await store.query<{ name: string; rows: Num }>(
    `SELECT name, total_rows AS rows FROM system.tables WHERE database = {db:String} AND engine NOT IN ('MaterializedView', 'Distributed') ORDER BY name`,
    { db: store.database },
  );
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.rows)]));
}

function nullableNumber(v: Num | null): number | null {
  return v === null ? null : Number(v);
}

function parseEvidence(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { raw: text };
  }
}

/** One probe window's identity: its pair and end time (what makes a re-sent result a duplicate). */
export interface ProbeResultKey {
  src: Region;
  dst: Region;
  ts: number;
}

/** The identities of the probe windows that end at or after `from` (epoch ms). */
export async function probeResultKeysSince(store: Store, from: number): Promise<ProbeResultKey[]> {
  const rows = await store.query<{ src: string; dst: string; ts: Num }>(
    `SELECT src, dst, toUnixTimestamp64Milli(ts) AS ts
     FROM ${store.database}.probe_results
     WHERE ts >= fromUnixTimestamp64Milli({from:Int64})`,
    { from },
  );
  return rows.map((r) => ({ src: r.src, dst: r.dst, ts: Number(r.ts) }));
}
