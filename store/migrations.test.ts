// migrate() and planMigration() on the real ClickHouse engine (chdb): a changed ttlDays
// reaches every table's live TTL, rows already stored included; a plan runs nothing.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ChdbStore } from "./chdb-backend.js";
import { createTableDdl } from "./ddl.js";
import { migrate, planMigration, planStatements } from "./migrations.js";
import { formatTime } from "./rows.js";
import type { Store } from "./store.js";
import { DATA_TABLES, REGION_HEALTH, SCHEMA_MIGRATIONS } from "./tables.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-migrate-"));
let dbSeq = 0;
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const openFresh = (): Promise<ChdbStore> => ChdbStore.open({ path: join(dir, "data"), database: `migrate_${++dbSeq}` });

const TTL_TABLES = DATA_TABLES.filter((t) => t.ttlOn !== undefined).map((t) => t.name);

async function engineFull(store: Store): Promise<Map<string, string>> {
  const rows = await store.query<{ name: string; engine_full: string }>(`SELECT name, engine_full FROM system.tables WHERE database = {db:String}`, { db: store.database });
  return new Map(rows.map((r) => [r.name, r.engine_full]));
}

describe("migrate() and the TTL", () => {
  it("ttlDays 30, then 7: every table with a TTL is at 7 days, dropping whole parts", async () => {
    const store = await openFresh();
    const first = await migrate(store, { ttlDays: 30 });
    expect(first.ttl).toEqual([]);
    for (const t of TTL_TABLES) expect((await engineFull(store)).get(t), t).toContain("toIntervalDay(30)");
    const second = await migrate(store, { ttlDays: 7 });
    expect(second.applied).toEqual([]);
    expect(second.ttl.map((c) => [c.table, c.fromDays, c.toDays])).toEqual(TTL_TABLES.map((t) => [t, 30, 7]));
    const live = await engineFull(store);
    for (const t of TTL_TABLES) {
      expect(live.get(t), t).toMatch(/ TTL .*\+ toIntervalDay\(7\) SETTINGS /);
      expect(live.get(t), t).toContain("ttl_only_drop_parts = 1");
    }
    expect((await migrate(store, { ttlDays: 7 })).ttl).toEqual([]);
    await store.close();
  });

  it("a shorter TTL applies to rows already stored: a day 10 days old goes at 7 days, not at 30", async () => {
    const store = await openFresh();
    await migrate(store, { ttlDays: 30 });
    const day = 86_400_000;
    const row = (ts: number) => ({ ts: formatTime(ts), region: "eu-west", state: "online", isolation: "guarded", reachable_peers: 1, total_peers: 1, event_loop_lag_ms: 1, reason: "" });
    await store.insert(REGION_HEALTH.name, [row(Date.now() - 10 * day), row(Date.now() - day)]);
    await migrate(store, { ttlDays: 7 });
    // MODIFY TTL materialises the new TTL on existing parts (a mutation); FINAL merges apply it.
    await store.exec(`OPTIMIZE TABLE ${store.database}.${REGION_HEALTH.name} FINAL`);
    const rows = await store.query<{ c: number | string }>(`SELECT count() AS c FROM ${store.database}.${REGION_HEALTH.name}`);
    expect(Number(rows[0]?.c)).toBe(1);
    await store.close();
  });

  it("a store created before ttl_only_drop_parts gets the setting, its TTL unchanged", async () => {
    const store = await openFresh();
    await migrate(store, { ttlDays: 30 });
    const table = `${store.database}.${REGION_HEALTH.name}`;
    await store.exec(`ALTER TABLE ${table} RESET SETTING ttl_only_drop_parts`);
    const plan = await planMigration(store, { ttlDays: 30 });
    expect(planStatements(plan)).toEqual([`ALTER TABLE ${table} MODIFY SETTING ttl_only_drop_parts = 1`]);
    await migrate(store, { ttlDays: 30 });
    expect((await engineFull(store)).get(REGION_HEALTH.name)).toContain("ttl_only_drop_parts = 1");
    await store.close();
  });
});

describe("planMigration() (store migrate --dry-run)", () => {
  it("on a fresh store: the CREATE statements of every migration, nothing run", async () => {
    const store = await openFresh();
    const plan = await planMigration(store, { ttlDays: 14 });
    expect(plan.pending.map((m) => m.version)).toEqual([1, 2, 3, 4]);
    expect(plan.ttl).toEqual([]);
    const sql = planStatements(plan);
    // The embedded store's open() creates the database; the ledger comes first.
    expect(sql[0]).toBe(createTableDdl(SCHEMA_MIGRATIONS, { database: store.database, ttlDays: 14 })[0]);
    expect(sql.every((s) => s.startsWith("CREATE ") || s.includes(" ADD COLUMN IF NOT EXISTS "))).toBe(true);
    expect(sql.filter((s) => s.includes("INTERVAL 14 DAY"))).toHaveLength(TTL_TABLES.length);
    expect((await engineFull(store)).size).toBe(0);
    await store.close();
  });

  it("on a store at 7 days asked for 14: the MODIFY TTL statements, and the TTL stays at 7", async () => {
    const store = await openFresh();
    await migrate(store, { ttlDays: 7 });
    const plan = await planMigration(store, { ttlDays: 14 });
    expect(plan.pending).toEqual([]);
    expect(plan.alreadyApplied).toEqual([1, 2, 3, 4]);
    expect(planStatements(plan)).toEqual(
      DATA_TABLES.filter((t) => t.ttlOn !== undefined).map((t) => `ALTER TABLE ${store.database}.${t.name} MODIFY TTL ${t.ttlOn ?? ""} + INTERVAL 14 DAY`),
    );
    for (const t of TTL_TABLES) expect((await engineFull(store)).get(t), t).toContain("toIntervalDay(7)");
    expect(planStatements(await planMigration(store, { ttlDays: 7 }))).toEqual([]);
    await store.close();
  });
});
