// The Alerts view as data: firing alerts first, then recently resolved; by severity, then
// newest first. Each row names what is wrong in one line (a RelayLoop row spells out its
// cycle), and the selected alert's evidence is laid out below. Enter opens its target.
// A muted alert (inhibited by a firing cause: `evidence.inhibitedBy`, as the analyzer marks
// it) is still listed — on-call sees the symptom — but drawn grey with a `mute` tag, after
// the alerts that page, and never in the ticker. An acknowledged alert names its owner
// (`evidence.ackedBy`), and the details link the alert's runbook.
import type { Alert } from "../../core/alert.js";
import { runbookUrl } from "../../core/runbook.js";
import { matchesFilter } from "./filter.js";
import { formatAge, formatClock, padRight, truncate } from "./format.js";
import { SEVERITY_COLOUR, SEVERITY_RANK, SEVERITY_TAG } from "./palette.js";
import { seg, type Line, type Segment } from "./text.js";

export type AlertTarget =
  | { kind: "track"; track: string }
  | { kind: "pair"; src: string; dst: string }
  | { kind: "region"; region: string }
  | { kind: "none" };

/** Firing but inhibited by a firing cause: shown, muted, not paged. */
export function isMuted(alert: Alert): boolean {
  return alert.state === "firing" && typeof alert.evidence["inhibitedBy"] === "string";
}

/** Who acknowledged (owns) a firing alert, and when; null if no one has. */
export function alertOwner(alert: Alert): { by: string; at: number } | null {
  const { ackedBy: by, ackedAt: at } = alert.evidence;
  return alert.state === "firing" && typeof by === "string" && typeof at === "number" ? { by, at } : null;
}

/** Evidence keys the details show in their own lines, not in the evidence list. */
const OWN_LINES = new Set(["cycle", "ackedBy", "ackedAt"]);

/** 0 firing and paging, 1 firing but muted, 2 resolved. */
function rank(a: Alert): number {
  return a.state !== "firing" ? 2 : isMuted(a) ? 1 : 0;
}

export function sortAlerts(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      b.startsAt - a.startsAt ||
      a.fingerprint.localeCompare(b.fingerprint),
  );
}

export function visibleAlerts(alerts: readonly Alert[], filter: string): Alert[] {
  return sortAlerts(alerts).filter((a) => matchesFilter(filter, [a.name, a.summary, a.severity, a.state, ...Object.values(a.labels)]));
}

/** `evidence.cycle` when it is a list of region names, else null. */
export function alertCycle(alert: Alert): string[] | null {
  const c = alert.evidence["cycle"];
  return Array.isArray(c) && c.length > 0 && c.every((x) => typeof x === "string") ? c : null;
}

/** The alert's track: its label, or for a RelayLoop (one per cycle) the first looped track in its evidence. */
function alertTrack(alert: Alert): string | undefined {
  const fromEvidence = alert.evidence["track"];
  return alert.labels["track"] ?? (alert.name === "RelayLoop" && typeof fromEvidence === "string" ? fromEvidence : undefined);
}

/** What Enter opens: the track's relay graph, the pair's matrix cell, or the region. */
export function alertTarget(alert: Alert): AlertTarget {
  const { src, dst, region, regions } = alert.labels;
  const track = alertTrack(alert);
  if (track !== undefined && track !== "") return { kind: "track", track };
  if (src !== undefined && dst !== undefined) return { kind: "pair", src, dst };
  if (region !== undefined && region !== "") return { kind: "region", region };
  const first = regions?.split(",")[0];
  if (first !== undefined && first !== "") return { kind: "region", region: first };
  return { kind: "none" };
}

/** The "what" of an alert in a few words: the cycle, the pair, the region or the track. */
export function alertSubject(alert: Alert): string {
  const cycle = alertCycle(alert);
  const { src, dst, region, regions } = alert.labels;
  const track = alertTrack(alert);
  // The regions first: on a narrow screen the cut falls on the track id, not the loop.
  const parts: string[] = [];
  if (cycle !== null) parts.push(cycle.join(" → "));
  else if (src !== undefined && dst !== undefined) parts.push(`${src} → ${dst}`);
  else if (region !== undefined) parts.push(region);
  else if (regions !== undefined) parts.push(regions);
  if (track !== undefined) parts.push(`track ${track}`);
  return parts.join("  ");
}

export function alertRow(alert: Alert, now: number, width: number, selected: boolean): Line {
  const muted = isMuted(alert);
  const firing = alert.state === "firing" && !muted;
  const colour = firing ? SEVERITY_COLOUR[alert.severity] : "gray";
  const owner = alertOwner(alert);
  const when = (alert.state === "firing" ? formatAge(now - alert.startsAt) : `resolved ${formatAge(now - (alert.endsAt ?? alert.updatedAt))} ago`) + (owner === null ? "" : ` ✓${owner.by}`);
  const head: Segment[] = [
    seg(selected ? "▸ " : "  ", { colour: "cyan" }),
    seg(firing ? SEVERITY_TAG[alert.severity] : muted ? "mute" : "ok  ", { colour, bold: firing, inverse: firing && alert.severity === "critical" }),
    seg(" "),
    seg(padRight(alert.name, 17), { bold: firing, colour: firing ? undefined : "gray" }),
  ];
  const used = 2 + 4 + 1 + 17 + when.length + 2;
  return [...head, seg(padRight(truncate(alertSubject(alert), Math.max(8, width - used)), Math.max(8, width - used)), { colour: firing ? undefined : "gray" }), seg(`  ${when}`, { dim: true })];
}

