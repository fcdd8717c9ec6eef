import { describe, expect, it } from "vitest";
import { createRollupViewDdl, createTableDdl, DEDUP_WINDOW_BLOCKS } from "./ddl.js";
import { MIGRATIONS } from "./migrations.js";
import { PROBE_RESULTS, PROBE_RESULTS_1M, PROBE_RESULTS_1M_SELECT } from "./tables.js";

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

  it("every migration statement is idempotent (IF NOT EXISTS) in both modes", () => {
    for (const cluster of [undefined, "mesh"]) {
      for (const m of MIGRATIONS) {
        for (const stmt of m.statements({ database: "rw", ttlDays: 30, cluster })) expect(stmt).toMatch(/^CREATE (TABLE|MATERIALIZED VIEW|DATABASE) IF NOT EXISTS /);
      }
    }
  });
});
