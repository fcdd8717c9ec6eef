// One ordered pair src→dst, seen from dst's agent: keeps a WHEP subscription to src's
// current probe track (rotation.ts), warms up the next rotation's before the boundary,
// retries failures, re-subscribes when media goes silent, and turns each window into one
// ProbeResult. Failures while warming are retried silently (the old track still measures
// the pair); from the boundary on, the new track's fate is what the pair reports.
import type { ProbeResult } from "../core/probe-result.js";
import type { Region } from "../core/region.js";
import { rotationAt, warmingRotation, type RotationSchedule } from "./rotation.js";
import type { Thresholds } from "./stats/classify.js";
import type { PairObservation, SetupFailure } from "./stats/observation.js";
import { buildProbeResult } from "./stats/window-result.js";
import type { PairSubscription } from "./subscription.js";

/**
 * 3 s without a probe packet on a connected subscription → subscribe afresh. Long enough
 * for a relay to fail over (DESIGN: locate falls back to the next candidate), short enough
 * that a session the SFU drained (region offline) is noticed within a few windows.
 */
export const SILENCE_RESUBSCRIBE_MS = 3000;
/** Retry-After beyond 30 s is capped: a probe must keep looking, a region may recover early. */
export const MAX_RETRY_AFTER_MS = 30_000;

export interface PairMonitorOptions {
  src: Region;
  dst: Region;
  schedule: RotationSchedule;
  windowMs: number;
  thresholds: Thresholds;
  subscribe: (src: Region, rotation: number) => PairSubscription;
}

export class PairMonitor {
  readonly src: Region;
  readonly dst: Region;
  private readonly o: PairMonitorOptions;
  private current: PairSubscription | null = null;
  private next: PairSubscription | null = null;
  /** The last failure on the current rotation: reported while a retry is in progress. */
  private lastFailure: SetupFailure | null = null;
  private closed = false;

  constructor(o: PairMonitorOptions) {
    this.src = o.src;
    this.dst = o.dst;
    this.o = o;
  }

  /** Brings subscriptions in line with the rotation schedule at `now`. */
  maintain(now: number): void {
    if (this.closed) return;
    const k = rotationAt(now, this.o.schedule.rotateMs);
    if (this.next !== null && this.next.rotation <= k) {
      void this.current?.close();
      this.current = this.next;
      this.next = null;
      this.current.resetWindow();
      this.lastFailure = this.current.failure;
    }
    if (this.current !== null && this.current.rotation < k) {
      void this.current.close();
      this.current = null;
    }
    if (this.current === null) {
      this.lastFailure = null;
      this.current = this.start(k);
    } else if (this.dueForRetry(this.current, now)) {
      if (this.current.failure !== null) this.lastFailure = this.current.failure;
      void this.current.close();
      this.current = this.start(k);
    }
    const w = warmingRotation(now, this.o.schedule);
    if (w !== null && (this.next === null || this.dueForRetry(this.next, now))) {
      void this.next?.close();
      this.next = this.start(w);
    }
  }

  /** The pair's result for the window ending at `windowEnd`; `agentStallMs`: the agent's own stall in it (stall-meter.ts). */
  observeWindow(windowEnd: number, agentStallMs = 0): ProbeResult {
    const sub = this.current;
    let obs: PairObservation;
    if (sub === null) obs = { phase: "pending", elapsedMs: 0 };
    else {
      obs = sub.observe(windowEnd);
      if (obs.phase === "pending" && this.lastFailure !== null) obs = { phase: "failed", failure: this.lastFailure };
      if (obs.phase === "connected") this.lastFailure = null;
    }
    const rotation = sub?.rotation ?? rotationAt(windowEnd - 1, this.o.schedule.rotateMs);
    return buildProbeResult(
      {
        ts: windowEnd,
        windowMs: this.o.windowMs,
        src: this.src,
        dst: this.dst,
        track: sub?.track ?? `probe/${this.src}.${rotation}`,
        setupMs: sub?.setupMs ?? null,
        ttfpMs: sub?.ttfpMs ?? null,
        relayPath: obs.phase === "connected" ? (sub?.relayPath ?? []) : [],
        agentStallMs,
      },
      obs,
      this.o.thresholds,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const subs = [this.current, this.next];
    this.current = null;
    this.next = null;
    await Promise.all(subs.map((s) => (s === null ? Promise.resolve() : s.close())));
  }

  private start(rotation: number): PairSubscription {
    const sub = this.o.subscribe(this.src, rotation);
    sub.start();
    return sub;
  }

  private dueForRetry(sub: PairSubscription, now: number): boolean {
    if (sub.phase === "failed") {
      const f = sub.failure;
      const wait = f?.kind === "http" && f.retryAfterMs !== null ? Math.min(MAX_RETRY_AFTER_MS, Math.max(this.o.windowMs, f.retryAfterMs)) : this.o.windowMs;
      return now - (sub.failedAtMs ?? now) >= wait;
    }
    if (sub.phase === "connected") {
      const last = sub.stats.lastArrivalMs ?? sub.connectedAtMs ?? now;
      return now - last >= SILENCE_RESUBSCRIBE_MS;
    }
    return false;
  }
}
