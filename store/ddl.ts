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

function localName(spec: TableSpec, ctx: DdlContext): string {
  return ctx.cluster === undefined ? spec.name : `${spec.name}_local`;
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
  if (spec.ttlOn !== undefined) clauses.push(`TTL ${spec.ttlOn} + INTERVAL ${ctx.ttlDays} DAY`);
  if (ctx.cluster === undefined) clauses.push(`SETTINGS non_replicated_deduplication_window = ${DEDUP_WINDOW_BLOCKS}`);
  else clauses.push(`SETTINGS replicated_deduplication_window = ${DEDUP_WINDOW_BLOCKS}`);
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
