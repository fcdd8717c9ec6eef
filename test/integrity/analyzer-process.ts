// A real `relaywatch analyze` process on an embedded store, for the integrity tests and
// bench: started through the CLI as an operator would, with an analyzer token, killed with
// any signal, restarted on the same data directory. Regions point at a closed port (the
// analyzer's region watchers are not what these tests are about). For tests only.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ChdbStore } from "../../store/chdb-backend.js";
import { freePort } from "../support/ports.js";

const BIN = join(import.meta.dirname, "../../cli/bin.mjs");
/** 60 s: a cold start (tsx transform, chdb load, migrations) on a loaded 2-core machine. */
const START_TIMEOUT_MS = 60_000;

export interface AnalyzerProcessOptions {
  dir: string;
  token: string;
  regions: readonly string[];
}

export class AnalyzerProcess {
  readonly url: string;
  private child: ChildProcess | null = null;
  stderr = "";
  private readonly o: AnalyzerProcessOptions;

  private constructor(o: AnalyzerProcessOptions, port: number) {
    this.o = o;
    this.url = `http://127.0.0.1:${port}`;
    const regions = o.regions.map((r) => `  - { name: ${r}, url: "http://127.0.0.1:9" }`).join("\n");
    writeFileSync(join(o.dir, "relaywatch.yaml"), `regions:\n${regions}\nstore: { url: ${JSON.stringify(this.storeDir)}, spoolDir: ${JSON.stringify(join(o.dir, "spool"))} }\nanalyzer: { listen: "127.0.0.1:${port}" }\n`);
  }

  static async start(o: AnalyzerProcessOptions): Promise<AnalyzerProcess> {
    const a = new AnalyzerProcess(o, await freePort());
    await a.restart();
    return a;
  }

  get storeDir(): string {
    return join(this.o.dir, "clickhouse");
  }

  /** Starts (again) on the same data directory; resolves once it listens. */
  async restart(): Promise<void> {
    if (this.child !== null) throw new Error("analyzer still running");
    const child = spawn(process.execPath, [BIN, "analyze", "-c", join(this.o.dir, "relaywatch.yaml"), "--log-level", "warn"], {
      env: { ...process.env, RELAYWATCH_ANALYZER_TOKEN: this.o.token },
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child = child;
    const from = this.stderr.length;
    child.stderr.setEncoding("utf8").on("data", (d: string) => { this.stderr += d; });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!this.stderr.includes("listening on", from)) {
      if (child.exitCode !== null) throw new Error(`analyzer exited ${child.exitCode}: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`analyzer did not start: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Sends `signal` and waits for the process to be gone. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill(signal);
    await exited;
  }

  /** probe_results rows per track, read with the analyzer stopped (one chdb process per data directory). */
  async rowsByTrack(): Promise<Map<string, number>> {
    if (this.child !== null) throw new Error("stop the analyzer before reading its embedded store");
    const store = await ChdbStore.open({ path: this.storeDir });
    try {
      const rows = await store.query<{ track: string; c: number | string }>(`SELECT track, count() AS c FROM ${store.database}.probe_results GROUP BY track`);
      return new Map(rows.map((r) => [r.track, Number(r.c)]));
    } finally {
      await store.close();
    }
  }
}

/** POSTs one batch to the ingest with a bearer token. */
export async function postBatch(url: string, token: string, batchId: string, results: readonly unknown[]): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/ingest/probes`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-relaywatch-batch": batchId },
    body: JSON.stringify({ agent: "integrity", results }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export interface KillTrial {
  acked: number;
  resentStatus: number;
  resentDuplicates: number;
}

/**
 * One trial on a running analyzer: `results` acknowledged, SIGKILL at once, restart on the
 * same data directory, the same batch re-sent (as an agent whose answer was lost would).
 * Leaves the analyzer running; count the trial's rows afterwards (rowsByTrack).
 */
export async function killTrial(a: AnalyzerProcess, agentToken: string, results: readonly { ts: number }[], batchId: string): Promise<KillTrial> {
  const first = await postBatch(a.url, agentToken, batchId, results);
  if (first.status !== 202) throw new Error(`first POST answered ${first.status}: ${JSON.stringify(first.body)}`);
  await a.kill("SIGKILL");
  await a.restart();
  const again = await postBatch(a.url, agentToken, batchId, results);
  return { acked: Number(first.body["accepted"]), resentStatus: again.status, resentDuplicates: Number(again.body["duplicates"]) };
}
