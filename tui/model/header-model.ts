// The header as data: where the data comes from, whether it is live, and how old it is.
// Stale or unreachable must be impossible to miss: the words say it, not only the colour.
import type { DashboardState } from "../source/dashboard-state.js";
import { isMuted } from "./alerts-model.js";
import { formatAge, formatClock, formatDateTime } from "./format.js";
import { seg, type Line, type Segment } from "./text.js";

/** 5 s: the analyzer pushes an overview every sweep (1 s); five missed sweeps is stale. */
export const STALE_AFTER_MS = 5_000;

export interface Freshness {
  /** The data on screen is current and may be trusted as live. */
  live: boolean;
  /** Age of the data on screen, ms; null when there is none. */
  ageMs: number | null;
}

export function freshness(state: DashboardState, now: number): Freshness {
  const ts = state.overview?.ts ?? null;
  if (state.mode === "replay") return { live: false, ageMs: null };
  const ageMs = ts === null ? null : Math.max(0, now - ts);
  return { live: state.connection.kind === "live" && ageMs !== null && ageMs <= STALE_AFTER_MS, ageMs };
}

export function headerLine(state: DashboardState, now: number, width: number): Line {
  const out: Segment[] = [seg(" relaywatch ", { bold: true, inverse: true }), seg(" ")];
  const c = state.connection;
  const f = freshness(state, now);
  switch (c.kind) {
    case "connecting":
      out.push(seg("◌ CONNECTING", { colour: "yellow", bold: true }), seg(` to ${state.origin} (${formatAge(now - c.since)})`, { dim: true }));
      break;
    case "live":
      if (f.live) out.push(seg("● LIVE", { colour: "green", bold: true }), seg(`  data ${formatAge(f.ageMs ?? 0)} old`, { dim: true }));
      else out.push(seg("▲ STALE", { colour: "yellow", bold: true, inverse: true }), seg(f.ageMs === null ? "  no data yet" : `  data ${formatAge(f.ageMs)} old`, { colour: "yellow", bold: true }));
      break;
    case "unreachable":
      out.push(
        seg(`✖ analyzer unreachable since ${formatClock(c.since)}`, { colour: "red", bold: true, inverse: true }),
        seg(` (${formatAge(now - c.since)}, retry #${c.attempts}: ${c.error})`, { colour: "red" }),
      );
      break;
    case "replay":
      out.push(
        seg("⏪ REPLAY", { colour: "cyan", bold: true, inverse: true }),
        seg(` ${formatDateTime(c.at)}`, { bold: true }),
        seg(`  ${c.playing ? "▶" : "❚❚"} ${c.speed}x`, { colour: "cyan" }),
        seg(c.loading ? "  loading…" : "", { dim: true }),
        seg(c.error === null ? "" : `  store error: ${c.error}`, { colour: "red", bold: true }),
      );
      break;
  }
  const firing = state.alerts.filter((a) => a.state === "firing" && !isMuted(a));
  const muted = state.alerts.filter(isMuted).length;
  const critical = firing.filter((a) => a.severity === "critical").length;
  if (firing.length > 0) out.push(seg("  "), seg(` ${firing.length} firing${critical > 0 ? ` (${critical} critical)` : ""} `, { colour: critical > 0 ? "red" : "yellow", inverse: true, bold: true }));
  if (muted > 0) out.push(seg(`  ${muted} muted`, { colour: "gray" }));
  const used = out.reduce((n, s) => n + s.text.length, 0);
  const where = ` ${state.origin}`;
  if (used + where.length < width) out.push(seg(" ".repeat(width - used - where.length)), seg(where, { dim: true }));
  return out;
}

/** A banner over the views when the data shown is not live. Null when it is. */
export function staleBanner(state: DashboardState, now: number): Line | null {
  const c = state.connection;
  if (state.mode === "replay" || state.overview === null) return null;
  const at = formatClock(state.overview.ts);
  if (c.kind === "unreachable") return [seg(` NOT LIVE — last known state from ${at} (${formatAge(now - state.overview.ts)} ago); analyzer unreachable since ${formatClock(c.since)} `, { colour: "red", bold: true, inverse: true })];
  if (!freshness(state, now).live) return [seg(` STALE — data from ${at}, ${formatAge(now - state.overview.ts)} old `, { colour: "yellow", bold: true, inverse: true })];
  return null;
}
