import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ChdbStore } from "./chdb-backend.js";
import { runStoreContract } from "../test/conformance/store-contract.js";
import { migrate } from "./migrations.js";
import { probeResultRow } from "./rows.js";
import { makeProbeResults } from "../test/support/store-fixtures.js";
import { StoreWriter } from "./writer.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-chdb-"));
let dbSeq = 0;
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const openFresh = () => ChdbStore.open({ path: join(dir, "data"), database: `contract_${++dbSeq}` });

runStoreContract("chdb (embedded)", openFresh);

describe("chdb store at volume", () => {
  it("100k rows through the writer read back with exact counts, and the rollup's sums equal the raw table's", async () => {
    const store = await openFresh();
    await migrate(store);
    const writer = await StoreWriter.open({ store, spoolDir: join(dir, "spool-volume"), maxBatchRows: 20_000 });
    const results = makeProbeResults(100_000, { start: Date.now() - 2 * 3_600_000, stepMs: 250, seed: 7 });
    for (let i = 0; i < results.length; i += 5000) writer.write("probe_results", results.slice(i, i + 5000).map(probeResultRow));
    await writer.close();
    expect(writer.stats()).toMatchObject({ insertedRows: 100_000, spooledRows: 0, mode: "direct" });

    const db = store.database;
    const [raw] = await store.query<Record<string, number | string>>(
      `SELECT count() AS windows, countIf(status = 'ok') AS ok, sum(sent) AS sent, sum(received) AS received, sum(lost) AS lost,
              round(sum(ifNull(latency_p50_ms, 0)), 3) AS lat, countIf(latency_p50_ms IS NOT NULL) AS samples
       FROM ${db}.probe_results`,
    );
    const [rolled] = await store.query<Record<string, number | string>>(
      `SELECT sum(windows) AS windows, sum(ok_windows) AS ok, sum(sent) AS sent, sum(received) AS received, sum(lost) AS lost,
              round(sum(latency_p50_sum_ms), 3) AS lat, sum(latency_samples) AS samples
       FROM ${db}.probe_results_1m`,
    );
    expect(Number(raw?.["windows"])).toBe(100_000);
    expect(Number(raw?.["lost"])).toBe(results.reduce((s, r) => s + r.lost, 0));
    expect(Number(raw?.["ok"])).toBe(results.filter((r) => r.status === "ok").length);
    for (const k of ["windows", "ok", "sent", "received", "lost", "lat", "samples"]) expect(Number(rolled?.[k]), k).toBe(Number(raw?.[k]));

    const perPair = await store.query<{ src: string; dst: string; c: number | string }>(
      `SELECT src, dst, count() AS c FROM ${db}.probe_results GROUP BY src, dst ORDER BY src, dst`,
    );
    expect(perPair).toHaveLength(20);
    expect(perPair.reduce((s, r) => s + Number(r.c), 0)).toBe(100_000);
    await store.close();
  });
});
