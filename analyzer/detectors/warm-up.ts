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

export class WarmUp {
  /** Subjects never healthy since they appeared: key → when they appeared. */
  private readonly appeared = new Map<string, number>();
  private readonly healthy = new Set<string>();
  readonly graceMs: number;

  constructor(graceMs = WARM_UP_GRACE_MS) {
    this.graceMs = graceMs;
  }

  /** The subject exists as of `now` (its clock starts at the first call). */
  seen(key: string, now: number): void {
    if (!this.healthy.has(key) && !this.appeared.has(key)) this.appeared.set(key, now);
  }

  /** The subject was healthy: it is never `starting` again. */
  markHealthy(key: string): void {
    if (this.healthy.has(key)) return;
    this.healthy.add(key);
    this.appeared.delete(key);
  }

  /** When a never-healthy subject's grace ends; undefined once it was healthy (or unknown). */
  notBefore(key: string): number | undefined {
    const at = this.appeared.get(key);
    return at === undefined ? undefined : at + this.graceMs;
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
