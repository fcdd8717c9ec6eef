// Warm-up is not an incident. A subject — a probe pair, a relayed copy of a track, a region —
// that has never been healthy since it appeared is `starting`: relays are being set up, a
// region's API is still coming up. For WARM_UP_GRACE_MS after it appeared its alerts stay
// pending (Finding.notBefore); if it is still not healthy then, it alerts as usual. Once
// healthy, it is never `starting` again: a later failure alerts at once.
// Pure bookkeeping, time passed in; it never decides an alert by itself.
import type { RelayNode } from "../graph/relay-graph.js";

/**
 * 30 s: a `relaywatch up` on an idle machine has every region listening within ~5 s and
 * every pair delivering media within ~10–15 s (relays set up for the first probe tracks;
 * the scenario runner's settle phase measures the same); on a loaded 2-core machine that
 * stretched to ~25 s. 30 s covers it, and a region or pair that never comes up still
 * alerts half a minute after it appeared. Configurable (thresholds.gracePeriod).
 */
export const WARM_UP_GRACE_MS = 30_000;

/**
 * 3 windows: a probe pair is healthy once it has delivered media (ok or degraded) in three
 * windows in a row — one whole detection window of the k-of-n rule (n = 3), so no alert
 * decision can rest on its setup transients. Measured on `relaywatch up`: a pair's first
 * media window often carries the queue built up while its relays were being set up (p95
 * 800 ms, p50 280 ms on a 75 ms path), which alone made RelayLatencyHigh and, with the
 * setup errors before it, ProbePairFailing fire for a second or two.
 */
export const SETTLED_WINDOWS = 3;

export class WarmUp {
  /** When each subject appeared (kept after it became healthy: episodes are dated against it). */
  private readonly appeared = new Map<string, number>();
  /** When each subject first became healthy, on the clock its episodes are dated with (a pair's: window ts). */
  private readonly healthyAt = new Map<string, number>();
  /** Media windows in a row of pairs that are not healthy yet. */
  private readonly streak = new Map<string, number>();
  readonly graceMs: number;
  readonly settledWindows: number;

  constructor(graceMs = WARM_UP_GRACE_MS, settledWindows = SETTLED_WINDOWS) {
    this.graceMs = graceMs;
    this.settledWindows = settledWindows;
  }

  /** The subject exists as of `now` (its clock starts at the first call). */
  seen(key: string, now: number): void {
    if (!this.appeared.has(key)) this.appeared.set(key, now);
  }

  /** The subject was healthy (as of `at`, default now): it is never `starting` again. */
  markHealthy(key: string, now: number, at = now): void {
    this.seen(key, now);
    if (this.healthyAt.has(key)) return;
    this.healthyAt.set(key, at);
    this.streak.delete(key);
  }

  /**
   * One probe window of a pair (ending at `windowTs`): healthy after SETTLED_WINDOWS windows
   * of media in a row. True when this window made it healthy.
   */
  window(key: string, deliveredMedia: boolean, now: number, windowTs: number): boolean {
    this.seen(key, now);
    if (this.healthyAt.has(key)) return false;
    const n = deliveredMedia ? (this.streak.get(key) ?? 0) + 1 : 0;
    if (n < this.settledWindows) {
      this.streak.set(key, n);
      return false;
    }
    this.markHealthy(key, now, windowTs);
    return true;
  }

  /**
   * The next media window of this pair would be its first since it appeared or since its
   * last window without media, and it is not healthy yet: that window carries the queue
   * built while its relays were set up, so its latency is not evidence.
   */
  awaitingMedia(key: string): boolean {
    return !this.healthyAt.has(key) && (this.streak.get(key) ?? 0) === 0;
  }

  /** When a never-healthy subject's grace ends; undefined once it was healthy (or unknown). */
  notBefore(key: string): number | undefined {
    if (this.healthyAt.has(key)) return undefined;
    const at = this.appeared.get(key);
    return at === undefined ? undefined : at + this.graceMs;
  }

  /**
   * When an episode (failing since `since`) may alert: an episode that began before the
   * subject was first healthy is part of its warm-up, so it waits for the grace like the
   * subject would have; one that began after alerts at once.
   */
  episodeNotBefore(key: string, since: number | null): number | undefined {
    const healthy = this.healthyAt.get(key);
    const at = this.appeared.get(key);
    if (healthy === undefined || at === undefined) return this.notBefore(key);
    return since !== null && since < healthy ? at + this.graceMs : undefined;
  }

  /** Never healthy since it appeared, and within the grace period. */
  starting(key: string, now: number): boolean {
    const nb = this.notBefore(key);
    return nb !== undefined && now < nb;
  }
}

/** A relayed copy is healthy once it has received a packet; until then its grace runs from its first sighting. */
export function copyNotBefore(node: RelayNode, graceMs: number): number | undefined {
  return node.lastPacketAt === null ? node.firstSeenAt + graceMs : undefined;
}
