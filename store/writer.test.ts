import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../core/clock.js";
import { ChdbStore } from "./chdb-backend.js";
import { migrate } from "./migrations.js";
import { probeResultRow } from "./rows.js";
import { Spool } from "./spool.js";
import { makeProbeResults } from "../test/support/store-fixtures.js";
import { StoreWriter } from "./writer.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-writer-"));
let store: ChdbStore;
beforeAll(async () => {
  store = await ChdbStore.open({ path: join(dir, "data"), database: "writer_test" });
  await migrate(store);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function count(): Promise<number> {
  const [r] = await store.query<{ c: number | string }>(`SELECT count() AS c FROM ${store.database}.probe_results`);
  return Number(r?.c);
}

const rows = (n: number, seed: number) => makeProbeResults(n, { start: Date.now() - 600_000, seed }).map(probeResultRow);

describe("StoreWriter", () => {
  it("write() holds rows until maxDelayMs of clock time, then flushes them as one batch", async () => {
    const clock = new ManualClock(0);
    const writer = await StoreWriter.open({ store, spoolDir: join(dir, "s1"), clock, maxDelayMs: 1000, maxBatchRows: 100 });
    const batches: number[] = [];
    writer.events.on("inserted", (b) => batches.push(b.rows));
    const before = await count();
    writer.write("probe_results", rows(30, 1));
    writer.write("probe_results", rows(20, 2));
    clock.advance(999);
    await writer.flushQueued();
    expect(await count()).toBe(before);
    expect(writer.stats().bufferedRows).toBe(50);
    clock.advance(1);
    await writer.flushQueued();
    expect(await count()).toBe(before + 50);
    expect(batches).toEqual([50]);
    await writer.close();
  });

  it("write() cuts a batch as soon as maxBatchRows are buffered, without waiting for the clock", async () => {
    const clock = new ManualClock(0);
    const writer = await StoreWriter.open({ store, spoolDir: join(dir, "s2"), clock, maxDelayMs: 60_000, maxBatchRows: 100 });
    const batches: number[] = [];
    writer.events.on("inserted", (b) => batches.push(b.rows));
    writer.write("probe_results", rows(250, 3));
    await writer.flushQueued();
    expect(batches).toEqual([100, 100]);
    expect(writer.stats().bufferedRows).toBe(50);
    await writer.close();
    expect(batches).toEqual([100, 100, 50]);
  });

  it("a batch the store keeps rejecting is dead-lettered on disk and later batches still land", async () => {
    const spoolDir = join(dir, "s3");
    const writer = await StoreWriter.open({ store, spoolDir, maxRejects: 2 });
    const dead: string[] = [];
    writer.events.on("deadLettered", (b) => dead.push(b.error));
    const before = await count();
    writer.write("probe_results", [{ ts: "not a time", src: "x" }]);
    await writer.flush();
    writer.write("probe_results", rows(5, 4));
    await writer.close();
    expect(dead).toHaveLength(1);
    expect(writer.stats()).toMatchObject({ deadLetteredRows: 1, insertedRows: 5 });
    expect(await count()).toBe(before + 5);
    const letter = JSON.parse(readFileSync(join(spoolDir, "dead-letter.jsonl"), "utf8").trim()) as { rows: unknown[]; error: string };
    expect(letter.rows).toEqual([{ ts: "not a time", src: "x" }]);
    expect(letter.error).toMatch(/ts|DateTime|parse/i);
  });

  it("a closed writer rejects writes with InvalidStateError", async () => {
    const writer = await StoreWriter.open({ store, spoolDir: join(dir, "s4") });
    await writer.close();
    await writer.close();
    expect(() => { writer.write("probe_results", rows(1, 5)); }).toThrow(/closed/);
  });
});

describe("Spool", () => {
  it("read() skips a torn last line and keeps every complete batch in order", async () => {
    const spoolDir = join(dir, "torn");
    const spool = await Spool.open(spoolDir);
    await spool.append({ token: "a", table: "probe_results", rows: [{ n: 1 }] });
    await spool.append({ token: "b", table: "probe_results", rows: [{ n: 2 }] });
    await spool.close();
    const [name] = await spool.segments();
    if (name === undefined) throw new Error("no segment");
    writeFileSync(join(spoolDir, name), '{"token":"c","table":"probe_res', { flag: "a" });
    const { batches, skippedLines } = await spool.read(name);
    expect(batches.map((b) => b.token)).toEqual(["a", "b"]);
    expect(skippedLines).toBe(1);
  });

  it("segments rotate at the size limit and list oldest first, continuing numbering after reopen", async () => {
    const spoolDir = join(dir, "rotate");
    const spool = await Spool.open(spoolDir, 200);
    for (let i = 0; i < 5; i++) await spool.append({ token: `t${i}`, table: "probe_results", rows: [{ pad: "x".repeat(120) }] });
    await spool.close();
    const names = await spool.segments();
    expect(names).toHaveLength(5);
    const again = await Spool.open(spoolDir, 200);
    await again.append({ token: "t5", table: "probe_results", rows: [] });
    await again.close();
    const all = await again.segments();
    expect(all.slice(0, 5)).toEqual(names);
    expect(all).toHaveLength(6);
    expect((await again.read(all[5] ?? "")).batches[0]?.token).toBe("t5");
  });
});