/** The selected alert's summary, labels, times, owner, runbook and evidence, one fact per line. */
export function alertDetails(alert: Alert, now: number, width: number, runbookBaseUrl?: string): Line[] {
  const lines: Line[] = [
    [
      seg(`${alert.name} `, { bold: true }),
      seg(isMuted(alert) ? "FIRING, MUTED" : alert.state.toUpperCase(), { colour: isMuted(alert) ? "gray" : alert.state === "firing" ? SEVERITY_COLOUR[alert.severity] : "green", bold: true }),
      seg(`  ${alert.severity}`, { dim: true }),
      ...(isMuted(alert) ? [seg("  inhibited by a firing cause: not paged", { dim: true })] : []),
    ],
    [seg(truncate(alert.summary, width))],
  ];
  const cycle = alertCycle(alert);
  if (cycle !== null) lines.push([seg("cycle    ", { dim: true }), ...cycleSegments(cycle)]);
  const labels = Object.entries(alert.labels)
    .filter(([k]) => k !== "severity")
    .map(([k, v]) => `${k}=${v}`)
    .join("  ");
  lines.push([seg("labels   ", { dim: true }), seg(truncate(labels, width - 9))]);
  const started = `${formatClock(alert.startsAt)} (${formatAge(now - alert.startsAt)} ago)`;
  const ended = alert.endsAt === null ? "" : `  resolved ${formatClock(alert.endsAt)}`;
  lines.push([seg("since    ", { dim: true }), seg(started + ended)]);
  const owner = alertOwner(alert);
  lines.push(owner === null
    ? [seg("owner    ", { dim: true }), seg(alert.state === "firing" ? "nobody yet (a: acknowledge)" : "—", { dim: true })]
    : [seg("owner    ", { dim: true }), seg(owner.by, { bold: true, colour: "cyan" }), seg(`  acknowledged ${formatClock(owner.at)} (${formatAge(now - owner.at)} ago)`, { dim: true })]);
  lines.push([seg("runbook  ", { dim: true }), seg(truncate(runbookUrl(alert.name, runbookBaseUrl), width - 9), { underline: true, colour: "blue" })]);
  for (const [key, value] of Object.entries(alert.evidence)) {
    if (OWN_LINES.has(key)) continue;
    lines.push([seg(`${padRight(key, Math.max(8, key.length))} `, { dim: true }), seg(truncate(evidenceText(value), width - Math.max(9, key.length + 1)))]);
  }
  const target = alertTarget(alert);
  if (target.kind !== "none") lines.push([seg(`Enter: open ${target.kind === "track" ? `relay graph of ${target.track}` : target.kind === "pair" ? `pair ${target.src} → ${target.dst}` : `region ${target.region}`}`, { colour: "cyan" })]);
  return lines;
}

/** A cycle drawn loudly: every region red and bold, arrows between, the repeat marked. */
export function cycleSegments(cycle: readonly string[]): Segment[] {
  const out: Segment[] = [];
  cycle.forEach((r, i) => {
    if (i > 0) out.push(seg(" → ", { colour: "red" }));
    out.push(seg(r, { colour: "red", bold: true, inverse: i === cycle.length - 1 && cycle.length > 1 && r === cycle[0] }));
  });
  out.push(seg("  ⟲ LOOP", { colour: "red", bold: true }));
  return out;
}

function evidenceText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" && value > 1e12) return formatClock(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(", ");
  return JSON.stringify(value);
}

/**
 * The worst firing alert in one line, shown above every view but Alerts, so the first
 * screen answers "what is wrong" without a key press. Null when nothing fires.
 */
export function alertTicker(alerts: readonly Alert[], now: number, width: number): Line | null {
  const firing = sortAlerts(alerts).filter((a) => a.state === "firing" && !isMuted(a));
  const top = firing[0];
  if (top === undefined) return null;
  const more = firing.length > 1 ? `  +${firing.length - 1} more` : "";
  const head: Segment[] = [
    seg(` ${SEVERITY_TAG[top.severity]} `, { colour: SEVERITY_COLOUR[top.severity], inverse: true, bold: true }),
    seg(` ${top.name} `, { bold: true, colour: SEVERITY_COLOUR[top.severity] }),
  ];
  const tail = `  ${formatAge(now - top.startsAt)}${more}`;
  const room = Math.max(8, width - 8 - top.name.length - tail.length);
  return [...head, seg(truncate(alertSubject(top), room), { bold: true }), seg(tail, { dim: true })];
}
