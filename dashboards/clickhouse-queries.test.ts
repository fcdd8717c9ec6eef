// Every ClickHouse query of every dashboard (panels and variables), expanded the way
// Grafana + grafana-clickhouse-datasource do, runs on the real engine (chdb) against the
// migrated schema and seeded data, and returns the columns its panel reads. The store lives
// in a database that is not the default `relaywatch` (which does not exist here), so a
// query that names a database instead of `${database}` fails.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChdbStore } from "../store/chdb-backend.js";
import { migrate } from "../store/migrations.js";
import { DEFAULT_DATABASE } from "../store/url.js";
import { DASHBOARDS } from "./src/catalog.js";
import { expandClickHouseSql, type ExpansionContext, type TemplateVariable } from "../test/support/clickhouse-macros.js";
import { CLICKHOUSE } from "./src/datasources.js";
import { renderDashboard } from "./src/render.js";
import { DATABASE as DATABASE_QUERY } from "./src/variables.js";
import { seedDashboardData, type SeededRange } from "../test/support/dashboard-seed.js";

/** Where the store's tables are: any name but the default, as `--store http://…/rw_staging` makes. */
const DATABASE = "rw_staging";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-dashboards-"));
let store: ChdbStore;
let range: SeededRange;

beforeAll(async () => {
  store = await ChdbStore.open({ path: join(dir, "data"), database: DATABASE });
  await migrate(store);
  range = await seedDashboardData(store);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Two selections per query: "All", and a multi-value pick (exercises `${var:singlequote}`). */
function contexts(): { label: string; ctx: ExpansionContext }[] {
  const all = (values: readonly string[]): TemplateVariable => ({ values, all: true });
  const pick = (values: readonly string[]): TemplateVariable => ({ values });
  const names = ["RelayLoop", "MissingRelay", "ProbePairFailing"];
  // 60 s: Grafana's interval for a 1 h range on a ~60-point-wide panel.
  const base = { fromMs: range.fromMs, toMs: range.toMs, intervalMs: 60_000 };
  const database: TemplateVariable = { values: [DATABASE] };
  return [
    { label: "All selected", ctx: { ...base, variables: { database, src: all(range.regions), dst: all(range.regions), region: all(range.regions), alertname: all(names) } } },
    {
      label: "two values selected",
      ctx: { ...base, variables: { database, src: pick(["us-west", "eu-central"]), dst: pick(["eu-central", "eu-west"]), region: pick(["eu-central", "eu-west"]), alertname: pick(["RelayLoop", "MissingRelay"]) } },
    },
  ];
}

const toRows = async (sql: string): Promise<Record<string, unknown>[]> => store.query(sql);

describe("the store for these tests", () => {
  it(`is in database ${DATABASE}; the default ${DEFAULT_DATABASE} does not exist`, async () => {
    expect(DATABASE).not.toBe(DEFAULT_DATABASE);
    const rows = await toRows(`SELECT name FROM system.databases WHERE name IN ('${DATABASE}', '${DEFAULT_DATABASE}') ORDER BY name`);
    expect(rows).toEqual([{ name: DATABASE }]);
  });

  it("is the one database the $database variable lists (a database with only some of the tables is not)", async () => {
    await store.exec("CREATE DATABASE IF NOT EXISTS rw_decoy");
    await store.exec("CREATE TABLE IF NOT EXISTS rw_decoy.probe_results (x UInt8) ENGINE = Memory");
    expect(await toRows(DATABASE_QUERY.sql)).toEqual([{ database: DATABASE }]);
  });
});

for (const spec of DASHBOARDS) {
  describe(`dashboard ${spec.file}`, () => {
    it("declares every ClickHouse query its generated JSON runs (none escapes these tests)", () => {
      const json = JSON.parse(renderDashboard(spec.build())) as { panels?: { datasource?: { uid?: string }; targets?: { rawSql?: string; datasource?: { uid?: string } }[] }[] };
      const inJson = (json.panels ?? []).flatMap((p) => (p.targets ?? []).filter((t) => t.datasource?.uid === CLICKHOUSE.uid).map((t) => t.rawSql ?? ""));
      const declared = new Set(spec.clickhouseQueries.map((q) => q.sql));
      for (const sql of inJson) expect(declared.has(sql), sql.slice(0, 80)).toBe(true);
      for (const sql of declared) expect(inJson, `declared but unused: ${sql.slice(0, 60)}`).toContain(sql);
    });

    for (const q of spec.clickhouseQueries) {
      it(`panel query ${q.id} runs on chdb and returns ${q.columns.join(", ")}`, async () => {
        for (const { label, ctx } of contexts()) {
          const sql = expandClickHouseSql(q.sql, ctx);
          expect(sql, "no unexpanded macro or variable").not.toMatch(/\$__|\$\{|\$[a-z]/);
          const rows = await toRows(sql);
          expect(rows.length, `${label}: rows`).toBeGreaterThan(0);
          expect(Object.keys(rows[0] ?? {}), label).toEqual([...q.columns]);
          if (q.format === "timeseries") expect(q.columns[0]).toBe("time");
        }
      });
    }

    for (const v of spec.clickhouseVariables) {
      it(`variable $${v.name} lists the seeded values`, async () => {
        const ctx = contexts()[0]!.ctx;
        const rows = await toRows(expandClickHouseSql(v.sql, ctx));
        expect(rows.length).toBeGreaterThan(0);
        expect(Object.keys(rows[0] ?? {})).toHaveLength(1);
      });
    }
  });
}
