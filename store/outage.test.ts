// The writer across a real store outage: a ClickHouse URL where nothing listens, then the
// real embedded engine; and a replay process SIGKILLed half-way and restarted.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { ChdbStore } from "./chdb-backend.js";
import { migrate } from "./migrations.js";
import { RemoteStore } from "./remote-backend.js";
import { probeResultRow } from "./rows.js";
import { Spool } from "./spool.js";
import { makeProbeResults } from "../test/support/store-fixtures.js";
import { StoreWriter } from "./writer.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-outage-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A loopback port that was free a moment ago and has nothing listening on it now. */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => { resolve(); }));
  if (addr === null || typeof addr === "string") throw new Error("no port");
  return addr.port;
}

async function countRows(store: ChdbStore): Promise<{ rows: number; distinct: number }> {
  const [r] = await store.query<{ rows: number | string; distinct: number | string }>(
    `SELECT count() AS rows, uniqExact(src, dst, ts) AS distinct FROM ${store.database}.probe_results`,
  );
  return { rows: Number(r?.rows), distinct: Number(r?.distinct) };
}

const start = Date.now() - 3_600_000;

describe("store outage", () => {
  it("spools while the ClickHouse server is down and replays into a real store, with exact counts", async () => {
    const spoolDir = join(dir, "spool-a");
    const remote = RemoteStore.open({ url: `http://127.0.0.1:${await deadPort()}`, username: "default", password: "", database: "relaywatch", requestTimeoutMs: 2000 });
    const down = await StoreWriter.open({ store: remote, spoolDir, maxBatchRows: 1000, backoff: { baseMs: 60_000, maxMs: 60_000 } });
    const results = makeProbeResults(5500, { start, seed: 3 });
    for (let i = 0; i < results.length; i += 700) down.write("probe_results", results.slice(i, i + 700).map(probeResultRow));
    await down.flush();
    expect(down.stats()).toMatchObject({ mode: "spooling", insertedRows: 0, spooledRows: 5500 });
    await down.close();
    await remote.close();
    expect(readdirSync(spoolDir).filter((f) => f.startsWith("segment-")).length).toBeGreaterThan(0);

    const store = await ChdbStore.open({ path: join(dir, "data"), database: "outage_a" });
    await migrate(store);
    const up = await StoreWriter.open({ store, spoolDir });
    await new Promise<void>((resolve) => up.events.once("recovered", resolve));
    up.write("probe_results", makeProbeResults(10, { start: start + 10_000_000, seed: 4 }).map(probeResultRow));
    await up.close();
    expect(up.stats()).toMatchObject({ mode: "direct", replayedRows: 5500, insertedRows: 10 });
    expect(await countRows(store)).toEqual({ rows: 5510, distinct: 5510 });
    expect(readdirSync(spoolDir).filter((f) => f.startsWith("segment-"))).toEqual([]);
    await store.close();
  });

  it("a replay SIGKILLed half-way and restarted ends with exact counts: no loss, no duplicates", async () => {
    const spoolDir = join(dir, "spool-b");
    const spool = await Spool.open(spoolDir, 2 * 1024 * 1024);
    const results = makeProbeResults(60_000, { start: start - 3_600_000, stepMs: 100, seed: 5 });
    const batchRows = 500;
    for (let i = 0; i < results.length; i += batchRows) {
      await spool.append({ token: `kill-test:${i / batchRows}`, table: "probe_results", rows: results.slice(i, i + batchRows).map(probeResultRow) });
    }
    await spool.close();
    const segmentsBefore = (await spool.segments()).length;
    expect(segmentsBefore).toBeGreaterThan(3);

    const dataDir = join(dir, "data-kill");
    const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../test/support/replay-spool.ts"), dataDir, spoolDir, "kill_test"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let inserted = 0;
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => { resolve(signal); }));
    for await (const line of createInterface({ input: child.stdout })) {
      if (line.startsWith("inserted ")) inserted++;
      // Kill inside a segment (not on a segment boundary), well before the end.
      if (inserted === 37) {
        child.kill("SIGKILL");
        break;
      }
    }
    expect(await exited).toBe("SIGKILL");
    const segmentsAfterKill = (await spool.segments()).length;
    expect(segmentsAfterKill).toBeGreaterThan(0);
    expect(segmentsAfterKill).toBeLessThan(segmentsBefore);

    const rerun = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../test/support/replay-spool.ts"), dataDir, spoolDir, "kill_test"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines: string[] = [];
    for await (const line of createInterface({ input: rerun.stdout })) lines.push(line);
    expect(lines.at(-1)).toBe("done");

    const store = await ChdbStore.open({ path: dataDir, database: "kill_test" });
    expect(await countRows(store)).toEqual({ rows: 60_000, distinct: 60_000 });
    await store.close();
  }, 120_000);
});
