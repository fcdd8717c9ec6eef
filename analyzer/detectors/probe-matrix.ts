// The probe matrix: per ordered region pair (src→dst), the recent windows as probe agents
// reported them, in arrival order. record() is O(recent) at worst and says whether the
// pair's k-of-n verdicts flipped, so the matrix-wide localisation runs only when something
// actually changed. A window counts once (a repeat of a recent window's time is ignored),
// and one window is one vote whatever its timestamp: a result stamped in the future can
// neither freeze a pair (later windows still count) nor outvote the windows after it.
import type { ProbeResult, ProbeStatus } from "../../core/probe-result.js";
import type { Region } from "../../core/region.js";

/** Statuses that count as a failed window. `degraded` still delivers media: not a failure. */
export const FAILING_STATUSES: ReadonlySet<ProbeStatus> = new Set(["no_media", "setup_failed", "http_error", "timeout", "region_offline"]);

/** 60 windows: a minute of sparkline at the default 1 s window. */
export const RECENT_WINDOWS = 60;

export interface KOfN {
  /** Failing windows needed… */
  k: number;
  /** …among the last n (DESIGN default 2 of 3: one lost window is noise, two are a problem). */
  n: number;
}

export interface PairState {
  src: Region;
  dst: Region;
  /** Oldest first, at most RECENT_WINDOWS. */
  recent: ProbeStatus[];
  /** p50 latency of the recent windows (null when none measured), oldest first. */
  latency: (number | null)[];
  /** End times of the recent windows, oldest first: a repeated window is recognised by its time. */
  times: number[];
  last: ProbeResult;
  failing: boolean;
  slow: boolean;
  /** When the pair last started failing (result time). */
  failingSince: number | null;
  /**
   * The last ok window that went through both regions: its relay path (when the SFU reports
   * one) starts at src and ends at dst. A window measured while an agent had failed over to
   * another region's SFU (probes/failover.ts) is ok for the pair, but it reached neither
   * region's SFU, so it witnesses nothing about them.
   */
  lastOkAt: number | null;
}

export interface RecordOutcome {
  pair: PairState;
  failingChanged: boolean;
  slowChanged: boolean;
}

export function pairKey(src: Region, dst: Region): string {
  return `${src}>${dst}`;
}

/** Whether a window's relay path (when reported) starts at its src region and ends at its dst. */
export function throughEndpoints(r: Pick<ProbeResult, "src" | "dst" | "relayPath">): boolean {
  return r.relayPath.length === 0 || (r.relayPath[0] === r.src && r.relayPath.at(-1) === r.dst);
}

export class ProbeMatrix {
  private readonly pairs = new Map<string, PairState>();
  private readonly regionSet = new Set<Region>();

  private readonly rule: KOfN;
  private readonly latencyThresholdMs: number;

  constructor(rule: KOfN, latencyThresholdMs: number) {
    this.rule = rule;
    this.latencyThresholdMs = latencyThresholdMs;
  }

  /**
   * Folds one window in; a window already among the recent ones (a retried batch) is ignored.
   * `countLatency: false` keeps the window's latency out of RelayLatencyHigh (a pair's first
   * media window, which carries its setup queue: warm-up.ts).
   */
  record(r: ProbeResult, countLatency = true): RecordOutcome | null {
    const key = pairKey(r.src, r.dst);
    let p = this.pairs.get(key);
    if (p !== undefined && p.times.includes(r.ts)) return null;
    if (p === undefined) {
      p = { src: r.src, dst: r.dst, recent: [], latency: [], times: [], last: r, failing: false, slow: false, failingSince: null, lastOkAt: null };
      this.pairs.set(key, p);
      this.regionSet.add(r.src);
      this.regionSet.add(r.dst);
    }
    p.last = r;
    p.recent.push(r.status);
    p.latency.push(countLatency ? r.latencyP50Ms : null);
    p.times.push(r.ts);
    if (p.recent.length > RECENT_WINDOWS) {
      p.recent.shift();
      p.latency.shift();
      p.times.shift();
    }
    if (!FAILING_STATUSES.has(r.status) && throughEndpoints(r)) p.lastOkAt = Math.max(p.lastOkAt ?? r.ts, r.ts);
    const failing = countLast(p.recent, this.rule.n, (s) => FAILING_STATUSES.has(s)) >= this.rule.k;
    const slow = countLast(p.latency, this.rule.n, (l) => l !== null && l > this.latencyThresholdMs) >= this.rule.k;
    const failingChanged = failing !== p.failing;
    const slowChanged = slow !== p.slow;
    if (failingChanged) p.failingSince = failing ? r.ts : null;
    p.failing = failing;
    p.slow = slow;
    return { pair: p, failingChanged, slowChanged };
  }

  pair(src: Region, dst: Region): PairState | undefined {
    return this.pairs.get(pairKey(src, dst));
  }

  allPairs(): IterableIterator<PairState> {
    return this.pairs.values();
  }

  regions(): ReadonlySet<Region> {
    return this.regionSet;
  }

  failingPairs(): PairState[] {
    const out: PairState[] = [];
    for (const p of this.pairs.values()) if (p.failing) out.push(p);
    return out;
  }

  /** Pairs into or out of `region` with an ok window at or after `since`. */
  reachedSince(region: Region, since: number): PairState[] {
    const out: PairState[] = [];
    for (const p of this.pairs.values()) {
      if ((p.src === region || p.dst === region) && p.lastOkAt !== null && p.lastOkAt >= since) out.push(p);
    }
    return out;
  }
}

function countLast<T>(xs: readonly T[], n: number, pred: (x: T) => boolean): number {
  let c = 0;
  for (let i = Math.max(0, xs.length - n); i < xs.length; i++) if (pred(xs[i] as T)) c++;
  return c;
}
