// The store contract: one suite every backend must pass (chdb always; a real ClickHouse
// server when RELAYWATCH_TEST_CLICKHOUSE_URL is set). Called from *.test.ts files only.
import { describe, expect, it } from "vitest";
import { RelaywatchError } from "../../core/errors.js";
import type { RelayEdge } from "../../core/relay-edge.js";
import { migrate, LATEST_VERSION } from "../../store/migrations.js";
import { alertsInRange, pairHistory, pairMatrix, relayEdgesAt } from "../../store/queries.js";
import { alertRow, probeResultRow, relayEdgeRow } from "../../store/rows.js";
import type { Store } from "../../store/store.js";
import { DATA_TABLES } from "../../store/tables.js";
import { makeAlert, makeProbeResults } from "../support/store-fixtures.js";

/**
 * Test data is stamped relative to the real clock: rows older than the tables' TTL are
 * dropped by ClickHouse on merge, so fixed dates would start failing a month later.
 */
const HOUR_AGO = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;

/** `open` returns a store on a fresh, empty database each call. */
export function runStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    it("migrate() creates every table and is a no-op the second time", async () => {
      const store = await open();
      const first = await migrate(store);
      expect(first.applied.map((a) => a.version)).toEqual([1, 2, 3, 4]);
      expect(first.version).toBe(LATEST_VERSION);
      const second = await migrate(store);
      expect(second.applied).toEqual([]);
      expect(second.alreadyApplied).toEqual([1, 2, 3, 4]);
      const tables = await store.query<{ name: string }>(`SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name`, { db: store.database });
      const names = tables.map((t) => t.name);
      for (const t of [...DATA_TABLES.map((d) => d.name), "schema_migrations", "probe_results_1m_mv", "actions"]) expect(names).toContain(t);
      const versions = await store.query<{ c: number | string }>(`SELECT count() AS c FROM ${store.database}.schema_migrations`);
      expect(Number(versions[0]?.c)).toBe(4);
      await store.close();
    });

    it("every data table has a TTL and LowCardinality regions in SHOW CREATE", async () => {
      const store = await open();
      await migrate(store, { ttlDays: 7 });
      for (const spec of DATA_TABLES) {
        const rows = await store.query<{ statement: string }>(`SHOW CREATE TABLE ${store.database}.${spec.name}`);
        const ddl = rows[0]?.statement ?? "";
        expect(ddl, spec.name).toMatch(/TTL .*toIntervalDay\(7\)|TTL .*INTERVAL 7 DAY/);
        expect(ddl, spec.name).toContain("PARTITION BY toDate(");
        if (spec.columns.some(([c]) => c === "src" || c === "region")) expect(ddl, spec.name).toContain("LowCardinality(String)");
      }
      await store.close();
    });

    it("an insert repeated with the same dedup token is written once, rollup included; a new token is a new batch", async () => {
      const store = await open();
      await migrate(store);
      const rows = makeProbeResults(40, { start: HOUR_AGO }).map(probeResultRow);
      await store.insert("probe_results", rows, { dedupToken: "t-1" });
      await store.insert("probe_results", rows, { dedupToken: "t-1" });
      await store.insert("probe_results", rows.slice(0, 10), { dedupToken: "t-2" });
      // Identical rows under a new token are a new batch, not a retry: kept.
      await store.insert("probe_results", rows, { dedupToken: "t-3" });
      const raw = await store.query<{ c: number | string }>(`SELECT count() AS c FROM ${store.database}.probe_results`);
      expect(Number(raw[0]?.c)).toBe(90);
      const rolled = await store.query<{ w: number | string }>(`SELECT sum(windows) AS w FROM ${store.database}.probe_results_1m`);
      expect(Number(rolled[0]?.w)).toBe(90);
      await store.close();
    });

    it("the queries answer the matrix, a pair's history, alerts in a range and edges at a time", async () => {
      const store = await open();
      await migrate(store);
      const start = HOUR_AGO;
      const results = makeProbeResults(200, { start, regions: ["us-east", "eu-west"] });
      await store.insert("probe_results", results.map(probeResultRow));
      const now = start + 99_000;
      const matrix = await pairMatrix(store, { now, windowMs: 10_000 });
      expect(matrix.map((m) => `${m.src}>${m.dst}`)).toEqual(["eu-west>us-east", "us-east>eu-west"]);
      const inWindow = results.filter((r) => r.ts > now - 10_000 && r.ts <= now && r.src === "us-east");
      const ue = matrix.find((m) => m.src === "us-east");
      expect(ue?.windows).toBe(inWindow.length);
      expect(ue?.okWindows).toBe(inWindow.filter((r) => r.status === "ok").length);
      expect(ue?.lost).toBe(inWindow.reduce((s, r) => s + r.lost, 0));
      expect(ue?.lastTs).toBe(Math.max(...inWindow.map((r) => r.ts)));

      const hist = await pairHistory(store, { src: "eu-west", dst: "us-east", from: start, to: start + 4_000 });
      expect(hist.map((h) => h.ts)).toEqual([4, 3, 2, 1, 0].map((i) => start + i * 1000));
      const expected = results.find((r) => r.src === "eu-west" && r.ts === start + 4000);
      // Float32 columns: compare jitter to 4 decimals, everything else exactly.
      expect({ ...hist[0], jitterMs: 0 }).toEqual({ ...expected, jitterMs: 0 });
      expect(hist[0]?.jitterMs).toBeCloseTo(expected?.jitterMs ?? -1, 4);

      const t = (ms: number) => HOUR_AGO + ms;
      const a1 = makeAlert({ fingerprint: "a1", startsAt: t(1000), updatedAt: t(1000) });
      const a1r = { ...a1, state: "resolved" as const, endsAt: t(5000), updatedAt: t(5000) };
      const a2 = makeAlert({ fingerprint: "a2", name: "FalseIsolation", startsAt: t(8000), updatedAt: t(8000), labels: { region: "us-east", severity: "critical" } });
      await store.insert("alerts", [a1, a1r, a2].map(alertRow));
      expect((await alertsInRange(store, { from: t(0), to: t(2000) })).map((a) => [a.fingerprint, a.state])).toEqual([["a1", "firing"]]);
      expect((await alertsInRange(store, { from: t(6000), to: t(9000) })).map((a) => a.fingerprint)).toEqual(["a2"]);
      const both = await alertsInRange(store, { from: t(0), to: t(9000) });
      expect(both.find((a) => a.fingerprint === "a1")).toMatchObject({ state: "resolved", endsAt: t(5000), evidence: a1.evidence });

      const edge = { track: "room/cam", origin: "us-west", packets: 0, bytes: 0, kind: "change" as const };
      const edges: RelayEdge[] = [
        { ...edge, ts: t(1000), region: "eu-central", upstream: "eu-west", state: "pulling", path: ["eu-central", "eu-west"] },
        { ...edge, ts: t(1000), region: "eu-west", upstream: "eu-central", state: "pulling", path: ["eu-west", "eu-central"] },
        { ...edge, ts: t(3000), region: "eu-central", upstream: "us-west", state: "flowing", path: ["eu-central", "us-west"], packets: 10 },
      ];
      await store.insert("relay_edges", edges.map(relayEdgeRow));
      const at2 = await relayEdgesAt(store, { track: "room/cam", at: t(2000) });
      expect(at2.map((e) => `${e.region}<${e.upstream ?? ""}`)).toEqual(["eu-central<eu-west", "eu-west<eu-central"]);
      const at4 = await relayEdgesAt(store, { track: "room/cam", at: t(4000) });
      expect(at4.find((e) => e.region === "eu-central")).toMatchObject({ upstream: "us-west", state: "flowing", packets: 10 });
      await store.close();
    });

    it("a malformed query fails with store_query_failed and a closed store rejects calls", async () => {
      const store = await open();
      await expect(store.query("SELEC nonsense")).rejects.toMatchObject({ code: "store_query_failed" });
      await expect(store.insert("no_such_table", [{ a: 1 }])).rejects.toBeInstanceOf(RelaywatchError);
      await store.close();
      await store.close();
      await expect(store.query("SELECT 1")).rejects.toMatchObject({ code: "invalid_state" });
    });
  });
}
