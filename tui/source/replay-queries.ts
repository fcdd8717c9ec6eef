// The store questions only replay asks: the matrix, region health and relay edges as they
// stood at a past moment, shaped like the analyzer's live API so the views cannot tell the
// difference. Parameters are bound server-side, never spliced into SQL.
import type { PairCell, RegionView, TrackGraph, TrackNode } from "../../core/analyzer-api.js";
import { findCycle } from "../../core/cycle.js";
import type { ProbeStatus } from "../../core/probe-result.js";
import { PROBE_STATUSES } from "../../core/probe-result.js";
import type { RelayState } from "../../core/relay-edge.js";
import { RELAY_STATES } from "../../core/relay-edge.js";
import { relayEdgesAt } from "../../store/queries.js";
import type { Store } from "../../store/store.js";
import type { TrackSummary } from "../model/graph-model.js";

type Num = number | string;

/** 30 windows of 1 s: the same span the live matrix's `recent` strip covers. */
export const MATRIX_LOOKBACK_MS = 30_000;
/** Region state changes this far back make up the isolation history. */
const HISTORY_LOOKBACK_MS = 6 * 3_600_000;
const HISTORY_MAX = 50;
/** An edge not reported for this long before the position is gone, not "current". */
const EDGE_LOOKBACK_MS = 5 * 60_000;
/** Packets/s is the counter's slope over this span before the position. */
const RATE_SPAN_MS = 5_000;

interface MatrixRow {
  src: string;
  dst: string;
  last: [string, string, Num | null, Num, Num, Num, string[]];
  last_ts: Num;
  recent: string[];
}

export async function matrixAt(store: Store, at: number): Promise<PairCell[]> {
  const rows = await store.query<MatrixRow>(
    `SELECT src, dst,
            argMax(tuple(status, reason, latency_p50_ms, jitter_ms, sent, lost, relay_path), ts) AS last,
            toUnixTimestamp64Milli(max(ts)) AS last_ts,
            arrayMap(x -> x.2, arraySort(x -> x.1, groupArray((ts, status)))) AS recent
     FROM ${store.database}.probe_results
     WHERE ts > fromUnixTimestamp64Milli({from:Int64}) AND ts <= fromUnixTimestamp64Milli({to:Int64})
     GROUP BY src, dst ORDER BY src, dst`,
    { from: at - MATRIX_LOOKBACK_MS, to: at },
  );
  return rows.map((r) => {
    const [status, reason, p50, jitter, sent, lost, path] = r.last;
    return {
      src: r.src,
      dst: r.dst,
      status: probeStatus(status),
      reason,
      latencyP50Ms: p50 === null ? null : Number(p50),
      lossRatio: Number(sent) === 0 ? 0 : Math.min(1, Number(lost) / Number(sent)),
      jitterMs: Number(jitter),
      relayPath: path,
      recent: r.recent.slice(-30).map(probeStatus),
      updatedAt: Number(r.last_ts),
    };
  });
}

interface HealthRow {
  region: string;
  ts_ms: Num;
  state: string;
  isolation: string;
  reachable_peers: Num;
  total_peers: Num;
  event_loop_lag_ms: Num;
  reason: string;
  changed: Num;
}

/**
 * Each region's health row at `at` and its state changes before it. The store keeps peer
 * counts, not per-peer rows, so `peers` is empty and the counts go into the reason.
 */
