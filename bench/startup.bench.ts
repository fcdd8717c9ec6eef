// Startup bench (issue 14): what each relaywatch process costs, run from the compiled build
// (`npm run build`, then RELAYWATCH_FROM_DIST=1, which every child inherits) as an installed
// package runs; RELAYWATCH_BENCH_SKIP_BUILD=1 measures the dist/ already there. In one run:
// `relaywatch --version` wall time (against bare `node -e 0`) and peak RSS; the idle RSS of
// an SFU alone on each engine; the RSS of each process kind in a running two-region world
// (SFU, probe agent, analyzer with the embedded store, TUI) and of an analyzer without a
// store; and how many SFU and probe processes map libchdb. Goals: --version < 300 ms; SFU
// and probe < 150 MB; no libchdb in an SFU or probe.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { mediasoupAvailable } from "../sfu/media/mediasoup/loader.js";
import { freePort, waitFor } from "../test/support/ports.js";
import { descendantPids } from "../test/support/process-tree.js";
import { quantile, sortedCopy, type Bench, type Reporter } from "./harness.js";

const REPO = resolve(import.meta.dirname, "..");
const BIN = join(REPO, "cli", "bin.mjs");
const FROM_DIST = { ...process.env, RELAYWATCH_FROM_DIST: "1" };
const VERSION_RUNS = 10;
/** Issue 14's goals. */
const VERSION_GOAL_MS = 300;
const IDLE_RSS_GOAL_MB = 150;
/** How long a world runs with every pair ok before its processes are measured: past start-up allocation, into steady probing. */
const SETTLE_MS = 10_000;
/** How long an idle process runs after it answers before it is measured. */
const IDLE_SETTLE_MS = 5_000;
const MB = 1024 * 1024;

/** Loaded with --import: at exit, the process's peak RSS in KiB on stderr. */
const PEAK_RSS_HOOK = `process.on("exit", () => { process.stderr.write("PEAK_RSS_KB=" + process.resourceUsage().maxRSS + "\\n"); });\n`;

interface ProcessSample { kind: string; rssBytes: number; libchdb: boolean }

function sample(pid: number): ProcessSample | null {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "0");
    const kind = argv[1] === BIN ? (argv[2] ?? "?") : (argv[0]?.split("/").pop() ?? "?");
    return { kind, rssBytes: rssKb * 1024, libchdb: readFileSync(`/proc/${pid}/maps`, "utf8").includes("libchdb") };
  } catch {
    return null; // exited while we looked
  }
}

function measureVersion(report: Reporter, dir: string): void {
  const walls: number[] = [];
  for (let i = 0; i < VERSION_RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, "--version"], { env: FROM_DIST, encoding: "utf8" });
    walls.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`--version failed: ${r.stderr}`);
  }
  const bare: number[] = [];
  for (let i = 0; i < VERSION_RUNS; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ["-e", "0"]);
    bare.push(performance.now() - t0);
  }
  const hook = join(dir, "peak-rss.mjs");
  writeFileSync(hook, PEAK_RSS_HOOK);
  const r = spawnSync(process.execPath, [`--import=${hook}`, BIN, "--version"], { env: FROM_DIST, encoding: "utf8" });
  const peakKb = Number(/PEAK_RSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? "NaN");
  const sorted = sortedCopy(walls);
  report.figure("--version wall time p50", quantile(sorted, 0.5), "ms", { baseline: quantile(sortedCopy(bare), 0.5), note: `goal < ${VERSION_GOAL_MS} ms; baseline: node -e 0` });
  report.figure("--version wall time max", quantile(sorted, 1), "ms", { note: `${VERSION_RUNS} runs` });
  report.figure("--version peak RSS", (peakKb * 1024) / MB, "MB");
}

interface World { up: ChildProcess; analyzer: string; token: string; stop(): Promise<void> }

