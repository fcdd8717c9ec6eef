import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { ChdbStore } from "../../store/chdb-backend.js";
import { migrate } from "../../store/migrations.js";
import { makeProbeResults } from "../../test/support/store-fixtures.js";
import { StoreWriter } from "../../store/writer.js";
import { ProbeMetrics } from "../metrics.js";
import { StoreSink } from "./store-sink.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-probe-store-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("StoreSink", () => {
  it("writes probe results through the StoreWriter into a real (embedded) ClickHouse and counts them", async () => {
    const store = await ChdbStore.open({ path: join(dir, "data"), database: "probe_sink" });
    try {
      await migrate(store);
      const writer = await StoreWriter.open({ store, spoolDir: join(dir, "spool"), maxDelayMs: 20 });
      const sink = new StoreSink(writer, new ProbeMetrics(new Registry()));
      const results = makeProbeResults(40, { start: Date.now() - 60_000, regions: ["us-west", "eu-west", "eu-central"] });
      sink.submit(results.slice(0, 20));
      sink.submit(results.slice(20));
      await Promise.all([sink.close(), sink.close()]);
      expect(sink.stats()).toEqual({ submitted: 40, delivered: 40, dropped: { buffer_full: 0, rejected: 0, shutdown: 0 }, buffered: 0 });
      const rows = await store.query<{ c: number | string }>("SELECT count() AS c FROM probe_sink.probe_results");
      expect(Number(rows[0]?.c)).toBe(40);
      expect(() => { sink.submit(results); }).toThrow(/closed/);
    } finally {
      await store.close();
    }
  });
});