export async function regionsAt(store: Store, at: number): Promise<RegionView[]> {
  const rows = await store.query<HealthRow>(
    `SELECT region, ts_ms, state, isolation, reachable_peers, total_peers, event_loop_lag_ms, reason,
            (state != prev_state) AS changed
     FROM (
       SELECT region, toUnixTimestamp64Milli(ts) AS ts_ms, state, isolation, reachable_peers, total_peers,
              event_loop_lag_ms, reason,
              lagInFrame(state, 1, '') OVER (PARTITION BY region ORDER BY ts ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS prev_state,
              row_number() OVER (PARTITION BY region ORDER BY ts DESC) AS newest
       FROM ${store.database}.region_health
       WHERE ts > fromUnixTimestamp64Milli({from:Int64}) AND ts <= fromUnixTimestamp64Milli({to:Int64}))
     WHERE changed OR newest = 1
     ORDER BY region, ts_ms`,
    { from: at - HISTORY_LOOKBACK_MS, to: at },
  );
  const byRegion = new Map<string, HealthRow[]>();
  for (const r of rows) byRegion.set(r.region, [...(byRegion.get(r.region) ?? []), r]);
  return [...byRegion.entries()].map(([region, list]) => {
    const last = list[list.length - 1] ?? list[0];
    const changes = list.filter((r) => Number(r.changed) === 1);
    const since = changes.length > 0 ? Number(changes[changes.length - 1]?.ts_ms) : Number(last?.ts_ms ?? at);
    const peers = `${Number(last?.reachable_peers ?? 0)}/${Number(last?.total_peers ?? 0)} peers reachable`;
    return {
      region,
      connected: true,
      lastEventAt: Number(last?.ts_ms ?? at),
      status: {
        state: last?.state === "offline" ? "offline" : "online",
        isolation: last?.isolation === "naive" ? "naive" : "guarded",
        reason: [last?.reason ?? "", peers].filter((s) => s !== "").join("; "),
        since,
        eventLoopLagMs: Number(last?.event_loop_lag_ms ?? 0),
      },
      behaviours: last?.isolation === "naive" ? ["isolation=naive"] : [],
      peers: [],
      history: changes.slice(-HISTORY_MAX).map((r) => ({ at: Number(r.ts_ms), state: r.state, reason: r.reason })),
      tracks: 0,
    };
  });
}

interface EdgeSummaryRow {
  track: string;
  region: string;
  up: string;
  origin: string;
  state: string;
}

/** Tracks with a live edge in the EDGE_LOOKBACK_MS before `at`, with their loop flag. */
export async function tracksAt(store: Store, at: number): Promise<TrackSummary[]> {
  const rows = await store.query<EdgeSummaryRow>(
    `SELECT track, region, l.1 AS up, l.2 AS origin, l.3 AS state
     FROM (SELECT track, region, argMax(tuple(upstream, origin, state), ts) AS l
           FROM ${store.database}.relay_edges
           WHERE ts > fromUnixTimestamp64Milli({from:Int64}) AND ts <= fromUnixTimestamp64Milli({to:Int64})
           GROUP BY track, region)
     ORDER BY track, region`,
    { from: at - EDGE_LOOKBACK_MS, to: at },
  );
  const byTrack = new Map<string, EdgeSummaryRow[]>();
  for (const r of rows) if (r.state !== "closed") byTrack.set(r.track, [...(byTrack.get(r.track) ?? []), r]);
  return [...byTrack.entries()].map(([track, edges]) => ({
    track,
    origin: edges.find((e) => e.origin !== "")?.origin ?? null,
    regions: edges.length,
    cycle: findCycle(edges.map((e) => [e.region, e.up === "" ? null : e.up] as const)) !== null,
  }));
}

/** The relay graph of `track` at `at`: latest edge per region, packets/s from the counters' slope. */
export async function graphAt(store: Store, track: string, at: number): Promise<TrackGraph> {
  const [now, before] = await Promise.all([relayEdgesAt(store, { track, at }), relayEdgesAt(store, { track, at: at - RATE_SPAN_MS })]);
  const prev = new Map(before.map((e) => [e.region, e]));
  const nodes: TrackNode[] = now
    .filter((e) => e.state !== "closed" && at - e.ts <= EDGE_LOOKBACK_MS)
    .map((e) => {
      const p = prev.get(e.region);
      const dt = p === undefined ? 0 : e.ts - p.ts;
      const pps = p === undefined || dt <= 0 || e.packets < p.packets ? 0 : ((e.packets - p.packets) * 1000) / dt;
      return { region: e.region, upstream: e.upstream, state: relayState(e.state), packetsPerSec: pps, subscribers: 0, local: e.upstream === null && e.origin === e.region };
    });
  const origin = now.find((e) => e.origin !== null)?.origin ?? null;
  return { ts: at, track, origin, nodes, cycle: findCycle(nodes.map((n) => [n.region, n.upstream] as const)) };
}

function probeStatus(s: string): ProbeStatus {
  return (PROBE_STATUSES as readonly string[]).includes(s) ? (s as ProbeStatus) : "http_error";
}

function relayState(s: string): RelayState {
  return (RELAY_STATES as readonly string[]).includes(s) ? (s as RelayState) : "failed";
}
