// The peer table: one row per peer region with its smoothed RTT and whether it is
// reachable, fed by heartbeat results. The locator reads RTTs from it, telemetry exports
// it (`relaywatch_sfu_peer_rtt_seconds`, `relaywatch_sfu_peer_reachable`).
//
//   emptyPeerTable(peers) → PeerTable
//   recordHeartbeat(table, peer, result, now) → PeerTable
//   applyRound(table, results, now) → PeerTable        one heartbeat round at once
//   measuredRtts(table) → Map<Region, number>          reachable peers with an RTT
//
// Pure: no I/O, no timers; heartbeats are sent elsewhere and their results passed in.
import type { Region } from "../../core/region.js";

/**
 * 1/8: the SRTT gain of TCP's RTT estimator (RFC 6298 §2.3). Smooth enough that one
 * delayed heartbeat does not reorder the locator's candidates, quick enough (≈ 8 rounds)
 * to follow a real route change.
 */
export const RTT_EWMA_ALPHA = 1 / 8;

/**
 * 3 consecutive misses (3 s at the 1 s default interval): one lost exchange is normal on
 * a WAN; BFD's usual detect multiplier is 3 as well (RFC 5880 §6.8.1). The isolation
 * policy does its own, longer reasoning over whole rounds; this flag is for the locator
 * and the metrics.
 */
export const MISSES_BEFORE_UNREACHABLE = 3;

export type HeartbeatResult = { ok: true; rttMs: number } | { ok: false };

export interface PeerRow {
  /** Smoothed RTT, null before the first answer. Kept while unreachable, for display. */
  rttMs: number | null;
  lastRttMs: number | null;
  reachable: boolean;
  /** Consecutive heartbeats without an answer. */
  misses: number;
  lastAnswerAt: number | null;
  /** When `reachable` last changed (or the row was created). */
  since: number;
}

export type PeerTable = ReadonlyMap<Region, PeerRow>;

export interface PeerTableOptions {
  alpha?: number;
  missesBeforeUnreachable?: number;
}

/** Every peer starts unreachable: nothing has been heard from it yet. */
export function emptyPeerTable(peers: Iterable<Region>, now: number): PeerTable {
  const out = new Map<Region, PeerRow>();
  for (const p of peers) out.set(p, newRow(now));
  return out;
}

export function recordHeartbeat(
  table: PeerTable,
  peer: Region,
  result: HeartbeatResult,
  now: number,
  opts: PeerTableOptions = {},
): PeerTable {
  const out = new Map(table);
  out.set(peer, nextRow(table.get(peer) ?? newRow(now), result, now, opts));
  return out;
}

/** Applies one round: every peer in `results`; peers not in the table are added. */
export function applyRound(
  table: PeerTable,
  results: ReadonlyMap<Region, HeartbeatResult>,
  now: number,
  opts: PeerTableOptions = {},
): PeerTable {
  const out = new Map(table);
  for (const [peer, result] of results) out.set(peer, nextRow(table.get(peer) ?? newRow(now), result, now, opts));
  return out;
}

/** RTTs the locator may use: reachable peers that have answered at least once. */
export function measuredRtts(table: PeerTable): Map<Region, number> {
  const out = new Map<Region, number>();
  for (const [peer, row] of table) if (row.reachable && row.rttMs !== null) out.set(peer, row.rttMs);
  return out;
}

export function reachablePeers(table: PeerTable): Region[] {
  return [...table].filter(([, row]) => row.reachable).map(([peer]) => peer).sort();
}

function nextRow(row: PeerRow, result: HeartbeatResult, now: number, opts: PeerTableOptions): PeerRow {
  if (!result.ok) {
    const misses = row.misses + 1;
    const reachable = row.reachable && misses < (opts.missesBeforeUnreachable ?? MISSES_BEFORE_UNREACHABLE);
    return { ...row, misses, reachable, since: reachable === row.reachable ? row.since : now };
  }
  const rtt = Math.max(0, result.rttMs);
  const alpha = opts.alpha ?? RTT_EWMA_ALPHA;
  // After an outage the route may have changed: start the average again (RFC 6298 §2.2 does the same on the first sample).
  const rttMs = row.rttMs === null || !row.reachable ? rtt : row.rttMs + alpha * (rtt - row.rttMs);
  return { rttMs, lastRttMs: rtt, reachable: true, misses: 0, lastAnswerAt: now, since: row.reachable ? row.since : now };
}

function newRow(now: number): PeerRow {
  return { rttMs: null, lastRttMs: null, reachable: false, misses: 0, lastAnswerAt: null, since: now };
}
