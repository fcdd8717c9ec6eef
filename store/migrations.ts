// Versioned, idempotent migrations, and the TTL kept in step with the configuration.
// Applied versions are recorded in schema_migrations; every CREATE is IF NOT EXISTS, so a
// migration interrupted half-way re-runs safely. A TTL is not a version: each run compares the
// live TTL of every table (system.tables engine_full) with ttlDays and ALTERs what differs.
// planMigration() reads and never writes, so `store migrate --dry-run` can print the DDL.
import type { Store } from "./store.js";
import { formatTime } from "./rows.js";
import { alterTtlDdl, createDatabaseDdl, createRollupViewDdl, createTableDdl, localName, readLiveTtl, type DdlContext } from "./ddl.js";
import {
  ACTIONS,
  ALERTS,
  DATA_TABLES,
  PROBE_RESULTS,
  PROBE_RESULTS_1M,
  PROBE_RESULTS_1M_SELECT,
  PROBE_VIA_COLUMN,
  REGION_HEALTH,
  RELAY_EDGES,
  SCHEMA_MIGRATIONS,
} from "./tables.js";

export interface Migration {
  version: number;
  name: string;
  statements(ctx: DdlContext): string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "create probe_results, relay_edges, region_health, alerts",
    statements: (ctx) => [
      ...createTableDdl(PROBE_RESULTS, ctx),
      ...createTableDdl(RELAY_EDGES, ctx),
      ...createTableDdl(REGION_HEALTH, ctx),
      ...createTableDdl(ALERTS, ctx),
    ],
  },
  {
    version: 2,
    name: "create probe_results_1m rollup and its materialised view",
    statements: (ctx) => [
      ...createTableDdl(PROBE_RESULTS_1M, ctx),
      createRollupViewDdl("probe_results_1m_mv", PROBE_RESULTS, PROBE_RESULTS_1M, PROBE_RESULTS_1M_SELECT, "minute, src, dst", ctx),
    ],
  },
  {
    version: 3,
    name: "probe_results.via (direct or turn: TURN probes, issue 20)",
    statements: (ctx) => addColumnDdl(PROBE_RESULTS.name, PROBE_VIA_COLUMN, ctx),
  },
  {
    version: 4,
    name: "create actions (on-call mitigations, audited: issue 18)",
    statements: (ctx) => createTableDdl(ACTIONS, ctx),
  },
];

/** ADD COLUMN IF NOT EXISTS on the table (a fresh one already has it), and on a cluster its `_local` table first. */
function addColumnDdl(name: string, [column, type]: [string, string], ctx: DdlContext): string[] {
  const add = (table: string): string => `ALTER TABLE ${ctx.database}.${table}${ctx.cluster === undefined ? "" : ` ON CLUSTER ${ctx.cluster}`} ADD COLUMN IF NOT EXISTS ${column} ${type}`;
  return ctx.cluster === undefined ? [add(name)] : [add(`${name}_local`), add(name)];
}

export const LATEST_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** A table whose live TTL differs from the configured one, and the DDL that fixes it. */
export interface TtlChange {
  table: string;
  /** Live TTL in days; null when the table has none (or one not of our form). */
  fromDays: number | null;
  toDays: number;
  statements: string[];
}

/** What migrate() would run, in order; nothing in it has run. */
export interface MigrationPlan {
  /** CREATE DATABASE and schema_migrations, for what does not exist yet. */
  bootstrap: string[];
  pending: { version: number; name: string; statements: string[] }[];
  ttl: TtlChange[];
  alreadyApplied: number[];
}

export interface MigrationReport {
  applied: { version: number; name: string }[];
  alreadyApplied: number[];
  version: number;
  ttl: TtlChange[];
}

export interface MigrateOptions {
  ttlDays?: number;
  now?: () => number;
}

/** 30 days: enough history for monthly reviews and MTTR figures on one modest server. */
export const DEFAULT_TTL_DAYS = 30;

export async function appliedVersions(store: Store): Promise<number[]> {
  const rows = await store.query<{ version: number | string }>(
    `SELECT DISTINCT version FROM ${store.database}.schema_migrations ORDER BY version`,
  );
  return rows.map((r) => Number(r.version));
}

function context(store: Store, options: MigrateOptions): DdlContext {
  return { database: store.database, cluster: store.cluster, ttlDays: options.ttlDays ?? DEFAULT_TTL_DAYS };
}

/** Reads the store's schema and TTLs and returns the DDL migrate() would run; writes nothing. */
export async function planMigration(store: Store, options: MigrateOptions = {}): Promise<MigrationPlan> {
  const ctx = context(store, options);
  const [db] = await store.query<{ c: number | string }>(`SELECT count() AS c FROM system.databases WHERE name = {db:String}`, { db: ctx.database });
  const rows = await store.query<{ name: string; engine_full: string }>(
    `SELECT name, engine_full FROM system.tables WHERE database = {db:String}`, { db: ctx.database },
  );
  const live = new Map(rows.map((r) => [r.name, r.engine_full]));
  const bootstrap: string[] = [];
  if (Number(db?.c ?? 0) === 0) bootstrap.push(createDatabaseDdl(ctx));
  const hasLedger = live.has(SCHEMA_MIGRATIONS.name);
  if (!hasLedger) bootstrap.push(...createTableDdl(SCHEMA_MIGRATIONS, ctx));
  const done = new Set(hasLedger ? await appliedVersions(store) : []);
  const pending = MIGRATIONS.filter((m) => !done.has(m.version)).map((m) => ({ version: m.version, name: m.name, statements: m.statements(ctx) }));
  const ttl: TtlChange[] = [];
  for (const spec of DATA_TABLES) {
    const engineFull = live.get(localName(spec, ctx));
    // A table not there yet is created by a pending migration, with the configured TTL.
    if (engineFull === undefined) continue;
    const current = readLiveTtl(engineFull);
    const statements = alterTtlDdl(spec, current, ctx);
    if (statements.length > 0) ttl.push({ table: spec.name, fromDays: current.days, toDays: ctx.ttlDays, statements });
  }
  return { bootstrap, pending, ttl, alreadyApplied: [...done].sort((a, b) => a - b) };
}

/** Every statement of a plan, in the order migrate() runs them. */
export function planStatements(plan: MigrationPlan): string[] {
  return [...plan.bootstrap, ...plan.pending.flatMap((m) => m.statements), ...plan.ttl.flatMap((t) => t.statements)];
}

export async function migrate(store: Store, options: MigrateOptions = {}): Promise<MigrationReport> {
  const now = options.now ?? Date.now;
  const plan = await planMigration(store, options);
  for (const stmt of plan.bootstrap) await store.exec(stmt);
  for (const m of plan.pending) {
    for (const stmt of m.statements) await store.exec(stmt);
    await store.insert("schema_migrations", [{ version: m.version, name: m.name, applied_at: formatTime(now()) }], {
      dedupToken: `migration-${m.version}`,
    });
  }
  for (const change of plan.ttl) for (const stmt of change.statements) await store.exec(stmt);
  const applied = plan.pending.map(({ version, name }) => ({ version, name }));
  const version = Math.max(0, ...plan.alreadyApplied, ...applied.map((a) => a.version));
  return { applied, alreadyApplied: plan.alreadyApplied, version, ttl: plan.ttl };
}