/** `relaywatch up --no-tui` with two regions, from dist/, until every pair is ok. */
async function startWorld(dir: string, engine: "werift" | "mediasoup"): Promise<World> {
  const dataDir = join(dir, `world-${engine}`);
  const up = spawn(process.execPath, [BIN, "up", "--no-tui", "--regions", "us-east,eu-central", "--engine", engine, "--data-dir", dataDir], { env: FROM_DIST, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  up.stderr.setEncoding("utf8").on("data", (d: string) => (log += d));
  const exited = new Promise<void>((res) => up.once("close", () => { res(); }));
  const stop = async (): Promise<void> => { up.kill("SIGTERM"); await exited; };
  if (!(await waitFor(() => /up: analyzer (http\S+)/.test(log), 120_000))) {
    await stop();
    throw new Error(`up (${engine}) did not start:\n${log}`);
  }
  const analyzer = /up: analyzer (http\S+)/.exec(log)?.[1] ?? "";
  const token = readFileSync(join(dataDir, "analyzer.token"), "utf8").trim();
  const allOk = async (): Promise<boolean> => {
    const o = (await (await fetch(`${analyzer}/v1/overview`, { headers: { authorization: `Bearer ${token}` } })).json()) as { pairs: { status: string }[] };
    return o.pairs.length === 2 && o.pairs.every((p) => p.status === "ok");
  };
  if (!(await waitFor(allOk, 60_000))) {
    await stop();
    throw new Error(`up (${engine}): pairs not ok within 60 s`);
  }
  return { up, analyzer, token, stop };
}

/** The TUI, live from the world's analyzer, in a tmux terminal (it needs one); its process's sample after it has drawn. */
async function sampleTui(world: World): Promise<ProcessSample | null> {
  if (spawnSync("tmux", ["-V"]).status !== 0) return null;
  const socket = `relaywatch-startup-bench-${process.pid}`;
  const tmux = (...args: string[]): string => spawnSync("tmux", ["-L", socket, ...args], { encoding: "utf8", env: FROM_DIST }).stdout;
  tmux("new-session", "-d", "-s", "tui", "-x", "120", "-y", "40", process.execPath, BIN, "tui", "--analyzer", world.analyzer, "--token", world.token);
  try {
    const pane = Number(tmux("display-message", "-p", "-t", "tui", "#{pane_pid}").trim());
    await waitFor(() => tmux("capture-pane", "-p", "-t", "tui").includes("LIVE"), 30_000);
    await new Promise((r) => setTimeout(r, 3_000));
    return sample(pane);
  } finally {
    spawnSync("tmux", ["-L", socket, "kill-server"]);
  }
}

/** One SFU alone (a peer that never answers), no session: its RSS after it has settled, and its mediasoup workers'. */
async function sampleIdleSfu(engine: "werift" | "mediasoup"): Promise<{ sfu: ProcessSample | null; workers: ProcessSample[] }> {
  const port = await freePort();
  const secrets = { RELAYWATCH_TOKEN_SECRET: "startup-bench-token-secret-0123456789abcdef", RELAYWATCH_RELAY_SECRET: "startup-bench-relay-secret-0123456789abcdef" };
  const child = spawn(process.execPath, [BIN, "sfu", "--region", "us-east", "--listen", `127.0.0.1:${port}`, "--engine", engine, "--peers", "eu-central=http://127.0.0.1:9", "--log-level", "warn"], { env: { ...FROM_DIST, ...secrets }, stdio: "ignore" });
  const exited = new Promise<void>((res) => child.once("close", () => { res(); }));
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null)) !== null, 30_000);
    await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
    if (child.pid === undefined) return { sfu: null, workers: [] };
    return { sfu: sample(child.pid), workers: descendantPids(child.pid).map(sample).filter((s) => s !== null) };
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

async function sampleStandaloneAnalyzer(): Promise<ProcessSample | null> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, "analyze", "--no-store", "--listen", `127.0.0.1:${port}`, "--log-level", "warn"], { env: FROM_DIST, stdio: "ignore" });
  const exited = new Promise<void>((res) => child.once("close", () => { res(); }));
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok === true, 30_000);
    await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
    return child.pid === undefined ? null : sample(child.pid);
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

