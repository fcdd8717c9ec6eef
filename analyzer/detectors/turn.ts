// TurnUnavailable: a region's TURN service fails — its probe agent's TURN allocations are
// refused or unanswered, or media through a relay candidate does not arrive — while direct
// media into the same region still works. Users behind NATs and firewalls that need TURN
// are cut off then, and nothing else shows it: the direct pairs stay green (the 2024-02-07
// incident took down "Regional TURN (US East 1)" too). When direct media into the region
// fails as well, the region itself is the problem and its own alerts say so: no
// TurnUnavailable then. Pure: results in, verdicts and findings out, time passed in.
import type { ProbeResult } from "../../core/probe-result.js";
import type { Region } from "../../core/region.js";
import type { Finding } from "./finding.js";
import { FAILING_STATUSES, type KOfN } from "./probe-matrix.js";

export interface TurnState {
  region: Region;
  /** Failed (true) or not, oldest first, the last n windows. */
  recent: boolean[];
  /** End times of the recent windows: a repeated window is recognised by its time. */
  times: number[];
  last: ProbeResult;
  failing: boolean;
  /** Result time of the first failed window of the current failing episode. */
  failingSince: number | null;
}

/** Per region, the recent TURN windows (results with `via: "turn"`, keyed by the agent's region, dst). */
export class TurnBook {
  private readonly states = new Map<Region, TurnState>();
  private readonly rule: KOfN;

  /** The same k-of-n as probe pairs (DESIGN: 2 of 3 — one lost window is noise, two are a problem). */
  constructor(rule: KOfN) {
    this.rule = rule;
  }

  /** Folds one TURN window in; whether the region's failing verdict flipped. */
  record(r: ProbeResult): boolean {
    const s = this.states.get(r.dst) ?? { region: r.dst, recent: [], times: [], last: r, failing: false, failingSince: null };
    this.states.set(r.dst, s);
    if (s.times.includes(r.ts)) return false;
    const failed = FAILING_STATUSES.has(r.status);
    s.recent.push(failed);
    s.times.push(r.ts);
    if (s.recent.length > this.rule.n) {
      s.recent.shift();
      s.times.shift();
    }
    s.last = r;
    if (failed && s.failingSince === null) s.failingSince = r.ts;
    if (!failed && !s.failing) s.failingSince = null;
    const failing = s.recent.filter(Boolean).length >= this.rule.k;
    const changed = failing !== s.failing;
    s.failing = failing;
    if (!failing && !failed) s.failingSince = null;
    return changed;
  }

  get(region: Region): TurnState | undefined {
    return this.states.get(region);
  }

  all(): IterableIterator<TurnState> {
    return this.states.values();
  }
}

/** What the analyzer knows of direct media into a region: pairs into it that work, and that fail. */
export interface DirectMedia {
  ok: readonly string[];
  failing: readonly string[];
}

/** The TURN error code in a result's reason (`TURN allocation refused: 486 …`), or null. */
export function turnErrorCode(reason: string): number | null {
  const m = /TURN allocation refused: (\d{3})\b/.exec(reason);
  return m?.[1] === undefined ? null : Number(m[1]);
}

/**
 * One TurnUnavailable per region whose TURN windows fail k of n while direct media into it
 * works (some direct pair into it not failing, or none measured: a one-region deployment).
 * `notBefore` keeps a TURN probe that has never worked since it appeared quiet during the
 * warm-up grace (warm-up.ts). Severity critical: the paging policy makes it a warning first.
 */
export function turnFindings(states: Iterable<TurnState>, direct: (region: Region) => DirectMedia, notBefore: (region: Region) => number | undefined): Finding[] {
  const out: Finding[] = [];
  for (const s of states) {
    if (!s.failing) continue;
    const d = direct(s.region);
    if (d.ok.length === 0 && d.failing.length > 0) continue;
    const code = turnErrorCode(s.last.reason);
    const nb = notBefore(s.region);
    out.push({
      name: "TurnUnavailable",
      severity: "critical",
      labels: { region: s.region },
      summary: `TURN in ${s.region} fails (${s.recent.filter(Boolean).length} of the last ${s.recent.length} windows: ${s.last.reason || s.last.status}) while direct media into ${s.region} works`,
      evidence: { region: s.region, status: s.last.status, reason: s.last.reason, turnErrorCode: code, since: s.failingSince, directOk: [...d.ok], directFailing: [...d.failing], lastWindowAt: s.last.ts },
      forMs: 0,
      ...(s.failingSince === null ? {} : { since: s.failingSince }),
      observedAt: s.last.ts,
      ...(nb === undefined ? {} : { notBefore: nb }),
    });
  }
  return out;
}
