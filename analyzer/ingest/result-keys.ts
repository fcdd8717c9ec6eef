// The probe windows the analyzer has taken in, by identity (pair + window end), for as long
// as a copy of one could still be admitted (the skew window): a re-sent batch — a retry
// whose answer was lost, or an agent replaying its spool after a restart — is recognised
// result by result, whatever batch it comes in. Bounded: entries older than the horizon are
// swept, and past MAX_RESULT_KEYS the ingest refuses new results instead of growing.
import type { ProbeResult } from "../../core/probe-result.js";

/**
 * 500,000 keys (~60 MB at worst): 10 regions (90 pairs) at 1 s windows over the default
 * 10.5 min horizon hold ~57,000; the margin covers shorter windows and more regions.
 */
export const MAX_RESULT_KEYS = 500_000;
/** 10 s between sweeps: each is O(keys), so they stay rare; the horizon is minutes. */
const SWEEP_INTERVAL_MS = 10_000;

export function resultKey(r: Pick<ProbeResult, "src" | "dst" | "ts">): string {
  return `${r.src}>${r.dst}@${r.ts}`;
}

export class ResultKeys {
  private readonly keys = new Map<string, number>();
  private readonly horizonMs: number;
  private readonly max: number;
  private lastSweep = Number.NEGATIVE_INFINITY;

  /** `horizonMs`: how far behind now a result can still be admitted (plus the ahead margin). */
  constructor(horizonMs: number, max = MAX_RESULT_KEYS) {
    this.horizonMs = horizonMs;
    this.max = max;
  }

  get size(): number {
    return this.keys.size;
  }

  has(r: Pick<ProbeResult, "src" | "dst" | "ts">): boolean {
    return this.keys.has(resultKey(r));
  }

  /** Whether `n` more keys fit (after sweeping what is past the horizon). */
  room(n: number, now: number): boolean {
    this.sweep(now, this.keys.size + n > this.max);
    return this.keys.size + n <= this.max;
  }

  add(r: Pick<ProbeResult, "src" | "dst" | "ts">): void {
    this.keys.set(resultKey(r), r.ts);
  }

  delete(r: Pick<ProbeResult, "src" | "dst" | "ts">): void {
    this.keys.delete(resultKey(r));
  }

  private sweep(now: number, force: boolean): void {
    if (!force && now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    const oldest = now - this.horizonMs;
    for (const [k, ts] of this.keys) if (ts < oldest) this.keys.delete(k);
  }
}
