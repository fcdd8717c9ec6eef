// Store bench: rows/s through the StoreWriter vs a raw batched chdb insert of the same rows
// (measured in the same run), and the pair-matrix query's latency over 1M and 10M rows.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChdbStore } from "../store/chdb-backend.js";
import { migrate } from "../store/migrations.js";
import { pairMatrix } from "../store/queries.js";
import { probeResultRow, type Row } from "../store/rows.js";
import { makeProbeResults } from "../test/support/store-fixtures.js";
import { StoreWriter } from "../store/writer.js";
import { quantile, sortedCopy, type Bench } from "./harness.js";

const WRITE_ROWS = 400_000;
const BATCH = 10_000;
const QUERY_RUNS = 15;

async function rawInsert(store: ChdbStore, rows: readonly Row[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) await store.insert("probe_results", rows.slice(i, i + BATCH), { dedupToken: `raw:${i}` });
  return rows.length / ((performance.now() - t0) / 1000);
}

async function writerInsert(store: ChdbStore, rows: readonly Row[], spoolDir: string): Promise<number> {
  const t0 = performance.now();
  const writer = await StoreWriter.open({ store, spoolDir, maxBatchRows: BATCH });
  // Producers hand the writer small slices, as the analyzer does per ingest request.
  for (let i = 0; i < rows.length; i += 500) writer.write("probe_results", rows.slice(i, i + 500));
  await writer.close();
  return rows.length / ((performance.now() - t0) / 1000);
}

/** Fills probe_results server-side: `n` windows over the 20 pairs of 5 regions, 1 s apart per pair, ending now. */
async function fill(store: ChdbStore, n: number): Promise<void> {
  await store.exec(`INSERT INTO ${store.database}.probe_results
    SELECT
      now64(3) - toIntervalMillisecond(intDiv(number, 20) * 1000) AS ts, 1000,
      arrayElement(['us-east','us-west','eu-central','eu-west','ap-south'], intDiv(number % 20, 4) + 1) AS src,
      arrayElement(arrayFilter(r -> r != src, ['us-east','us-west','eu-central','eu-west','ap-south']), number % 4 + 1) AS dst,
      concat('probe/', src, '-', toString(intDiv(number, 600))),
      if(number % 97 = 0, 'no_media', 'ok'), '', 50, 50 - (number % 3), number % 3, 0, 0,
      (number % 7) / 3, 20 + number % 80, 30 + number % 80, NULL, NULL, [src, dst]
    FROM numbers(${n})`);
}

async function matrixLatency(store: ChdbStore, windowMs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < QUERY_RUNS; i++) {
    const t0 = performance.now();
    await pairMatrix(store, { now: Date.now(), windowMs });
    times.push(performance.now() - t0);
  }
  return sortedCopy(times);
}

const bench: Bench = {
  name: "store",
  description: "writer throughput vs raw chdb insert; pair-matrix query latency at 1M and 10M rows",
  async run(report) {
    const dir = mkdtempSync(join(tmpdir(), "relaywatch-bench-store-"));
    try {
      const store = await ChdbStore.open({ path: join(dir, "data"), database: "bench_raw" });
      await migrate(store);
      report.progress(`generating ${WRITE_ROWS} rows`);
      const rows = makeProbeResults(WRITE_ROWS, { start: Date.now() - 86_400_000, stepMs: 100 }).map(probeResultRow);
      report.progress("raw batched insert");
      const raw = await rawInsert(store, rows);
      await store.close();
      const wstore = await ChdbStore.open({ path: join(dir, "data"), database: "bench_writer" });
      await migrate(wstore);
      report.progress("through the writer");
      const viaWriter = await writerInsert(wstore, rows, join(dir, "spool"));
      report.figure("raw batched insert", raw, "rows/s");
      report.figure("writer throughput", viaWriter, "rows/s", { baseline: raw, note: "goal ratio >= 0.8" });
      await wstore.close();

      for (const n of [1_000_000, 10_000_000]) {
        const s = await ChdbStore.open({ path: join(dir, "data"), database: `bench_matrix_${n}` });
        await migrate(s);
        report.progress(`filling ${n} rows`);
        await fill(s, n);
        await s.exec(`OPTIMIZE TABLE ${s.database}.probe_results FINAL`);
        const label = n === 1_000_000 ? "1M" : "10M";
        const recent = await matrixLatency(s, 60_000);
        report.figure(`matrix query, last 60 s, ${label} rows p50`, quantile(recent, 0.5), "ms", label === "10M" ? { note: "goal < 200 ms" } : {});
        const whole = await matrixLatency(s, 30 * 86_400_000);
        report.figure(`matrix query, all ${label} rows p50`, quantile(whole, 0.5), "ms", label === "10M" ? { note: "goal < 200 ms" } : {});
        await s.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
