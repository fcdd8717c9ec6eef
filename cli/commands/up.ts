// `relaywatch up`: the whole local world — regions behind the WAN emulator, a probe agent
// per region, the analyzer with the embedded store — and then the TUI on it. Ctrl-C (or q
// in the TUI) stops everything; children also exit by themselves if this process dies.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { systemClock } from "../../core/clock.js";
import { parseDuration } from "../../core/duration.js";
import { ConfigError } from "../../core/errors.js";
import { DEFAULT_REGIONS, regionSchema } from "../../core/region.js";
import { World } from "../../lab/world/world.js";
import { LiveSource } from "../../tui/source/live-source.js";
import { runAction } from "../run-action.js";

interface UpOpts {
  regions: string;
  engine: string;
  dataDir: string;
  rotate: string;
  tui: boolean;
}

export function upCommand(): Command {
  return new Command("up")
    .description("Start the whole local world: regions behind the WAN emulator, probes, analyzer with the embedded store, then the TUI")
    .option("--regions <list>", "regions to start, comma-separated", DEFAULT_REGIONS.join(","))
    .addOption(new Option("--engine <name>", "media engine of the region nodes").choices(["werift", "mediasoup", "auto"]).default("werift"))
    .option("--data-dir <dir>", "store, spool, configs and logs", "./data/lab")
    .option("--rotate <duration>", "how often probe agents publish a fresh track", "30s")
    .option("--no-tui", "do not open the TUI; print the addresses and run until Ctrl-C")
    .action(runAction(runUp));
}

async function runUp(opts: UpOpts): Promise<void> {
  const regions = opts.regions.split(",").map((r) => r.trim()).filter((r) => r !== "");
  for (const r of regions) if (!regionSchema.safeParse(r).success) throw new ConfigError("--regions", r, "region names like eu-central");
  if (regions.length < 2) throw new ConfigError("--regions", opts.regions, "at least two regions");
  const rotateMs = parseDuration(opts.rotate);
  if (rotateMs === null) throw new ConfigError("--rotate", opts.rotate, "a duration like 30s");
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  if (opts.tui && (!process.stdout.isTTY || !process.stdin.isTTY)) throw new ConfigError("terminal", "not a TTY", "an interactive terminal for the TUI (or --no-tui)");

  const t0 = Date.now();
  const say = (m: string): void => {
    process.stderr.write(`relaywatch up [${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);
  };
  let world: World | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      say("stopping…");
      await world?.stop();
      say(`stopped; logs and data in ${dataDir}`);
    })();
    return stopping;
  };
  const onSignal = (): void => {
    void stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  say(`starting ${regions.length} regions (${regions.join(", ")}), data in ${dataDir}`);
  world = await World.start({ regions, dataDir, engine: opts.engine, probeRotateMs: rotateMs, onProgress: (m) => { say(`starting ${m}`); } });
  say(`up: analyzer ${world.analyzerUrl}, WAN control ${world.wanControl.url}, logs ${world.logDir}`);
  for (const r of regions) say(`  ${r.padEnd(12)} ${world.regionUrl(r)}`);

  if (!opts.tui) {
    say("running; Ctrl-C stops everything");
    await new Promise<never>(() => undefined);
  }
  // The SIGINT handler stays: Ink reads Ctrl-C as a key in raw mode, but a SIGINT that
  // arrives anyway (raw mode not yet on, or `kill -INT`) must still stop the world.
  process.env["NODE_ENV"] ??= "production";
  const { runTui } = await import("../../tui/run.js");
  try {
    await runTui({ stdout: process.stdout, stdin: process.stdin, stderr: process.stderr, clock: systemClock, source: new LiveSource({ url: world.analyzerUrl, fetch: globalThis.fetch, clock: systemClock }) });
  } finally {
    await stop();
  }
}
