// `relaywatch store migrate|status|query`: the ClickHouse store from the command line.
import { readdir } from "node:fs/promises";
import { Command, InvalidArgumentError, Option } from "commander";
import { LATEST_VERSION, MIGRATIONS, appliedVersions, migrate, planMigration, planStatements } from "../../store/migrations.js";
import { openStore } from "../../store/open.js";
import { tableCounts } from "../../store/queries.js";
import type { Store } from "../../store/store.js";
import { describeLocation, parseStoreUrl } from "../../store/url.js";
import { loadConfig } from "../config.js";
import { formatTable } from "../format-table.js";
import { runAction } from "../run-action.js";
import { applyTlsCa, tlsCaOption, type TlsOpts } from "../tls-options.js";

interface StoreOpts extends TlsOpts {
  config?: string;
  store?: string;
  cluster?: string;
}

function withStoreOptions(cmd: Command): Command {
  return cmd
    .option("-c, --config <file>", "relaywatch.yaml to read (default: ./relaywatch.yaml if present)")
    .option("--store <url>", "a directory (embedded chdb) or http://user:pass@host:8123/db; env RELAYWATCH_STORE")
    .option("--cluster <name>", "ClickHouse cluster: ON CLUSTER DDL with ReplicatedMergeTree + Distributed tables")
    .addOption(tlsCaOption());
}

async function withStore<T>(opts: StoreOpts, fn: (store: Store, description: string, spoolDir: string, ttlDays: number) => Promise<T>): Promise<T> {
  const config = loadConfig(opts.config);
  applyTlsCa(opts);
  const url = opts.store ?? config.store.url;
  const cluster = opts.cluster ?? config.store.cluster;
  const store = await openStore({ url, cluster });
  try {
    return await fn(store, describeLocation(parseStoreUrl(url)), config.store.spoolDir, config.store.ttlDays);
  } finally {
    await store.close();
  }
}

export function storeCommand(): Command {
  const cmd = new Command("store").description("ClickHouse store: migrate, status, query");

  withStoreOptions(cmd.command("migrate").description("Create or upgrade relaywatch's tables and apply a changed TTL (idempotent)"))
    .addOption(new Option("--ttl-days <n>", "days of history to keep (TTL); default from config, 30").argParser(positiveInt))
    .option("--dry-run", "print the DDL it would run (CREATE, ALTER … MODIFY TTL), run nothing")
    .action(
      runAction(async (opts: StoreOpts & { ttlDays?: number; dryRun?: boolean }) => {
        await withStore(opts, (store, description, _spool, ttlDays) => runMigrate(store, description, opts.ttlDays ?? ttlDays, opts.dryRun === true));
      }),
    );

  withStoreOptions(cmd.command("status").description("Schema version, pending migrations, row counts and the writer spool"))
    .option("--json", "print one JSON object")
    .action(
      runAction(async (opts: StoreOpts & { json?: boolean }) => {
        await withStore(opts, async (store, description, spoolDir) => {
          const reachable = await store.ping();
          const applied = reachable ? await appliedVersions(store).catch(() => []) : [];
          const pending = MIGRATIONS.filter((m) => !applied.includes(m.version)).map((m) => ({ version: m.version, name: m.name }));
          const counts = reachable && applied.length > 0 ? await tableCounts(store) : {};
          const spool = await spoolState(spoolDir);
          const status = { store: description, reachable, version: Math.max(0, ...applied), latest: LATEST_VERSION, pending, rows: counts, spool };
          if (opts.json === true) {
            process.stdout.write(`${JSON.stringify(status)}\n`);
            return;
          }
          process.stdout.write(`store:    ${description} (${reachable ? "reachable" : "UNREACHABLE"})\n`);
          process.stdout.write(`schema:   version ${status.version} of ${LATEST_VERSION}${pending.length > 0 ? `, ${pending.length} pending: run \`relaywatch store migrate\`` : ""}\n`);
          process.stdout.write(`spool:    ${spool.segments} segment(s) waiting in ${spoolDir}${spool.deadLetters ? ", dead letters present (dead-letter.jsonl)" : ""}\n`);
          if (Object.keys(counts).length > 0) process.stdout.write(formatTable(Object.entries(counts).map(([table, rows]) => ({ table, rows }))));
          if (!reachable) process.exitCode = 1;
        });
      }),
    );

  withStoreOptions(cmd.command("query").description("Run one SQL query against the store and print the rows"))
    .argument("<sql>", "the query, e.g. \"SELECT src, dst, count() FROM relaywatch.probe_results GROUP BY src, dst\"")
    .addOption(new Option("--format <format>", "output format").choices(["table", "json"]).default("table"))
    .action(
      runAction(async (sql: string, opts: StoreOpts & { format: "table" | "json" }) => {
        await withStore(opts, async (store) => {
          const rows = await store.query(sql);
          if (opts.format === "json") for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
          else process.stdout.write(formatTable(rows));
        });
      }),
    );
  return cmd;
}

async function runMigrate(store: Store, description: string, ttlDays: number, dryRun: boolean): Promise<void> {
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  if (dryRun) {
    const statements = planStatements(await planMigration(store, { ttlDays }));
    if (statements.length === 0) out(`-- dry run on ${description}: nothing to do (schema at version ${LATEST_VERSION}, TTL ${ttlDays} days)`);
    else out(`-- dry run on ${description}: the DDL \`relaywatch store migrate\` would run (nothing has run)\n${statements.map((sql) => `${sql};\n`).join("\n")}`);
    return;
  }
  out(`migrating ${description}`);
  const report = await migrate(store, { ttlDays });
  for (const a of report.applied) out(`  applied ${a.version}: ${a.name}`);
  for (const t of report.ttl) out(`  ${t.table}: TTL ${t.fromDays === null ? "none" : `${t.fromDays} days`} -> ${t.toDays} days`);
  if (report.applied.length === 0 && report.ttl.length === 0) out(`  nothing to do: already at version ${report.version}, TTL ${ttlDays} days`);
  else out(`schema at version ${report.version}, TTL ${ttlDays} days`);
}

async function spoolState(dir: string): Promise<{ segments: number; deadLetters: boolean }> {
  try {
    const names = await readdir(dir);
    return { segments: names.filter((n) => n.startsWith("segment-")).length, deadLetters: names.includes("dead-letter.jsonl") };
  } catch {
    return { segments: 0, deadLetters: false };
  }
}

function positiveInt(v: string): number {
  const n = Number(v);
  // Commander reports it as a usage error naming the option and the value (exit 2).
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("expected a positive whole number of days, like 30");
  return n;
}
