// What an incident write-up reads from the store (analyzer/incidents): every alert state
// change in a range (with whether it was muted), and per probe pair how much media failed.
import type { Store } from "./store.js";

type Num = number | string;

export interface AlertChange {
  ts: number;
  fingerprint: string;
  name: string;
  state: "firing" | "resolved";
  severity: string;
  labels: Record<string, string>;
  summary: string;
  /** Muted by the alert that explains it (evidence.inhibitedBy): it paged no one. */
  muted: boolean;
  startsAt: number;
}

/** Every alert row (state change) in [from, to], oldest first. */
export async function alertChanges(store: Store, opts: { from: number; to: number }): Promise<AlertChange[]> {
  const rows = await store.query<{ ts_ms: Num; fingerprint: string; name: string; state: string; severity: string; labels: Record<string, string>; summary: string; muted: Num; starts_ms: Num }>(
    `SELECT toUnixTimestamp64Milli(ts) AS ts_ms, fingerprint, name, state, severity, labels, summary,
            JSONHas(evidence, 'inhibitedBy') AS muted, toUnixTimestamp64Milli(starts_at) AS starts_ms
     FROM ${store.database}.alerts
     WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts <= fromUnixTimestamp64Milli({to:Int64})
     ORDER BY ts, fingerprint`,
    { from: opts.from, to: opts.to },
  );
  return rows.map((r) => ({
    ts: Number(r.ts_ms), fingerprint: r.fingerprint, name: r.name, state: r.state === "resolved" ? "resolved" : "firing", severity: r.severity,
    labels: r.labels, summary: r.summary, muted: Number(r.muted) === 1, startsAt: Number(r.starts_ms),
  }));
}

/** A probe pair's failed media in a range: windows neither ok nor degraded. */
export interface PairFailure {
  src: string;
  dst: string;
  windows: number;
  failedWindows: number;
  failedMs: number;
  firstFailedAt: number | null;
  lastFailedAt: number | null;
  /** The end of the last failed window (its ts + window): media is back after it. */
  recoveredAt: number | null;
}

export async function pairFailures(store: Store, opts: { from: number; to: number }): Promise<PairFailure[]> {
  const rows = await store.query<{ src: string; dst: string; windows: Num; failed: Num; failed_ms: Num; first_ms: Num; last_ms: Num; recovered_ms: Num }>(
    `SELECT src, dst, count() AS windows,
            countIf(status NOT IN ('ok', 'degraded')) AS failed,
            sumIf(window_ms, status NOT IN ('ok', 'degraded')) AS failed_ms,
            toUnixTimestamp64Milli(minIf(ts, status NOT IN ('ok', 'degraded'))) AS first_ms,
            toUnixTimestamp64Milli(maxIf(ts, status NOT IN ('ok', 'degraded'))) AS last_ms,
            maxIf(toUnixTimestamp64Milli(ts) + window_ms, status NOT IN ('ok', 'degraded')) AS recovered_ms
     FROM ${store.database}.probe_results
     WHERE ts >= fromUnixTimestamp64Milli({from:Int64}) AND ts <= fromUnixTimestamp64Milli({to:Int64})
     GROUP BY src, dst
     ORDER BY src, dst`,
    { from: opts.from, to: opts.to },
  );
  return rows.map((r) => {
    const failed = Number(r.failed);
    return {
      src: r.src, dst: r.dst, windows: Number(r.windows), failedWindows: failed, failedMs: Number(r.failed_ms),
      firstFailedAt: failed === 0 ? null : Number(r.first_ms), lastFailedAt: failed === 0 ? null : Number(r.last_ms), recoveredAt: failed === 0 ? null : Number(r.recovered_ms),
    };
  });
}
