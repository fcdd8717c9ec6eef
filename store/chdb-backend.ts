// Embedded ClickHouse (chdb). chdb allows one active data directory per process, so in
// embedded mode one process (the analyzer, or a CLI command) owns the store.
import { mkdirSync } from "node:fs";
import { Session } from "chdb";
import { InvalidStateError, RelaywatchError, errorMessage } from "../core/errors.js";
import type { InsertOptions, QueryParams, Store } from "./store.js";
import { DEFAULT_DATABASE } from "./url.js";

export interface ChdbStoreOptions {
  path: string;
  database?: string;
}

export class ChdbStore implements Store {
  readonly kind = "chdb" as const;
  readonly database: string;
  readonly cluster = undefined;
  private session: Session | null;

  private constructor(session: Session, database: string) {
    this.session = session;
    this.database = database;
  }

  static async open(options: ChdbStoreOptions): Promise<ChdbStore> {
    mkdirSync(options.path, { recursive: true });
    let session: Session;
    try {
      session = new Session(options.path);
    } catch (err) {
      throw new RelaywatchError("store_unavailable", `cannot open embedded store at ${options.path}: ${errorMessage(err)}`, { cause: err });
    }
    const store = new ChdbStore(session, options.database ?? DEFAULT_DATABASE);
    await store.exec(`CREATE DATABASE IF NOT EXISTS ${store.database}`);
    return store;
  }

  async exec(sql: string): Promise<void> {
    const s = this.live();
    try {
      await s.queryAsync(sql);
    } catch (err) {
      throw queryError(sql, err);
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params: QueryParams = {}): Promise<T[]> {
    const s = this.live();
    let text: string;
    try {
      const r = await s.queryBindAsync(sql, params, { format: "JSONEachRow" });
      text = r.text();
    } catch (err) {
      throw queryError(sql, err);
    }
    return parseJsonEachRow<T>(text);
  }

  async insert(table: string, rows: readonly Record<string, unknown>[], options: InsertOptions = {}): Promise<void> {
    if (rows.length === 0) return;
    const s = this.live();
    const payload = Buffer.from(rows.map((r) => JSON.stringify(r)).join("\n"));
    const settings: Record<string, string | number> = { deduplicate_blocks_in_dependent_materialized_views: 1 };
    if (options.dedupToken !== undefined) settings["insert_deduplication_token"] = options.dedupToken;
    try {
      await s.insert({ table: `${this.database}.${table}`, values: payload, format: "JSONEachRow", settings });
    } catch (err) {
      throw new RelaywatchError("store_query_failed", `insert into ${table} failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  ping(): Promise<boolean> {
    if (this.session === null) return Promise.resolve(false);
    return this.query("SELECT 1 AS one").then(
      () => true,
      () => false,
    );
  }

  close(): Promise<void> {
    this.session?.close();
    this.session = null;
    return Promise.resolve();
  }

  private live(): Session {
    if (this.session === null) throw new InvalidStateError("store is closed");
    return this.session;
  }
}

export function parseJsonEachRow<T>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() !== "") out.push(JSON.parse(line) as T);
  }
  return out;
}

function queryError(sql: string, err: unknown): RelaywatchError {
  const head = sql.replace(/\s+/g, " ").trim().slice(0, 120);
  return new RelaywatchError("store_query_failed", `${errorMessage(err).split("\n")[0] ?? ""} (in: ${head})`, { cause: err });
}