function reportWorld(report: Reporter, engine: string, samples: readonly ProcessSample[]): void {
  const mb = (kind: string): number => Math.max(...samples.filter((s) => s.kind === kind).map((s) => s.rssBytes)) / MB;
  report.figure(`sfu (${engine}) RSS in the world, max of 2`, mb("sfu"), "MB", { note: "serving the probe mesh" });
  if (engine === "mediasoup") report.figure("mediasoup worker RSS, max of 2", mb("mediasoup-worker"), "MB", { note: "the worker process, beside its sfu" });
  report.figure(`probe (${engine} world) RSS, max of 2`, mb("probe"), "MB", { note: `goal < ${IDLE_RSS_GOAL_MB} MB` });
  if (engine === "werift") report.figure("analyzer (embedded store) RSS", mb("analyze"), "MB");
  const mapped = samples.filter((s) => (s.kind === "sfu" || s.kind === "probe") && s.libchdb).length;
  report.figure(`sfu and probe processes mapping libchdb (${engine} world)`, mapped, "processes", { note: `goal 0; analyzer maps it: ${samples.some((s) => s.kind === "analyze" && s.libchdb) ? "yes" : "no"}` });
}

const bench: Bench = {
  name: "startup",
  description: "compiled CLI: --version time and peak RSS; steady RSS per process kind in a 2-region world; libchdb in sfu/probe (goals: < 300 ms, < 150 MB, none)",
  async run(report) {
    if (process.env["RELAYWATCH_BENCH_SKIP_BUILD"] === "1") {
      report.progress("measuring the dist/ already built (RELAYWATCH_BENCH_SKIP_BUILD=1)");
    } else {
      report.progress("npm run build");
      const build = spawnSync("npm", ["run", "build"], { cwd: REPO, encoding: "utf8" });
      if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    }
    const dir = mkdtempSync(join(tmpdir(), "relaywatch-startup-bench-"));
    try {
      measureVersion(report, dir);
      const engines: ("werift" | "mediasoup")[] = mediasoupAvailable().ok ? ["werift", "mediasoup"] : ["werift"];
      for (const engine of engines) {
        const idle = await sampleIdleSfu(engine);
        report.figure(`sfu (${engine}) idle RSS`, (idle.sfu?.rssBytes ?? Number.NaN) / MB, "MB", { note: `goal < ${IDLE_RSS_GOAL_MB} MB; libchdb mapped: ${idle.sfu?.libchdb === true ? "yes" : "no"}${idle.workers.length > 0 ? `; + ${(idle.workers.reduce((a, w) => a + w.rssBytes, 0) / MB).toFixed(1)} MB in ${idle.workers.length} mediasoup worker(s)` : ""}` });
      }
      for (const engine of engines) {
        report.progress(`two-region world on ${engine}`);
        const world = await startWorld(dir, engine);
        try {
          await new Promise((r) => setTimeout(r, SETTLE_MS));
          const samples = world.up.pid === undefined ? [] : descendantPids(world.up.pid).map(sample).filter((s) => s !== null);
          reportWorld(report, engine, samples);
          if (engine === "werift") {
            const tui = await sampleTui(world);
            if (tui === null) report.figure("tui RSS", Number.NaN, "MB", { note: "tmux unavailable" });
            else report.figure("tui RSS", tui.rssBytes / MB, "MB", { note: `libchdb mapped: ${tui.libchdb ? "yes" : "no"}` });
          }
        } finally {
          await world.stop();
        }
      }
      if (engines.length === 1) report.figure("sfu (mediasoup) RSS", Number.NaN, "MB", { note: "mediasoup worker unavailable: npm run setup:mediasoup" });
      const analyzer = await sampleStandaloneAnalyzer();
      report.figure("analyzer (no store) RSS", (analyzer?.rssBytes ?? Number.NaN) / MB, "MB", { note: "as against a ClickHouse server: no chdb" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
