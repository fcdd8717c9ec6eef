// The 2024-02-07 incident (lab/scenarios/incident-2024-02-07.yaml) on a real lab world,
// for tests and benches that act on it while it unfolds (the mitigation e2e test, the
// scenarios bench's page-to-recovery figure): the world with the scenario's regions, links
// and behaviours; once every pair delivers media, the timeline from a probe-rotation
// boundary, event by event, as `relaywatch scenario run` applies it.
import { join } from "node:path";
import { applyTimelineEvent, describeEvent } from "../../lab/scenario/runner.js";
import { loadScenarioFile } from "../../lab/scenario/parse.js";
import { DEFAULT_SCENARIO_LATENCY_MS, DEFAULT_SCENARIO_PROBE_INTERVAL_MS, DEFAULT_SCENARIO_PROBE_ROTATE_MS, type Scenario } from "../../lab/scenario/schema.js";
import { World } from "../../lab/world/world.js";
import { waitFor } from "./ports.js";

export const INCIDENT_FILE = join(import.meta.dirname, "../../lab/scenarios/incident-2024-02-07.yaml");

export interface IncidentReplay {
  world: World;
  scenario: Scenario;
  /** Wall-clock ms at which the timeline started (a rotation boundary). */
  t0: number;
  /** Stops pending timeline events and the world. */
  stop(): Promise<void>;
}

/** Starts the world, waits until every pair is ok (up to 60 s), then plays the timeline. */
export async function startIncidentReplay(dataDir: string, onProgress?: (m: string) => void): Promise<IncidentReplay> {
  const scenario = loadScenarioFile(INCIDENT_FILE);
  const rotateMs = scenario.probeRotate ?? DEFAULT_SCENARIO_PROBE_ROTATE_MS;
  const world = await World.start({
    regions: scenario.regions,
    dataDir,
    links: scenario.links.map((l) => ({ between: l.between, params: { ...(l.latency === undefined ? {} : { latencyMs: l.latency }) } })),
    latencyMs: () => DEFAULT_SCENARIO_LATENCY_MS,
    behaviours: scenario.behaviours,
    probeIntervalMs: scenario.probeInterval ?? DEFAULT_SCENARIO_PROBE_INTERVAL_MS,
    probeRotateMs: rotateMs,
    ...(onProgress === undefined ? {} : { onProgress }),
  });
  const n = scenario.regions.length;
  await waitFor(async () => {
    const o = await world.overview().catch(() => null);
    return o !== null && o.pairs.length === n * (n - 1) && o.pairs.every((p) => p.status === "ok");
  }, 60_000);
  const t0 = Math.ceil((Date.now() + 500) / rotateMs) * rotateMs;
  const timers = scenario.timeline.map((e) => setTimeout(() => {
    onProgress?.(`t=${((Date.now() - t0) / 1000).toFixed(1)}s ${describeEvent(e)}`);
    void applyTimelineEvent(world, e, rotateMs, []).catch((err: unknown) => { onProgress?.(`${describeEvent(e)} failed: ${String(err)}`); });
  }, Math.max(0, t0 + e.at - Date.now())));
  return {
    world, scenario, t0,
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      await world.stop();
    },
  };
}
