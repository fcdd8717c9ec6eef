// Runs a scenario file in a lab world: start the world, let the mesh settle, then play the
// timeline against the clock and record every alert the analyzer fires and every page it
// delivers (to a PageRecorder it takes for its Alertmanager), with times from the start. The start is aligned to a probe rotation boundary, so "the next fresh probe
// track" happens at a predictable scenario time (probes/rotation.ts: epoch-aligned).
import { mkdirSync } from "node:fs";
import type { Alert } from "../../core/alert.js";
import { errorMessage } from "../../core/errors.js";
import { silentLogger, type Logger } from "../../core/logger.js";
import type { Region } from "../../core/region.js";
import { World } from "../world/world.js";
import { evaluateScenario, type FiredAlert, type ScenarioReport } from "./evaluate.js";
import { PageRecorder } from "./page-recorder.js";
import { DEFAULT_SCENARIO_LATENCY_MS, type Scenario, type TimelineEvent } from "./schema.js";
import { ScenarioSubscriber, resolveScenarioTrack } from "./subscriber.js";

/** 1 s windows, DESIGN's default probe window. */
const DEFAULT_PROBE_INTERVAL_MS = 1000;
/** 10 s rotations in scenarios (DESIGN's example) so fresh relays are exercised often. */
const DEFAULT_PROBE_ROTATE_MS = 10_000;
/** How long the mesh may take to show every pair delivering media before the scenario starts anyway. */
const SETTLE_TIMEOUT_MS = 30_000;
const ALERT_POLL_MS = 200;

export interface RunScenarioOptions {
  dataDir: string;
  engine?: string;
  logger?: Logger;
  onProgress?: (message: string) => void;
  /** Aborted (the CLI's SIGTERM/SIGINT): the world stops and the run ends early (a partial report). */
  signal?: AbortSignal;
}

export async function runScenario(s: Scenario, o: RunScenarioOptions): Promise<ScenarioReport> {
  const progress = o.onProgress ?? (() => undefined);
  const logger = o.logger ?? silentLogger;
  mkdirSync(o.dataDir, { recursive: true });
  const intervalMs = s.probeInterval ?? DEFAULT_PROBE_INTERVAL_MS;
  const rotateMs = s.probeRotate ?? DEFAULT_PROBE_ROTATE_MS;
  const recorder = await PageRecorder.start();
  let world: World;
  try {
    world = await startWorld(s, o, recorder.url, intervalMs, rotateMs);
  } catch (err) {
    await recorder.close();
    throw err;
  }
  const subscribers: ScenarioSubscriber[] = [];
  const seen = new Map<string, Alert>();
  try {
    progress("waiting for every pair to deliver media (ok or degraded)");
    const settled = await settle(world, s.regions.length, o.signal);
    if (!settled) progress(`not every pair delivered media after ${SETTLE_TIMEOUT_MS / 1000} s; starting anyway`);
    const t0 = Math.ceil((Date.now() + 500) / rotateMs) * rotateMs;
    progress(`scenario ${s.name} starts in ${t0 - Date.now()} ms (aligned to a probe rotation), runs ${s.duration / 1000} s`);
    await sleepUntil(t0);
    const timers = s.timeline.map((e) =>
      setTimeout(() => {
        progress(`t=${((Date.now() - t0) / 1000).toFixed(1)}s ${describeEvent(e)}`);
        void apply(world, e, rotateMs, subscribers).catch((err: unknown) => {
          progress(`  ${describeEvent(e)} failed: ${errorMessage(err)}`);
        });
      }, Math.max(0, t0 + e.at - Date.now())),
    );
    const end = t0 + s.duration;
    // An abort has stopped the world already (World's signal): end the run now.
    while (Date.now() < end && o.signal?.aborted !== true) {
      await pollAlerts(world, seen, logger);
      await sleepUntil(Math.min(end, Date.now() + ALERT_POLL_MS));
    }
    await pollAlerts(world, seen, logger);
    for (const t of timers) clearTimeout(t);
    const fired: FiredAlert[] = [...seen.values()].map((a) => ({
      name: a.name,
      labels: a.labels,
      firedAtMs: a.startsAt - t0,
      resolvedAtMs: a.endsAt === null ? null : a.endsAt - t0,
    }));
    return evaluateScenario(s.name, s.expect, fired, s.duration, recorder.pages(t0));
  } finally {
    progress("stopping the world");
    await Promise.all(subscribers.map((sub) => sub.close()));
    await world.stop();
    await recorder.close();
  }
}

