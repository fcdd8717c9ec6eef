// Incidents from the alert history (issue 18: `relaywatch incident list`): each alert's
// firing episodes, grouped by time into incidents — alerts that fire while another is
// firing, or within INCIDENT_GAP_MS of the last one resolving, belong to the same incident
// — and, within one, by cause: the alerts that paged are its causes, the muted ones are
// what those causes explained. Pure: rows in, incidents out; time passed in.
import type { AlertChange } from "../../store/incident-queries.js";

/**
 * 10 min between incidents: on-call treats a page within minutes of the last one resolving
 * as the same trouble coming back (the 2024-02-07 incident's isolation at 19:00 and loop at
 * 19:25 overlapped through the failover); PagerDuty's default alert grouping window is 5 min
 * of activity, and a postmortem covers the whole flap, so twice that.
 */
export const INCIDENT_GAP_MS = 10 * 60_000;

export interface AlertEpisode {
  fingerprint: string;
  name: string;
  labels: Record<string, string>;
  severity: string;
  summary: string;
  firedAt: number;
  /** First time it fired unmuted as critical: the page (null: it paged no one). */
  pagedAt: number | null;
  resolvedAt: number | null;
}

export interface Incident {
  id: string;
  start: number;
  /** When its last alert resolved; null while one still fires. */
  end: number | null;
  /** The alerts that paged, by name and labels ("RelayLoop{regions=eu-central,eu-west}"). */
  causes: string[];
  episodes: AlertEpisode[];
}

/** Each fingerprint's episodes (firing → resolved), from its rows in time order. */
export function episodesOf(changes: readonly AlertChange[]): AlertEpisode[] {
  const open = new Map<string, AlertEpisode>();
  const out: AlertEpisode[] = [];
  for (const c of [...changes].sort((a, b) => a.ts - b.ts)) {
    let e = open.get(c.fingerprint);
    if (c.state === "firing") {
      if (e === undefined) {
        e = { fingerprint: c.fingerprint, name: c.name, labels: c.labels, severity: c.severity, summary: c.summary, firedAt: Math.min(c.startsAt, c.ts), pagedAt: null, resolvedAt: null };
        open.set(c.fingerprint, e);
        out.push(e);
      }
      if (e.pagedAt === null && c.severity === "critical" && !c.muted) e.pagedAt = c.ts;
    } else if (e !== undefined) {
      e.resolvedAt = c.ts;
      open.delete(c.fingerprint);
    }
  }
  return out;
}

/** Incidents, oldest first. */
export function groupIncidents(episodes: readonly AlertEpisode[]): Incident[] {
  const sorted = [...episodes].sort((a, b) => a.firedAt - b.firedAt);
  const groups: AlertEpisode[][] = [];
  let current: AlertEpisode[] = [];
  let until = -Infinity;
  for (const e of sorted) {
    if (current.length > 0 && e.firedAt > until + INCIDENT_GAP_MS) {
      groups.push(current);
      current = [];
      until = -Infinity;
    }
    current.push(e);
    until = Math.max(until, e.resolvedAt ?? Infinity);
  }
  if (current.length > 0) groups.push(current);
  return groups.map(toIncident);
}

function toIncident(eps: AlertEpisode[]): Incident {
  const start = Math.min(...eps.map((e) => e.firedAt));
  const open = eps.some((e) => e.resolvedAt === null);
  const paged = eps.filter((e) => e.pagedAt !== null);
  return {
    id: incidentId(start),
    start,
    end: open ? null : Math.max(...eps.map((e) => e.resolvedAt ?? 0)),
    causes: [...new Set((paged.length > 0 ? paged : eps).map(describeAlert))],
    episodes: eps,
  };
}

/** `INC-20240207-190004`: the UTC time its first alert fired (stable: the same history gives the same ids). */
export function incidentId(start: number): string {
  const iso = new Date(start).toISOString();
  return `INC-${iso.slice(0, 10).replaceAll("-", "")}-${iso.slice(11, 19).replaceAll(":", "")}`;
}

/** `RelayLoop{regions=eu-central,eu-west}` */
export function describeAlert(e: { name: string; labels: Record<string, string> }): string {
  const labels = Object.entries(e.labels).filter(([k]) => k !== "severity").sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
  return labels.length === 0 ? e.name : `${e.name}{${labels.join(",")}}`;
}
