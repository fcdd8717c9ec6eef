// A ClickHouse server (or cluster) over HTTP, through @clickhouse/client.
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from "@clickhouse/client";
import { InvalidStateError, RelaywatchError, errorMessage } from "../core/errors.js";
import type { InsertOptions, QueryParams, Store } from "./store.js";

export interface RemoteStoreOptions {
  url: string;
  username: string;
  password: string;
  database: string;
  /** When set, DDL is emitted ON CLUSTER with ReplicatedMergeTree + Distributed tables. */
  cluster?: string;
  requestTimeoutMs?: number;
}

/** 10 s: long enough for a large batch on a busy server, short enough that the writer spools promptly. */
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export class RemoteStore implements Store {
  readonly kind = "remote" as const;
  readonly database: string;
  readonly cluster: string | undefined;
  private client: ClickHouseClient | null;

  private constructor(client: ClickHouseClient, database: string, cluster: string | undefined) {
    this.client = client;
    this.database = database;
    this.cluster = cluster;
  }

  /** Connects lazily: opening never fails because the server is down (the writer spools). */
  static open(options: RemoteStoreOptions): RemoteStore {
    const client = createClient({
      url: options.url,
      username: options.username,
      password: options.password,
      request_timeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
      // Failures surface as RelaywatchErrors to the caller (and the writer logs them once);
      // the client's own console logging would print every refused connection again.
      log: { level: ClickHouseLogLevel.OFF },
    });
    return new RemoteStore(client, options.database, options.cluster);
  }

  async exec(sql: string): Promise<void> {
    const c = this.live();
    try {
      await c.command({ query: sql });
    } catch (err) {
      throw wrap(`command failed`, err);
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params: QueryParams = {}): Promise<T[]> {
    const c = this.live();
    try {
      const rs = await c.query({ query: sql, query_params: params, format: "JSONEachRow" });
      return await rs.json<T>();
    } catch (err) {
      throw wrap("query failed", err);
    }
  }

  async insert(table: string, rows: readonly Record<string, unknown>[], options: InsertOptions = {}): Promise<void> {
    if (rows.length === 0) return;
    const c = this.live();
    try {
      await c.insert({
        table: `${this.database}.${table}`,
        values: rows,
        format: "JSONEachRow",
        clickhouse_settings: {
          deduplicate_blocks_in_dependent_materialized_views: 1,
          ...(options.dedupToken === undefined ? {} : { insert_deduplication_token: options.dedupToken }),
        },
      });
    } catch (err) {
      throw wrap(`insert into ${table} failed`, err);
    }
  }

  async ping(): Promise<boolean> {
    if (this.client === null) return false;
    const r = await this.client.ping();
    return r.success;
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (c !== null) await c.close();
  }

  private live(): ClickHouseClient {
    if (this.client === null) throw new InvalidStateError("store is closed");
    return this.client;
  }
}

/** Connection-level failures mean "unavailable" (spool and retry); anything else is a query error. */
function wrap(what: string, err: unknown): RelaywatchError {
  const msg = errorMessage(err);
  const code = err instanceof Error && isConnectionError(err) ? "store_unavailable" : "store_query_failed";
  return new RelaywatchError(code, `${what}: ${msg}`, { cause: err });
}

function isConnectionError(err: Error): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    (typeof code === "string" && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE"].includes(code)) ||
    /timeout|socket hang up|ECONNREFUSED/i.test(err.message)
  );
}