function startWorld(s: Scenario, o: RunScenarioOptions, pageUrl: string, intervalMs: number, rotateMs: number): Promise<World> {
  return World.start({
    regions: s.regions,
    dataDir: o.dataDir,
    links: s.links.map((l) => ({
      between: l.between,
      params: { ...(l.latency === undefined ? {} : { latencyMs: l.latency }), ...(l.jitter === undefined ? {} : { jitterMs: l.jitter }), ...(l.loss === undefined ? {} : { loss: l.loss }) },
    })),
    latencyMs: () => DEFAULT_SCENARIO_LATENCY_MS,
    behaviours: s.behaviours,
    probeIntervalMs: intervalMs,
    probeRotateMs: rotateMs,
    alertmanager: [pageUrl],
    // A timeline that stops TURN servers needs them: fail clearly without turnserver.
    ...(s.timeline.some((e) => "turnDown" in e || "turnUp" in e) ? { turn: true } : {}),
    ...(o.logger === undefined ? {} : { logger: o.logger }),
    ...(o.engine === undefined ? {} : { engine: o.engine }),
    onProgress: (m) => { o.onProgress?.(`starting ${m}`); },
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  });
}

async function settle(world: World, regions: number, signal: AbortSignal | undefined): Promise<boolean> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (Date.now() < deadline && signal?.aborted !== true) {
    try {
      const o = await world.overview();
      // degraded delivers media: a scenario with a lossy link from the start settles too.
      if (o.pairs.length === regions * (regions - 1) && o.pairs.every((p) => p.status === "ok" || p.status === "degraded")) return true;
    } catch {
      // the analyzer is still connecting
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

async function pollAlerts(world: World, seen: Map<string, Alert>, logger: Logger): Promise<void> {
  try {
    for (const a of await world.alerts()) seen.set(`${a.fingerprint}@${a.startsAt}`, a);
  } catch (err) {
    logger.warn({ error: errorMessage(err) }, "pollAlerts() | analyzer did not answer");
  }
}

async function apply(world: World, e: TimelineEvent, rotateMs: number, subscribers: ScenarioSubscriber[]): Promise<void> {
  if ("partition" in e) world.wan.partition(e.partition, e.for);
  else if ("isolate" in e) world.wan.isolate(e.isolate, e.for);
  else if ("linkDown" in e) world.wan.linkDown(e.linkDown, e.for);
  else if ("kill" in e) await world.supervisor.kill(e.kill, "SIGKILL");
  else if ("restart" in e) await world.supervisor.restart(e.restart);
  else if ("behaviour" in e) await world.setBehaviours(e.behaviour.region, e.behaviour.set);
  else if ("turnDown" in e) await turnDown(world, e.turnDown, e.for);
  else if ("turnUp" in e) await world.turnUp(e.turnUp);
  else {
    const track = resolveScenarioTrack(e.subscribe.track, Date.now(), rotateMs);
    const sub = await ScenarioSubscriber.start({ url: `${world.regionUrl(e.subscribe.region)}/whep/${track}`, token: world.token("subscribe", track) });
    subscribers.push(sub);
  }
}

export function describeEvent(e: TimelineEvent): string {
  const forText = (ms: number | undefined): string => (ms === undefined ? "" : ` for ${ms} ms`);
  if ("partition" in e) return `partition ${e.partition.join(",")}${forText(e.for)}`;
  if ("isolate" in e) return `isolate ${e.isolate.join(",")}${forText(e.for)}`;
  if ("linkDown" in e) return `link down ${e.linkDown.join("<->")}${forText(e.for)}`;
  if ("kill" in e) return `kill ${e.kill}`;
  if ("restart" in e) return `restart ${e.restart}`;
  if ("behaviour" in e) return `behaviours of ${e.behaviour.region} := [${e.behaviour.set.join(", ")}]`;
  if ("turnDown" in e) return `TURN server of ${e.turnDown} down${forText(e.for)}`;
  if ("turnUp" in e) return `TURN server of ${e.turnUp} up`;
  return `subscribe in ${e.subscribe.region} to ${e.subscribe.track}`;
}

/** Stops a region's TURN server; with `forMs`, starts it again then (in the background, like a partition's end). */
async function turnDown(world: World, region: Region, forMs: number | undefined): Promise<void> {
  await world.turnDown(region);
  if (forMs === undefined) return;
  const timer = setTimeout(() => {
    world.turnUp(region).catch(() => undefined);
  }, forMs);
  timer.unref();
}

function sleepUntil(t: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
}

/** One timeline event applied to a running world (the incident replays of the e2e test and the bench drive the same timeline). */
export { apply as applyTimelineEvent };
export type { Region };
