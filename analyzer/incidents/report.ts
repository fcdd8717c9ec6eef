// One incident's write-up (issue 18: `relaywatch incident report ID`): the timeline from the
// store — detection, pages, actions and their verification, resolutions, recovery — the
// per-pair impact (pairs affected, minutes of failed media), and status-page updates in the
// usual stages (Investigating → Identified → Monitoring → Resolved) with their times, as a
// postmortem skeleton. Pure: data in, a report (and its Markdown) out.
import type { ActionRecord } from "../../core/actions.js";
import type { PairFailure } from "../../store/incident-queries.js";
import { describeAlert, type Incident } from "./incidents.js";

export const TIMELINE_KINDS = ["detection", "page", "action", "verified", "resolution", "recovery"] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEvent {
  at: number;
  kind: TimelineKind;
  text: string;
}

export const STATUS_STAGES = ["Investigating", "Identified", "Monitoring", "Resolved"] as const;
export type StatusStage = (typeof STATUS_STAGES)[number];

export interface StatusUpdate {
  stage: StatusStage;
  at: number;
  text: string;
}

export interface PairImpact {
  src: string;
  dst: string;
  failedWindows: number;
  failedMinutes: number;
  firstFailedAt: number | null;
  recoveredAt: number | null;
}

export interface IncidentReport {
  id: string;
  start: number;
  end: number | null;
  causes: string[];
  timeline: TimelineEvent[];
  actions: ActionRecord[];
  impact: { pairsAffected: number; failedMinutes: number; pairs: PairImpact[] };
  /** When every affected pair had media again (the end of its last failed window); null: unknown or not yet. */
  recoveredAt: number | null;
  statusUpdates: StatusUpdate[];
}

/** The report of `incident`, with the actions taken during it and the pairs' failures over its span. */
export function buildReport(incident: Incident, actions: readonly ActionRecord[], pairs: readonly PairFailure[]): IncidentReport {
  const affected = pairs.filter((p) => p.failedWindows > 0).map((p) => ({
    src: p.src, dst: p.dst, failedWindows: p.failedWindows, failedMinutes: round2(p.failedMs / 60_000), firstFailedAt: p.firstFailedAt, recoveredAt: p.recoveredAt,
  }));
  const recoveredAt = incident.end === null || affected.length === 0 ? incident.end : Math.max(...affected.map((p) => p.recoveredAt ?? 0));
  const timeline: TimelineEvent[] = [];
  for (const e of incident.episodes) {
    timeline.push({ at: e.firedAt, kind: "detection", text: `${describeAlert(e)} fired (${e.severity}): ${e.summary}` });
    if (e.pagedAt !== null) timeline.push({ at: e.pagedAt, kind: "page", text: `paged for ${describeAlert(e)}` });
    if (e.resolvedAt !== null) timeline.push({ at: e.resolvedAt, kind: "resolution", text: `${describeAlert(e)} resolved` });
  }
  for (const a of actions) {
    timeline.push({ at: a.requestedAt, kind: "action", text: `${a.actor} ran ${a.kind} ${a.target}: ${a.summary} → ${a.state}` });
    if (a.verifiedAt !== null) timeline.push({ at: a.verifiedAt, kind: "verified", text: `${a.kind} ${a.target} verified: ${a.verification}` });
  }
  if (incident.end !== null) timeline.push({ at: Math.max(incident.end, recoveredAt ?? 0), kind: "recovery", text: `all alerts resolved; ${affected.length === 0 ? "no probe pair lost media" : `media back on all ${affected.length} affected pair(s)`}` });
  timeline.sort((a, b) => a.at - b.at || TIMELINE_KINDS.indexOf(a.kind) - TIMELINE_KINDS.indexOf(b.kind));
  return {
    id: incident.id, start: incident.start, end: incident.end, causes: incident.causes, timeline, actions: [...actions],
    impact: { pairsAffected: affected.length, failedMinutes: round2(affected.reduce((s, p) => s + p.failedMinutes, 0)), pairs: affected },
    recoveredAt,
    statusUpdates: statusUpdates(incident, actions, affected),
  };
}

function statusUpdates(incident: Incident, actions: readonly ActionRecord[], affected: readonly PairImpact[]): StatusUpdate[] {
  const pages = incident.episodes.map((e) => e.pagedAt).filter((t): t is number => t !== null);
  const where = [...new Set(affected.map((p) => p.dst))].sort();
  const out: StatusUpdate[] = [{
    stage: "Investigating", at: pages.length > 0 ? Math.min(...pages) : incident.start,
    text: `We are investigating failed media between regions${where.length === 0 ? "" : ` (into ${where.join(", ")})`}.`,
  }];
  const first = actions[0];
  if (first !== undefined) {
    out.push({ stage: "Identified", at: first.requestedAt, text: `The cause is identified: ${incident.causes.join("; ")}. A mitigation is under way.` });
    const applied = actions.map((a) => a.finishedAt ?? a.requestedAt);
    out.push({ stage: "Monitoring", at: Math.max(...applied), text: `Mitigations applied (${actions.map((a) => `${a.kind} ${a.target}`).join(", ")}); we are monitoring the results.` });
  }
  if (incident.end !== null) out.push({ stage: "Resolved", at: incident.end, text: "This incident has been resolved: media flows between every region again." });
  return out;
}

/** The report as a Markdown postmortem skeleton. */
export function reportMarkdown(r: IncidentReport): string {
  const t = (ms: number | null): string => (ms === null ? "—" : new Date(ms).toISOString().replace(".000Z", "Z"));
  const lines = [
    `# Incident ${r.id}`,
    "",
    `- Start: ${t(r.start)}`,
    `- End: ${r.end === null ? "ongoing" : t(r.end)}${r.end === null ? "" : ` (${formatDuration(r.end - r.start)})`}`,
    `- Cause(s): ${r.causes.join("; ")}`,
    `- Impact: ${r.impact.pairsAffected} probe pair(s) affected, ${r.impact.failedMinutes} minute(s) of failed media`,
    "",
    "## Timeline (UTC)",
    "",
    ...r.timeline.map((e) => `- ${t(e.at)} **${e.kind}** ${e.text}`),
    "",
    "## Impact per pair",
    "",
    ...(r.impact.pairs.length === 0 ? ["No probe pair lost media."] : ["| src → dst | failed windows | minutes | first failed | media back |", "|---|---|---|---|---|",
      ...r.impact.pairs.map((p) => `| ${p.src} → ${p.dst} | ${p.failedWindows} | ${p.failedMinutes} | ${t(p.firstFailedAt)} | ${t(p.recoveredAt)} |`)]),
    "",
    "## Actions",
    "",
    ...(r.actions.length === 0 ? ["None recorded."] : r.actions.map((a) => `- ${t(a.requestedAt)} ${a.actor}: ${a.kind} ${a.target} — ${a.summary}; ${a.state}${a.verification === "" ? "" : ` (${a.verification})`}`)),
    "",
    "## Status page updates",
    "",
    ...r.statusUpdates.map((u) => `- ${t(u.at)} **${u.stage}** — ${u.text}`),
    "",
    "## Root cause",
    "",
    "_To write: why it happened._",
    "",
    "## What went well / what went wrong / action items",
    "",
    "_To write._",
    "",
  ];
  return lines.join("\n");
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
