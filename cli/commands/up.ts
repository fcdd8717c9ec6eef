// `relaywatch up`: the whole local world — regions behind the WAN emulator, a probe agent
// per region, the analyzer with the embedded store — and then the TUI on it. Ctrl-C (or q
// in the TUI) stops everything; children also exit by themselves if this process dies.
import { mkdirSync } from "node:fs";
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import { Command, Option } from "commander";
import { systemClock } from "../../core/clock.js";
import { parseDuration } from "../../core/duration.js";
import { ConfigError } from "../../core/errors.js";
import { DEFAULT_REGIONS, regionSchema } from "../../core/region.js";
import { DEFAULT_STOP_GRACE_MS } from "../../lab/launcher/supervisor.js";
import { ANALYZER_TOKEN_FILE, World, type WorldOptions } from "../../lab/world/world.js";
import { LiveAlertOps } from "../../tui/source/alertmanager-ops.js";
import { LiveSource } from "../../tui/source/live-source.js";
import { lifecycleAction, type Life } from "../lifecycle.js";
import { checkEngineAvailable, checkWritableDir } from "../preflight.js";

/** A world's children get the supervisor's SIGTERM grace (then SIGKILL); 2 s more to see them go. */
export const WORLD_CLOSE_DEADLINE_MS = DEFAULT_STOP_GRACE_MS + 2_000;

interface UpOpts {
  regions: string;
  engine: string;
  dataDir: string;
  rotate: string;
  tui: boolean;
  alertmanager?: string;
}

export function upCommand(): Command {
  return new Command("up")
    .description("Start the whole local world: regions behind the WAN emulator, probes, analyzer with the embedded store, then the TUI")
    .option("--regions <list>", "regions to start, comma-separated", DEFAULT_REGIONS.join(","))
    .addOption(new Option("--engine <name>", "media engine of the region nodes").choices(["werift", "mediasoup", "auto"]).default("auto"))
    .option("--data-dir <dir>", "store, spool, configs and logs", "./data/lab")
    .option("--rotate <duration>", "how often probe agents publish a fresh track", "30s")
    .option("--no-tui", "do not open the TUI; print the addresses and run until Ctrl-C")
    .addOption(new Option("--alertmanager <url>", "an Alertmanager the analyzer sends alerts to and the TUI silences in, e.g. http://127.0.0.1:9093").env("RELAYWATCH_ALERTMANAGER_URL"))
    .action(lifecycleAction({ kind: "service", closeDeadlineMs: WORLD_CLOSE_DEADLINE_MS }, runUp));
}

/** Regions, rotation, terminal, engine and data directory: checked before anything starts. */
function planUp(opts: UpOpts): { regions: string[]; rotateMs: number; dataDir: string } {
  const regions = opts.regions.split(",").map((r) => r.trim()).filter((r) => r !== "");
  for (const r of regions) if (!regionSchema.safeParse(r).success) throw new ConfigError("--regions", r, "region names like eu-central");
  if (regions.length < 2) throw new ConfigError("--regions", opts.regions, "at least two regions");
  const rotateMs = parseDuration(opts.rotate);
  if (rotateMs === null) throw new ConfigError("--rotate", opts.rotate, "a duration like 30s");
  if (opts.alertmanager !== undefined && !/^https?:\/\//.test(opts.alertmanager)) throw new ConfigError("--alertmanager", opts.alertmanager, "an http:// or https:// URL");
  if (opts.tui && (!process.stdout.isTTY || !process.stdin.isTTY)) throw new ConfigError("terminal", "not a TTY", "an interactive terminal for the TUI (or --no-tui)");
  checkEngineAvailable("--engine", opts.engine, process.env["MEDIASOUP_WORKER_BIN"]);
  const dataDir = resolve(opts.dataDir);
  checkWritableDir("--data-dir", dataDir);
  return { regions, rotateMs, dataDir };
}

async function runUp(life: Life, opts: UpOpts): Promise<void> {
  const { regions, rotateMs, dataDir } = planUp(opts);
  mkdirSync(dataDir, { recursive: true });
  const t0 = Date.now();
  const say = (m: string): void => {
    process.stderr.write(`relaywatch up [${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);
  };
  say(`starting ${regions.length} regions (${regions.join(", ")}), data in ${dataDir}`);
  const world = await startWorld(life, { regions, dataDir, engine: opts.engine, probeRotateMs: rotateMs, ...(opts.alertmanager === undefined ? {} : { alertmanager: [opts.alertmanager] }), onProgress: (m) => { say(`starting ${m}`); } }, say);
  say(`up: analyzer ${world.analyzerUrl} (token in ${join(dataDir, ANALYZER_TOKEN_FILE)}), WAN control ${world.wanControl.url}, logs ${world.logDir}`);
  for (const r of regions) say(`  ${r.padEnd(12)} ${world.regionUrl(r)}`);
  if (!opts.tui) {
    say("running; Ctrl-C stops everything");
    await life.stopped;
    return;
  }
  // Ink reads Ctrl-C as a key in raw mode (q quits too); a SIGINT/SIGTERM that arrives
  // anyway (raw mode not yet on, or `kill`) ends the run through the lifecycle.
  process.env["NODE_ENV"] ??= "production";
  const { runTui } = await import("../../tui/run.js");
  await runTui({ stdout: process.stdout, stdin: process.stdin, stderr: process.stderr, clock: systemClock, source: new LiveSource({ url: world.analyzerUrl, token: world.analyzerToken, fetch: globalThis.fetch, clock: systemClock }),
    alertOps: new LiveAlertOps({ analyzerUrl: world.analyzerUrl, token: world.analyzerToken, user: userInfo().username, alertmanagerUrl: opts.alertmanager, fetch: globalThis.fetch }) });
}

/**
 * Starts the world with its stop on the stack from the first moment: a signal while it
 * starts aborts the start (World stops what it started) and the stop waits for that.
 */
async function startWorld(life: Life, options: WorldOptions, say: (m: string) => void): Promise<World> {
  const starting = World.start({ ...options, signal: life.abort });
  life.closers.push("world", async () => {
    const world = await starting.catch(() => null);
    say("stopping…");
    await world?.stop();
    say(`stopped; logs and data in ${options.dataDir}`);
  }, { timeoutMs: WORLD_CLOSE_DEADLINE_MS });
  return starting;
}
