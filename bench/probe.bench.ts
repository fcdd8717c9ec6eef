// Probe agent cost (issue 17): CPU per measured pair and per received packet of real probe
// agents (child processes, CPU from /proc) against real region nodes (a lab world), for
// each client setting side by side in one run, each against the baseline measured in the
// same run: werift's general send path with one timer per 20 ms packet and werift's own
// Buffer SRTP keys (the agent before issue 17). Every agent probes every other region at
// 50 packets/s; the figure per pair includes the agent's share of its publisher and its
// fixed work (windows, metrics).
// Client engines: werift only. A native stack (@roamhq/wrtc, libwebrtc) cannot carry the
// probe header (its API takes PCM and gives PCM, no RTP payloads), so it could not measure
// one-way latency or index-based loss the same way; see README "Benchmarks".
// RELAYWATCH_BENCH_PROBE_SECONDS (default 30) and RELAYWATCH_BENCH_PROBE_WARMUP_S (default 10).
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { World } from "../lab/world/world.js";
import type { SendPath } from "../probes/client/werift-peer.js";
import type { Bench } from "./harness.js";
import { CpuWindow } from "./proc-stat.js";

const REGIONS = ["us-east", "us-west", "eu-central"];
const PPS = 50;
const GOAL_CORE_SHARE_PER_PAIR = 0.005;
const CHILD = join(import.meta.dirname, "probe-agent-child.ts");

interface Variant {
  name: string;
  sendPath: SendPath;
  sendIntervalMs: number;
  /** werift's SRTP keys: its own Buffers (before issue 17) or KeyObjects (core/werift-srtp-keys.ts, the default now). */
  srtpKeys: "buffer" | "keyobject";
}

const VARIANTS: readonly Variant[] = [
  { name: "baseline = before issue 17 (track path, 20 ms timer, Buffer SRTP keys)", sendPath: "track", sendIntervalMs: 20, srtpKeys: "buffer" },
  { name: "default now (track path, 20 ms timer, KeyObject SRTP keys)", sendPath: "track", sendIntervalMs: 20, srtpKeys: "keyobject" },
  { name: "direct send path, 20 ms timer, KeyObject keys", sendPath: "direct", sendIntervalMs: 20, srtpKeys: "keyobject" },
  { name: "direct + 100 ms bursts, KeyObject keys", sendPath: "direct", sendIntervalMs: 100, srtpKeys: "keyobject" },
  { name: "direct + 200 ms bursts, KeyObject keys", sendPath: "direct", sendIntervalMs: 200, srtpKeys: "keyobject" },
];

function seconds(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

interface Run {
  coresPerPair: number;
  usPerPacket: number;
  okShare: number;
}

async function runVariant(world: World, v: Variant, warmupS: number, windowS: number): Promise<Run> {
  const env = { ...process.env, BENCH_PUBLISH_TOKEN: world.token("publish", "probe/*"), BENCH_SUBSCRIBE_TOKEN: world.token("subscribe", "probe/*") };
  const children: ChildProcess[] = REGIONS.map((region) =>
    spawn(process.execPath, ["--import", "tsx", CHILD, region, REGIONS.join(","), world.regionUrl(region), v.sendPath, String(v.sendIntervalMs), v.srtpKeys], { env, stdio: ["ignore", "pipe", "inherit"] }),
  );
  const exited = children.map((c) => once(c, "exit"));
  const outputs = children.map((c) => {
    let out = "";
    c.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    return () => out;
  });
  try {
    // Signals only once each child listens for them (SIGUSR2's default action is to exit).
    const started = await Promise.race([Promise.all(children.map((_, i) => waitFor(() => outputs[i]?.().includes("started\n") ?? false))), Promise.race(exited).then(() => false)]);
    if (started === false) throw new Error("a probe agent exited while starting");
    await sleep(warmupS * 1000);
    const cpu = new CpuWindow(new Map(children.map((c) => [c.pid ?? 0, "agents" as const])));
    for (const c of children) c.kill("SIGUSR2");
    cpu.begin();
    await sleep(windowS * 1000);
    const { cores } = cpu.end();
    for (const c of children) c.kill("SIGTERM");
    await Promise.all(exited);
    const sums = outputs.map((o) => JSON.parse(o().trim().split("\n").at(-1) ?? "{}") as { results?: number; ok?: number; received?: number });
    const results = sums.reduce((a, s) => a + (s.results ?? 0), 0);
    const ok = sums.reduce((a, s) => a + (s.ok ?? 0), 0);
    const received = sums.reduce((a, s) => a + (s.received ?? 0), 0);
    const pairs = REGIONS.length * (REGIONS.length - 1);
    const agentCores = cores.get("agents") ?? 0;
    return { coresPerPair: agentCores / pairs, usPerPacket: received === 0 ? Number.NaN : (agentCores * windowS * 1e6) / received, okShare: results === 0 ? 0 : ok / results };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  }
}

async function waitFor(done: () => boolean): Promise<true> {
  while (!done()) await sleep(100);
  return true;
}

const bench: Bench = {
  name: "probe",
  description: `probe agent CPU per pair and per packet at ${PPS} pps against real region nodes (${REGIONS.length} regions), per client setting, vs the pre-issue-17 baseline`,
  async run(report) {
    const warmupS = seconds("RELAYWATCH_BENCH_PROBE_WARMUP_S", 10);
    const windowS = seconds("RELAYWATCH_BENCH_PROBE_SECONDS", 30);
    const dataDir = mkdtempSync(join(tmpdir(), "relaywatch-probe-bench-"));
    report.progress(`starting a ${REGIONS.length}-region werift world`);
    const world = await World.start({ regions: REGIONS, dataDir, engine: "werift", probes: false, turn: false });
    try {
      let baseline: Run | null = null;
      for (const v of VARIANTS) {
        report.progress(`${v.name}: ${warmupS} s warm-up, ${windowS} s measured`);
        const r = await runVariant(world, v, warmupS, windowS);
        baseline ??= r;
        const note = `${(100 * r.okShare).toFixed(0)}% windows ok`;
        report.figure(`werift ${v.name}: CPU per pair`, 100 * r.coresPerPair, "% of a core", { baseline: 100 * baseline.coresPerPair, note: `${note}; goal ≤ ${100 * GOAL_CORE_SHARE_PER_PAIR}` });
        report.figure(`werift ${v.name}: CPU per received packet`, r.usPerPacket, "µs", { baseline: baseline.usPerPacket, note: "agent CPU / packets received (sending included)" });
      }
    } finally {
      await world.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

export default bench;
