// The Store seam: what the analyzer, probes (remote mode), TUI replay and CLI need from
// ClickHouse, independent of whether it is embedded (chdb) or a server (@clickhouse/client).
// Nothing here knows table semantics; schema.ts, rows.ts and queries.ts do.

export type StoreBackendKind = "chdb" | "remote";

export type QueryParams = Readonly<Record<string, string | number | boolean | readonly string[] | null>>;

export interface InsertOptions {
  /**
   * ClickHouse insert deduplication token: an insert retried with the same token (after a
   * timeout, a crash mid-replay…) is written once. Requires the table's dedup window.
   */
  dedupToken?: string;
}

export interface Store {
  readonly kind: StoreBackendKind;
  /** Database that holds relaywatch's tables. */
  readonly database: string;
  /** Cluster name when DDL must be ON CLUSTER (remote cluster mode), else undefined. */
  readonly cluster: string | undefined;
  /** Runs one DDL/command statement. */
  exec(sql: string): Promise<void>;
  /** Runs a SELECT with `{name:Type}` parameters and returns the rows. */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /** Inserts rows (objects keyed by column name) into a table of this database. */
  insert(table: string, rows: readonly Record<string, unknown>[], options?: InsertOptions): Promise<void>;
  /** Resolves true when the store answers a trivial query. */
  ping(): Promise<boolean>;
  /** Idempotent. Later calls reject with InvalidStateError. */
  close(): Promise<void>;
}
