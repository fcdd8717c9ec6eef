// DDL for one ClickHouse server or a cluster, generated from the table specs.
// Single server: MergeTree tables with a non-replicated dedup window (so insert
// deduplication tokens work). Cluster: `<name>_local` ReplicatedMergeTree tables ON CLUSTER
// and a `<name>` Distributed table over them, so queries use the same names in both modes.
import type { TableSpec } from "./tables.js";

export interface DdlContext {
  database: string;
  cluster?: string | undefined;
  ttlDays: number;
}

/**
 * Blocks remembered for insert deduplication. 10,000: a spool replays at most a few
 * thousand batches per outage; each must be recognised if it was already written.
 */
export const DEDUP_WINDOW_BLOCKS = 10_000;

function onCluster(ctx: DdlContext): string {
  return ctx.cluster === undefined ? "" : ` ON CLUSTER ${ctx.cluster}`;
}

/**
 * ttl_only_drop_parts = 1 on every table with a TTL: our TTL tables are partitioned by day on
 * the TTL's own timestamp, so each part lies within one day and expires whole; ClickHouse then
 * drops expired parts instead of rewriting them row by row in TTL merges (ClickHouse docs,
 * MergeTree settings, "ttl_only_drop_parts"; ClickStack sets it on its TTL tables too).
 */
export const TTL_ONLY_DROP_PARTS = "ttl_only_drop_parts = 1";

/** The table that holds the rows (and the TTL): `<name>_local` on a cluster, else the table. */
export function localName(spec: TableSpec, ctx: DdlContext): string {
  return ctx.cluster === undefined ? spec.name : `${spec.name}_local`;
}

/** Whether the table's TTL lines up with its daily partitions, so whole parts can drop. */
function dropsWholeParts(spec: TableSpec): boolean {
  return spec.ttlOn !== undefined && spec.partitionBy !== undefined;
}

function ttlExpression(ttlOn: string, ttlDays: number): string {
  return `${ttlOn} + INTERVAL ${ttlDays} DAY`;
}

export function createTableDdl(spec: TableSpec, ctx: DdlContext): string[] {
  const cols = spec.columns.map(([n, t]) => `    ${n} ${t}`).join(",\n");
  const local = localName(spec, ctx);
  const engine =
    ctx.cluster === undefined
      ? spec.engine
      : `Replicated${spec.engine}('/clickhouse/tables/{shard}/${ctx.database}/${local}', '{replica}')`;
  const clauses = [`ENGINE = ${engine}`];
  if (spec.partitionBy !== undefined) clauses.push(`PARTITION BY ${spec.partitionBy}`);
  clauses.push(`ORDER BY ${spec.orderBy}`);
  if (spec.ttlOn !== undefined) clauses.push(`TTL ${ttlExpression(spec.ttlOn, ctx.ttlDays)}`);
  const settings = [`${ctx.cluster === undefined ? "non_replicated" : "replicated"}_deduplication_window = ${DEDUP_WINDOW_BLOCKS}`];
  if (dropsWholeParts(spec)) settings.push(TTL_ONLY_DROP_PARTS);
  clauses.push(`SETTINGS ${settings.join(", ")}`);
  const stmts = [`CREATE TABLE IF NOT EXISTS ${ctx.database}.${local}${onCluster(ctx)}\n(\n${cols}\n)\n${clauses.join("\n")}`];
  if (ctx.cluster !== undefined) {
    stmts.push(
      `CREATE TABLE IF NOT EXISTS ${ctx.database}.${spec.name}${onCluster(ctx)} AS ${ctx.database}.${local}\n` +
        `ENGINE = Distributed(${ctx.cluster}, ${ctx.database}, ${local}, ${spec.shardBy})`,
    );
  }
  return stmts;
}

/** A materialised view from one table's inserts into a rollup table (local tables on a cluster). */
export function createRollupViewDdl(
  view: string,
  source: TableSpec,
  target: TableSpec,
  select: string,
  groupBy: string,
  ctx: DdlContext,
): string {
  return (
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ctx.database}.${view}${onCluster(ctx)}\n` +
    `TO ${ctx.database}.${localName(target, ctx)}\n` +
    `AS ${select}\nFROM ${ctx.database}.${localName(source, ctx)}\nGROUP BY ${groupBy}`
  );
}

export function createDatabaseDdl(ctx: DdlContext): string {
  return `CREATE DATABASE IF NOT EXISTS ${ctx.database}${onCluster(ctx)}`;
}

/** A table's TTL as the server reports it (system.tables engine_full): the days, and the drop-parts setting. */
export interface LiveTtl {
  /** Days of the `+ toIntervalDay(N)` in the table's TTL; null when it has no TTL, or another form. */
  days: number | null;
  dropsWholeParts: boolean;
}

/** Reads `TTL … + toIntervalDay(N)` and `ttl_only_drop_parts = 1` out of engine_full (pure). */
export function readLiveTtl(engineFull: string): LiveTtl {
  const settingsAt = engineFull.search(/\sSETTINGS\s/);
  const head = settingsAt === -1 ? engineFull : engineFull.slice(0, settingsAt);
  const settings = settingsAt === -1 ? "" : engineFull.slice(settingsAt);
  const ttl = /\sTTL\s(.*)$/s.exec(head)?.[1] ?? "";
  const days = /^[^,]*\+\s*(?:toIntervalDay\((\d+)\)|INTERVAL\s+(\d+)\s+DAY)\s*$/i.exec(ttl.trim());
  const n = days?.[1] ?? days?.[2];
  return { days: n === undefined ? null : Number(n), dropsWholeParts: /\bttl_only_drop_parts\s*=\s*1\b/.test(settings) };
}

/**
 * Brings a live table's TTL to ctx.ttlDays: `MODIFY SETTING ttl_only_drop_parts = 1` where it
 * applies and is missing, then `MODIFY TTL` when the days differ. ClickHouse refuses
 * MODIFY SETTING and MODIFY TTL in one ALTER, hence two statements. Left to the server's
 * default materialize_ttl_after_modify = 1, so rows already stored are judged by the new TTL
 * (a shorter TTL frees their space; with whole-part drops, expired days go as parts).
 * Empty when the table already matches. On a cluster: the `_local` tables, ON CLUSTER.
 */
export function alterTtlDdl(spec: TableSpec, live: LiveTtl, ctx: DdlContext): string[] {
  if (spec.ttlOn === undefined) return [];
  const table = `${ctx.database}.${localName(spec, ctx)}${onCluster(ctx)}`;
  const stmts: string[] = [];
  if (dropsWholeParts(spec) && !live.dropsWholeParts) stmts.push(`ALTER TABLE ${table} MODIFY SETTING ${TTL_ONLY_DROP_PARTS}`);
  if (live.days !== ctx.ttlDays) stmts.push(`ALTER TABLE ${table} MODIFY TTL ${ttlExpression(spec.ttlOn, ctx.ttlDays)}`);
  return stmts;
}
