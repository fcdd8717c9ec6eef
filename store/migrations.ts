// Versioned, idempotent migrations. Applied versions are recorded in schema_migrations;
// every statement is IF NOT EXISTS, so a migration interrupted half-way re-runs safely.
import type { Store } from "./store.js";
import { formatTime } from "./rows.js";
import { createDatabaseDdl, createRollupViewDdl, createTableDdl, type DdlContext } from "./ddl.js";
import {
  ALERTS,
  PROBE_RESULTS,
  PROBE_RESULTS_1M,
  PROBE_RESULTS_1M_SELECT,
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
];

export const LATEST_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

export interface MigrationReport {
  applied: { version: number; name: string }[];
  alreadyApplied: number[];
  version: number;
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

export async function migrate(store: Store, options: MigrateOptions = {}): Promise<MigrationReport> {
  const ctx: DdlContext = { database: store.database, cluster: store.cluster, ttlDays: options.ttlDays ?? DEFAULT_TTL_DAYS };
  const now = options.now ?? Date.now;
  await store.exec(createDatabaseDdl(ctx));
  for (const stmt of createTableDdl(SCHEMA_MIGRATIONS, ctx)) await store.exec(stmt);
  const done = new Set(await appliedVersions(store));
  const report: MigrationReport = { applied: [], alreadyApplied: [...done].sort((a, b) => a - b), version: 0 };
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    for (const stmt of m.statements(ctx)) await store.exec(stmt);
    await store.insert("schema_migrations", [{ version: m.version, name: m.name, applied_at: formatTime(now()) }], {
      dedupToken: `migration-${m.version}`,
    });
    report.applied.push({ version: m.version, name: m.name });
  }
  report.version = Math.max(0, ...report.alreadyApplied, ...report.applied.map((a) => a.version));
  return report;
}
