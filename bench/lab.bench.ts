// A whole lab world's cost (issue 17): cores and PSS of `relaywatch up`'s world at 5 and 10
// regions for each media engine, split by process kind — region nodes (Node), mediasoup
// workers (their children), probe agents, this process (it runs the WAN emulator and
// its control API, as `up` does) and the analyzer — in one run. CPU comes from
// /proc/<pid>/stat over a window after a warm-up, PSS from /proc/<pid>/smaps_rollup at
// the end of the window. Goal (issue 17): 10 regions (90 pairs) on mediasoup < 70 % of 2
// cores and < 2 GiB PSS. The world starts headless, as `relaywatch up --no-tui` does.
// RELAYWATCH_BENCH_LAB_SECONDS (window, default 60), RELAYWATCH_BENCH_LAB_WARMUP_S
// (default 30), RELAYWATCH_BENCH_LAB_REGIONS (default "5,10"), RELAYWATCH_BENCH_LAB_ENGINES
// (default "werift,mediasoup"; mediasoup needs its worker, `npm run setup:mediasoup`).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_REGIONS } from "../core/region.js";
import { World } from "../lab/world/world.js";
import { mediasoupAvailable } from "../sfu/media/mediasoup/loader.js";
import type { Bench, Reporter } from "./harness.js";
import { CpuWindow, descendants, pssBytes } from "./proc-stat.js";

/** Five more names for a 10-region world; the WAN emulator gives unknown pairs its fallback latency. */
const MORE_REGIONS = ["us-central", "eu-north", "ap-east", "sa-east", "af-south"];
const CORES = 2;
const GIB = 1024 ** 3;
const GOAL_SHARE_OF_CORES = 0.7;
const GOAL_PSS_BYTES = 2 * GIB;

type Kind = "sfu node" | "mediasoup workers" | "probe agents" | "up + WAN" | "analyzer";
const KINDS: readonly Kind[] = ["sfu node", "mediasoup workers", "probe agents", "up + WAN", "analyzer"];

function env(name: string, fallback: string): string {
  return process.env[name] ?? fallback;
}

/** Every process of the world with its kind: the supervisor's children and their descendants. */
function processKinds(world: World, regions: readonly string[]): Map<number, Kind> {
  const kinds = new Map<number, Kind>([[process.pid, "up + WAN"]]);
  for (const p of world.supervisor.info()) {
    if (p.pid === null) continue;
    const kind: Kind = p.name === "analyzer" ? "analyzer" : p.name.startsWith("probe-") ? "probe agents" : regions.includes(p.name) ? "sfu node" : "up + WAN";
    kinds.set(p.pid, kind);
    // A region node's children are its mediasoup workers; anyone else's count as their parent.
    for (const child of descendants(p.pid)) kinds.set(child, kind === "sfu node" ? "mediasoup workers" : kind);
  }
  return kinds;
}

/**
 * Starts the world, a second time if the first start fails: on a loaded 2-core machine ten
 * region nodes starting at once can miss the supervisor's 10 s readiness limit. Null (and
 * said so) when both fail, so the other worlds of the run are still measured.
 */
async function startWorld(report: Reporter, regions: string[], dataDir: string, engine: string): Promise<World | null> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    report.progress(`${engine}, ${regions.length} regions: starting the world${attempt > 1 ? " (again)" : ""}`);
    try {
      // Without TURN servers (issue 20 added them after the baseline of issue 17 was measured).
      return await World.start({ regions, dataDir, engine, turn: false });
    } catch (err) {
      report.progress(`${engine}, ${regions.length} regions: the world did not start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return null;
}

async function measureWorld(report: Reporter, engine: string, count: number, warmupS: number, windowS: number): Promise<void> {
  const regions = [...DEFAULT_REGIONS, ...MORE_REGIONS].slice(0, count);
  const dataDir = mkdtempSync(join(tmpdir(), "relaywatch-lab-bench-"));
  const world = await startWorld(report, regions, dataDir, engine);
  if (world === null) return;
  try {
    report.progress(`${engine}, ${count} regions: ${warmupS} s warm-up, ${windowS} s measured`);
    await sleep(warmupS * 1000);
    const kinds = processKinds(world, regions);
    const cpu = new CpuWindow(kinds);
    cpu.begin();
    await sleep(windowS * 1000);
    const { cores } = cpu.end();
    const pss = new Map<Kind, number>();
    for (const [pid, kind] of kinds) pss.set(kind, (pss.get(kind) ?? 0) + (pssBytes(pid) ?? 0));
    const totalCores = [...cores.values()].reduce((a, b) => a + b, 0);
    const totalPss = [...pss.values()].reduce((a, b) => a + b, 0);
    const label = `${engine} ${count} regions`;
    const goal = engine === "mediasoup" && count === 10 ? `; goal < ${GOAL_SHARE_OF_CORES * 100}% of ${CORES} cores, < ${GOAL_PSS_BYTES / GIB} GiB` : "";
    report.figure(`${label}: total CPU`, totalCores, "cores", { note: `${((100 * totalCores) / CORES).toFixed(0)}% of ${CORES} cores, ${count * (count - 1)} pairs${goal}` });
    report.figure(`${label}: total PSS`, totalPss / GIB, "GiB", { note: `${kinds.size} processes` });
    for (const kind of KINDS) {
      if (!cores.has(kind)) continue;
      report.figure(`${label}: ${kind}`, cores.get(kind) ?? 0, "cores", { note: `PSS ${((pss.get(kind) ?? 0) / GIB).toFixed(2)} GiB` });
    }
  } finally {
    await world.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const bench: Bench = {
  name: "lab",
  description: "cores and PSS of a whole lab world (region nodes, mediasoup workers, probe agents, up + WAN, analyzer) at 5 and 10 regions per engine",
  async run(report) {
    const warmupS = Number(env("RELAYWATCH_BENCH_LAB_WARMUP_S", "30"));
    const windowS = Number(env("RELAYWATCH_BENCH_LAB_SECONDS", "60"));
    const counts = env("RELAYWATCH_BENCH_LAB_REGIONS", "5,10").split(",").map(Number);
    const engines = env("RELAYWATCH_BENCH_LAB_ENGINES", "werift,mediasoup").split(",");
    for (const engine of engines) {
      if (engine === "mediasoup") {
        const found = mediasoupAvailable();
        if (!found.ok) {
          report.progress(`mediasoup skipped: ${found.reason}`);
          continue;
        }
      }
      for (const count of counts) await measureWorld(report, engine, count, warmupS, windowS);
    }
  },
};

export default bench;
