// One incident replay mitigated at once (issue 18), for the scenarios bench: each alert
// that pages (FalseIsolation{us-east}, then RelayLoop{eu-central,eu-west}) gets its action
// through the analyzer (POST /v1/actions, as `relaywatch action --yes` and the TUI send it)
// the moment it is seen firing; the figure is the time from the page to every pair ok.
import { actionsResponseSchema, type ActionRequest } from "../core/actions.js";
import { startIncidentReplay } from "../test/support/incident-replay.js";

/** 250 ms: the poll of the analyzer's alerts and overview; the figure's resolution. */
const POLL_MS = 250;
/** 120 s: the incident's timeline is 40 s; a replay that has not recovered by then failed. */
const RUN_LIMIT_MS = 120_000;

export interface MitigationRun {
  /** From the RelayLoop page (its startsAt) to every pair ok; null: not within the limit. */
  loopPageToOkMs: number | null;
  /** From the first page (FalseIsolation) to every pair ok. */
  firstPageToOkMs: number | null;
  actionsVerified: number;
}

const ACTIONS: Readonly<Record<string, (labels: Record<string, string>) => ActionRequest | null>> = {
  FalseIsolation: (l) => (l["region"] === undefined ? null : { kind: "override-isolation", region: l["region"] }),
  RelayLoop: (l) => (l["regions"] === undefined ? null : { kind: "loop-break", regions: l["regions"].split(",") }),
};

export async function mitigateIncidentAtOnce(dataDir: string): Promise<MitigationRun> {
  const replay = await startIncidentReplay(dataDir);
  const { world } = replay;
  const auth = { authorization: `Bearer ${world.analyzerToken}`, "content-type": "application/json" };
  try {
    const taken = new Map<string, number>();
    const deadline = Date.now() + RUN_LIMIT_MS;
    let okAt: number | null = null;
    while (Date.now() < deadline && okAt === null) {
      for (const a of await world.alerts()) {
        const request = a.state === "firing" && !taken.has(a.name) ? ACTIONS[a.name]?.(a.labels) ?? null : null;
        if (request === null) continue;
        taken.set(a.name, a.startsAt);
        await fetch(`${world.analyzerUrl}/v1/actions`, { method: "POST", headers: auth, body: JSON.stringify({ request, actor: "bench", confirmed: true }) });
      }
      const o = await world.overview();
      if (taken.has("RelayLoop") && o.pairs.length > 0 && o.pairs.every((p) => p.status === "ok")) okAt = Date.now();
      else await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const listed = actionsResponseSchema.parse(await (await fetch(`${world.analyzerUrl}/v1/actions`, { headers: auth })).json());
    const loopAt = taken.get("RelayLoop");
    const firstAt = Math.min(...taken.values());
    return {
      loopPageToOkMs: okAt === null || loopAt === undefined ? null : okAt - loopAt,
      firstPageToOkMs: okAt === null || taken.size === 0 ? null : okAt - firstAt,
      actionsVerified: listed.actions.filter((a) => a.state === "verified" || a.state === "verifying").length,
    };
  } finally {
    await replay.stop();
  }
}
