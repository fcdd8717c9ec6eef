// Incidents and their reports read from the store (store/incident-queries.ts,
// store/action-queries.ts), assembled by the pure incidents.ts and report.ts.
import { actionsInRange } from "../../store/action-queries.js";
import { alertChanges, pairFailures } from "../../store/incident-queries.js";
import type { Store } from "../../store/store.js";
import { episodesOf, groupIncidents, INCIDENT_GAP_MS, type Incident } from "./incidents.js";
import { buildReport, type IncidentReport } from "./report.js";

/** Incidents whose first alert fired in [from, to], oldest first (alert rows are read a gap beyond, to close episodes). */
export async function loadIncidents(store: Store, range: { from: number; to: number }): Promise<Incident[]> {
  const changes = await alertChanges(store, { from: range.from - INCIDENT_GAP_MS, to: range.to });
  return groupIncidents(episodesOf(changes)).filter((i) => i.start >= range.from && i.start <= range.to);
}

/** The report of incident `id` (INC-YYYYMMDD-HHMMSS, its start), or null when the store has none such up to `now`. */
export async function loadReport(store: Store, id: string, now: number): Promise<IncidentReport | null> {
  const start = incidentStart(id);
  if (start === null) return null;
  const incident = (await loadIncidents(store, { from: start, to: now })).find((i) => i.id === id);
  if (incident === undefined) return null;
  const until = incident.end ?? now;
  const actions = await actionsInRange(store, { from: incident.start, to: until });
  const pairs = await pairFailures(store, { from: incident.start, to: until });
  return buildReport(incident, actions, pairs);
}

/** The start encoded in an incident id; null when it is not one. */
export function incidentStart(id: string): number | null {
  const m = /^INC-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(id);
  if (m === null) return null;
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(t) ? null : t;
}
