// Builds the ProbeResult of one pair for one window from the pair's observation and the
// subscription's fixed figures. Pure.
import type { ProbeResult } from "../../core/probe-result.js";
import type { Region, TrackId } from "../../core/region.js";
import { classifyWindow, DEFAULT_THRESHOLDS, type Thresholds } from "./classify.js";
import type { PairObservation } from "./observation.js";
import { quantile } from "./receiver-stats.js";
import { STALL_DISCOUNT_MS } from "./stall-meter.js";

export interface WindowContext {
  /** End of the window, ms since epoch. */
  ts: number;
  windowMs: number;
  src: Region;
  dst: Region;
  track: TrackId;
  /** WHEP request → ICE/DTLS connected, for the subscription measured; null until connected. */
  setupMs: number | null;
  /** WHEP request → first probe packet; null until one arrived. */
  ttfpMs: number | null;
  /** As the SFU reported it (`Relay-Path`, origin first); empty when it did not say. */
  relayPath: Region[];
  /** The agent's own longest event-loop stall affecting this window (stall-meter.ts); 0 by default. */
  agentStallMs?: number;
}

/** Reasons are bounded by the schema; a long SFU error detail is cut, not rejected. */
const MAX_REASON_CHARS = 1000;

export function buildProbeResult(ctx: WindowContext, obs: PairObservation, thresholds: Thresholds = DEFAULT_THRESHOLDS): ProbeResult {
  const f = obs.phase === "connected" ? obs.figures : null;
  // The agent itself held packets up: their arrival times say nothing about the network.
  const stalled = f !== null && (ctx.agentStallMs ?? 0) >= STALL_DISCOUNT_MS;
  const classified = classifyWindow(obs, ctx.windowMs, stalled ? { ...thresholds, latencyP95Ms: Number.POSITIVE_INFINITY } : thresholds);
  const { status } = classified;
  const notes = [classified.reason, failedOverNote(ctx), stalled ? `latency not measured: this agent stalled ${Math.round(ctx.agentStallMs ?? 0)} ms` : ""];
  const reason = notes.filter((n) => n !== "").join("; ");
  return {
    ts: Math.round(ctx.ts),
    windowMs: ctx.windowMs,
    src: ctx.src,
    dst: ctx.dst,
    track: ctx.track,
    status,
    reason: reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS - 3)}...` : reason,
    sent: f?.expected ?? 0,
    received: f?.received ?? 0,
    lost: f?.lost ?? 0,
    duplicates: f?.duplicates ?? 0,
    reordered: f?.reordered ?? 0,
    jitterMs: f?.jitterMs ?? 0,
    latencyP50Ms: f === null || stalled ? null : quantile(f.latenciesMs, 0.5),
    latencyP95Ms: f === null || stalled ? null : quantile(f.latenciesMs, 0.95),
    ttfpMs: ctx.ttfpMs,
    setupMs: ctx.setupMs,
    relayPath: ctx.relayPath,
  };
}

/**
 * When the relay path does not run from src to dst, an agent failed over (probes/failover.ts):
 * the window measured its clients' path through another region's SFU, and says so.
 */
export function failedOverNote(ctx: Pick<WindowContext, "src" | "dst" | "relayPath">): string {
  const path = ctx.relayPath;
  if (path.length === 0) return "";
  const notes: string[] = [];
  if (path[0] !== ctx.src) notes.push(`published in ${path[0] ?? "?"}`);
  if (path.at(-1) !== ctx.dst) notes.push(`subscribed in ${path.at(-1) ?? "?"}`);
  return notes.length === 0 ? "" : `failed over: ${notes.join(", ")} (relay path ${path.join(">")})`;
}
