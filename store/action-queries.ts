// The actions table (on-call mitigations, issue 18): a record to a row, and the records
// back — each action's latest row, in a time range. One row per state change.
import { actionRecordSchema, type ActionRecord } from "../core/actions.js";
import { formatTime, type Row } from "./rows.js";
import type { Store } from "./store.js";

export const ACTIONS_TABLE = "actions";

export function actionRow(a: ActionRecord, ts: number): Row {
  return {
    ts: formatTime(ts),
    id: a.id,
    kind: a.kind,
    target: a.target,
    actor: a.actor,
    state: a.state,
    summary: a.summary,
    steps: JSON.stringify(a.steps),
    verification: a.verification,
    alerts: a.alerts,
    requested_at: formatTime(a.requestedAt),
    finished_at: a.finishedAt === null ? null : formatTime(a.finishedAt),
    verified_at: a.verifiedAt === null ? null : formatTime(a.verifiedAt),
  };
}

type Num = number | string;

interface ActionRowOut {
  id: string;
  kind: string;
  target: string;
  actor: string;
  state: string;
  summary: string;
  steps: string;
  verification: string;
  alerts: string[];
  requested_ms: Num;
  finished_ms: Num | null;
  verified_ms: Num | null;
}

/** Each action requested in [from, to], as its latest row says, oldest first. */
export async function actionsInRange(store: Store, opts: { from: number; to: number }): Promise<ActionRecord[]> {
  const rows = await store.query<ActionRowOut>(
    `SELECT id, l.1 AS kind, l.2 AS target, l.3 AS actor, l.4 AS state, l.5 AS summary, l.6 AS steps, l.7 AS verification, l.8 AS alerts,
            requested_ms, toUnixTimestamp64Milli(l.9) AS finished_ms, toUnixTimestamp64Milli(l.10) AS verified_ms
     FROM (SELECT id, argMax(tuple(kind, target, actor, state, summary, steps, verification, alerts, finished_at, verified_at), ts) AS l,
                  toUnixTimestamp64Milli(min(requested_at)) AS requested_ms
           FROM ${store.database}.${ACTIONS_TABLE}
           GROUP BY id)
     WHERE requested_ms >= {from:Int64} AND requested_ms <= {to:Int64}
     ORDER BY requested_ms, id`,
    { from: opts.from, to: opts.to },
  );
  return rows.map((r) => actionRecordSchema.parse({
    id: r.id, kind: r.kind, target: r.target, actor: r.actor, state: r.state, summary: r.summary,
    steps: parseSteps(r.steps), verification: r.verification, alerts: r.alerts,
    requestedAt: Number(r.requested_ms),
    finishedAt: r.finished_ms === null ? null : Number(r.finished_ms),
    verifiedAt: r.verified_ms === null ? null : Number(r.verified_ms),
  }));
}

function parseSteps(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return [];
  }
}
