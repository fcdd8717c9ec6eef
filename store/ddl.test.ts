import { describe, expect, it } from "vitest";
import { alterTtlDdl, createRollupViewDdl, createTableDdl, DEDUP_WINDOW_BLOCKS, readLiveTtl } from "./ddl.js";
import { MIGRATIONS } from "./migrations.js";
import { PROBE_RESULTS, PROBE_RESULTS_1M, PROBE_RESULTS_1M_SELECT, SCHEMA_MIGRATIONS } from "./tables.js";

/** engine_full as ClickHouse 26.x (chdb) reports it for a table this module created. */
const LIVE_30 =
  "MergeTree PARTITION BY toDate(ts) ORDER BY (src, dst, ts) TTL toDateTime(ts) + toIntervalDay(30) " +
  "SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1, index_granularity = 8192";

describe("DDL generation", () => {
  it("single-server tables are MergeTree with a dedup window, TTL and daily partitions", () => {
    const [ddl, ...rest] = createTableDdl(PROBE_RESULTS, { database: "rw", ttlDays: 14 });
    expect(rest).toEqual([]);
    expect(ddl).toContain("CREATE TABLE IF NOT EXISTS rw.probe_results\n");
    expect(ddl).toContain("ENGINE = MergeTree\n");
    expect(ddl).toContain("PARTITION BY toDate(ts)");
    expect(ddl).toContain("TTL toDateTime(ts) + INTERVAL 14 DAY");
    expect(ddl).toContain(`non_replicated_deduplication_window = ${DEDUP_WINDOW_BLOCKS}`);
    expect(ddl).toContain("src LowCardinality(String)");
    expect(ddl).toContain("ts DateTime64(3, 'UTC')");
    expect(ddl).not.toContain("ON CLUSTER");
  });

  it("cluster mode emits ON CLUSTER ReplicatedMergeTree local tables and a Distributed table of the public name", () => {
    const ctx = { database: "rw", ttlDays: 30, cluster: "mesh" };
    const [local, dist] = createTableDdl(PROBE_RESULTS, ctx);
    expect(local).toContain("CREATE TABLE IF NOT EXISTS rw.probe_results_local ON CLUSTER mesh");
    expect(local).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/rw/probe_results_local', '{replica}')");
    expect(local).toContain("replicated_deduplication_window");
    expect(dist).toBe(
      "CREATE TABLE IF NOT EXISTS rw.probe_results ON CLUSTER mesh AS rw.probe_results_local\n" +
        "ENGINE = Distributed(mesh, rw, probe_results_local, cityHash64(src, dst))",
    );
    const [rollup] = createTableDdl(PROBE_RESULTS_1M, ctx);
    expect(rollup).toContain("ReplicatedAggregatingMergeTree(");
    const view = createRollupViewDdl("probe_results_1m_mv", PROBE_RESULTS, PROBE_RESULTS_1M, PROBE_RESULTS_1M_SELECT, "minute, src, dst", ctx);
    expect(view).toContain("CREATE MATERIALIZED VIEW IF NOT EXISTS rw.probe_results_1m_mv ON CLUSTER mesh\nTO rw.probe_results_1m_local");
    expect(view).toContain("FROM rw.probe_results_local");
  });

  it("tables with a TTL drop whole parts (ttl_only_drop_parts = 1); the ledger, without TTL, does not", () => {
    const [ddl] = createTableDdl(PROBE_RESULTS, { database: "rw", ttlDays: 30 });
    expect(ddl).toContain(`SETTINGS non_replicated_deduplication_window = ${DEDUP_WINDOW_BLOCKS}, ttl_only_drop_parts = 1`);
    const [ledger] = createTableDdl(SCHEMA_MIGRATIONS, { database: "rw", ttlDays: 30 });
    expect(ledger).not.toContain("TTL");
    expect(ledger).not.toContain("ttl_only_drop_parts");
  });

  it("readLiveTtl() reads the days and the drop-parts setting out of engine_full", () => {
    expect(readLiveTtl(LIVE_30)).toEqual({ days: 30, dropsWholeParts: true });
    expect(readLiveTtl("MergeTree ORDER BY version SETTINGS index_granularity = 8192")).toEqual({ days: null, dropsWholeParts: false });
    expect(readLiveTtl("MergeTree PARTITION BY toDate(minute) ORDER BY (src, dst, minute) TTL minute + INTERVAL 7 DAY")).toEqual({ days: 7, dropsWholeParts: false });
    // A TTL of another form (a move, a second rule) is not ours: reported as unknown, so it is rewritten.
    expect(readLiveTtl("MergeTree ORDER BY ts TTL toDateTime(ts) + toIntervalDay(3) TO VOLUME 'cold', toDateTime(ts) + toIntervalDay(30)").days).toBeNull();
  });

  it("alterTtlDdl() is empty when the live TTL matches, and MODIFY TTL (plus the setting when missing) when not", () => {
    expect(alterTtlDdl(PROBE_RESULTS, readLiveTtl(LIVE_30), { database: "rw", ttlDays: 30 })).toEqual([]);
    expect(alterTtlDdl(PROBE_RESULTS, readLiveTtl(LIVE_30), { database: "rw", ttlDays: 7 })).toEqual([
      "ALTER TABLE rw.probe_results MODIFY TTL toDateTime(ts) + INTERVAL 7 DAY",
    ]);
    expect(alterTtlDdl(PROBE_RESULTS_1M, { days: 30, dropsWholeParts: false }, { database: "rw", ttlDays: 14, cluster: "mesh" })).toEqual([
      "ALTER TABLE rw.probe_results_1m_local ON CLUSTER mesh MODIFY SETTING ttl_only_drop_parts = 1",
      "ALTER TABLE rw.probe_results_1m_local ON CLUSTER mesh MODIFY TTL minute + INTERVAL 14 DAY",
    ]);
    expect(alterTtlDdl(SCHEMA_MIGRATIONS, { days: null, dropsWholeParts: false }, { database: "rw", ttlDays: 7 })).toEqual([]);
  });

  it("every migration statement is idempotent (IF NOT EXISTS) in both modes", () => {
    for (const cluster of [undefined, "mesh"]) {
      for (const m of MIGRATIONS) {
        for (const stmt of m.statements({ database: "rw", ttlDays: 30, cluster })) expect(stmt).toMatch(/^(CREATE (TABLE|MATERIALIZED VIEW|DATABASE) IF NOT EXISTS |ALTER TABLE \S+( ON CLUSTER \S+)? ADD COLUMN IF NOT EXISTS )/);
      }
    }
  });
});
