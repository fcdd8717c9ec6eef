// Issue 13 on a real lab world (region nodes, probe agents, analyzer: real processes). The
// lab's analyzer requires its token and every pair is ok through the agents' region tokens; an
// agent with a wrong token is refused and says so in its log and metrics; a probe agent
// SIGKILLed while the analyzer is down loses nothing once both are back (its on-disk spool).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { World } from "../../lab/world/world.js";
import { ChdbStore } from "../../store/chdb-backend.js";
import { Spool } from "../../store/spool.js";
import { freePort, waitFor } from "../support/ports.js";

const BIN = join(import.meta.dirname, "../../cli/bin.mjs");
const REGIONS = ["us-east", "eu-west"];
const dataDir = mkdtempSync(join(tmpdir(), "relaywatch-lab-auth-"));
let world: World | null = null;
afterAll(async () => {
  await world?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function allPairsOk(w: World): Promise<boolean> {
  const o = await w.overview().catch(() => null);
  return o !== null && o.pairs.length === 2 && o.pairs.every((p) => p.status === "ok");
}

/** The windows in a killed agent's spool: what it had not settled when it died. */
async function spooled(dir: string): Promise<{ segments: string[]; keys: string[] }> {
  const spool = await Spool.open(dir);
  const segments = await spool.segments();
  const keys: string[] = [];
  for (const s of segments) for (const b of (await spool.read(s)).batches) for (const r of b.rows) keys.push(`${String(r["src"])}>${String(r["dst"])}@${String(r["ts"])}`);
  await spool.close();
  return { segments, keys };
}

describe("the lab world with an analyzer token", () => {
  it("requires the token, and every pair is ok through the agents' region tokens", async () => {
    world = await World.start({ regions: REGIONS, dataDir, probeRotateMs: 10_000 });
    const w = world;
    expect((await fetch(`${w.analyzerUrl}/v1/overview`)).status).toBe(401);
    expect(await waitFor(() => allPairsOk(w), 60_000), `pairs: ${JSON.stringify((await w.overview()).pairs)}`).toBe(true);
  }, 120_000);

  it("refuses a probe agent with a wrong token, which says so in its log and metrics", async () => {
    const w = world!;
    const metricsPort = await freePort();
    const agent = spawn(process.execPath, [BIN, "probe", "--region", "eu-west", "--regions", REGIONS.join(","), "--sfu", w.regionUrl("eu-west"), "--analyzer", w.analyzerUrl,
      "--analyzer-token", "rwa1.eu-west.not-a-signature", "--spool-dir", join(dataDir, "wrong-token-spool"), "--metrics-port", String(metricsPort), "--log-level", "info"], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    agent.stderr.setEncoding("utf8").on("data", (d: string) => { log += d; });
    try {
      expect(await waitFor(() => log.includes("analyzer refused this agent's token"), 30_000), log).toBe(true);
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/relaywatch_probe_delivery_attempts_total\{sink="ingest",outcome="unauthorized"\} [1-9]/);
      const analyzerMetrics = await (await fetch(`${w.analyzerUrl}/metrics`)).text();
      expect(analyzerMetrics).toMatch(/relaywatch_analyzer_ingest_rejected_total\{reason="unauthorized"\} [1-9]/);
    } finally {
      const exited = once(agent, "exit");
      agent.kill("SIGKILL");
      await exited;
    }
  }, 60_000);

  it("loses nothing when a probe agent is SIGKILLed while the analyzer is down", async () => {
    const w = world!;
    await w.supervisor.kill("analyzer", "SIGKILL");
    // Windows pile up in the agent's spool while the analyzer is away.
    const piled = async (): Promise<boolean> => (await spooled(join(dataDir, "probe-spool", "us-east"))).keys.length >= 2;
    expect(await waitFor(piled, 30_000), "windows spooled while the analyzer is down").toBe(true);
    await w.supervisor.kill("probe-us-east", "SIGKILL");
    const before = await spooled(join(dataDir, "probe-spool", "us-east"));
    expect(before.keys.length, "windows made while the analyzer was down").toBeGreaterThanOrEqual(2);
    await w.supervisor.restart("analyzer", 60_000);
    await w.supervisor.restart("probe-us-east", 60_000);
    const delivered = async (): Promise<boolean> => (await spooled(join(dataDir, "probe-spool", "us-east"))).segments.every((s) => !before.segments.includes(s));
    expect(await waitFor(delivered, 30_000), "the restarted agent delivered its spool").toBe(true);
    await w.stop();
    world = null;
    const store = await ChdbStore.open({ path: join(dataDir, "clickhouse") });
    try {
      const rows = await store.query<{ k: string; n: number | string }>(
        `SELECT concat(src, '>', dst, '@', toString(toUnixTimestamp64Milli(ts))) AS k, count() AS n FROM ${store.database}.probe_results GROUP BY k`,
      );
      const stored = new Map(rows.map((r) => [r.k, Number(r.n)]));
      expect(before.keys.filter((k) => stored.get(k) !== 1), "every spooled window stored exactly once").toEqual([]);
    } finally {
      await store.close();
    }
  }, 180_000);
});
