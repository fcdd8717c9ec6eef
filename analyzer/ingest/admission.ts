// What the probe ingest believes: a pure policy over one batch, time passed in. A batch is
// taken whole or refused whole, naming the first result that fails and why, so an agent
// with a bad clock or a bad token scope hears about it at once instead of half its results
// vanishing. Never does I/O and never throws on any input that passed the schema.
import type { ProbeResult } from "../../core/probe-result.js";
import type { Region } from "../../core/region.js";

/**
 * 30 s ahead: a result is stamped at the end of its window (1 s by default) by a host kept
 * in step by NTP (ms-level skew); 30 s forgives a badly synced host but not a clock that
 * jumped. Anything further ahead would sit at the head of its pair's history and outvote
 * real windows, so it is refused (issue 13: a result 1 year ahead froze a pair).
 */
export const DEFAULT_MAX_AHEAD_MS = 30_000;
/**
 * 10 min behind: an agent buffers (and spools) about 10 minutes of results while the
 * analyzer is away (probes' DEFAULT_MAX_BUFFERED), so a backlog delivered late is still
 * history; older windows tell on-call nothing about now and are refused.
 */
export const DEFAULT_MAX_BEHIND_MS = 600_000;

export interface SkewWindow {
  maxAheadMs: number;
  maxBehindMs: number;
}

export const DEFAULT_SKEW_WINDOW: SkewWindow = { maxAheadMs: DEFAULT_MAX_AHEAD_MS, maxBehindMs: DEFAULT_MAX_BEHIND_MS };

export type RejectReason = "clock_ahead" | "clock_behind" | "unknown_region" | "foreign_pair";

export interface AdmissionContext {
  now: number;
  skew: SkewWindow;
  regions: ReadonlySet<Region>;
  /** The region the agent's token is bound to; null for an operator token (any region). */
  agentRegion: Region | null;
}

export type Admission =
  | { ok: true }
  | { ok: false; reason: RejectReason; path: string; detail: string; refused: number };

/** Checks every result; refuses the batch at the first bad one and counts how many are bad. */
export function admitBatch(results: readonly ProbeResult[], ctx: AdmissionContext): Admission {
  let first: { reason: RejectReason; path: string; detail: string } | null = null;
  let refused = 0;
  for (let i = 0; i < results.length; i++) {
    const verdict = admitOne(results[i] as ProbeResult, i, ctx);
    if (verdict === null) continue;
    refused++;
    first ??= verdict;
  }
  return first === null ? { ok: true } : { ok: false, ...first, refused };
}

function admitOne(r: ProbeResult, i: number, ctx: AdmissionContext): { reason: RejectReason; path: string; detail: string } | null {
  for (const field of ["src", "dst"] as const) {
    if (!ctx.regions.has(r[field])) {
      return { reason: "unknown_region", path: `results[${i}].${field}`, detail: `region ${r[field]} is not one of the analyzer's configured regions (${[...ctx.regions].join(", ")})` };
    }
  }
  if (ctx.agentRegion !== null && r.dst !== ctx.agentRegion) {
    return { reason: "foreign_pair", path: `results[${i}].dst`, detail: `this agent's token is for region ${ctx.agentRegion}; it may only report pairs into it, not ${r.src}→${r.dst}` };
  }
  const offset = r.ts - ctx.now;
  if (offset > ctx.skew.maxAheadMs || offset < -ctx.skew.maxBehindMs) {
    const ahead = offset > 0;
    return {
      reason: ahead ? "clock_ahead" : "clock_behind",
      path: `results[${i}].ts`,
      detail: `ts ${describeTime(r.ts)} is ${formatSeconds(Math.abs(offset))} ${ahead ? "ahead of" : "behind"} the analyzer's clock ${new Date(ctx.now).toISOString()}; accepted: at most ${formatSeconds(ctx.skew.maxAheadMs)} ahead, ${formatSeconds(ctx.skew.maxBehindMs)} behind`,
    };
  }
  return null;
}

/** An ISO time when the value is one (Date's range), else the raw number. */
function describeTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : `${ms} (${d.toISOString()})`;
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** The agent's clock offset as seen from one batch: its newest window end minus now (negative: behind, as delivery lags). */
export function batchClockOffsetMs(results: readonly ProbeResult[], now: number): number | null {
  let newest = Number.NEGATIVE_INFINITY;
  for (const r of results) if (r.ts > newest) newest = r.ts;
  return Number.isFinite(newest) ? newest - now : null;
}
