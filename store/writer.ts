// The store writer: batches rows by size and time, inserts each batch with a deduplication
// token, and when the store is unavailable spools batches to disk and replays them in order
// on recovery. Everything that touches the store or the spool runs on one serial queue, so
// batches reach the store in the order they were written. A crash mid-replay re-sends the
// same tokens, which the store deduplicates: no loss, no duplicates.
//
// Two ways in. writeDurable() has no loss window: it resolves only once its batch is in the
// store or fsync'd in the spool, under a caller-given token derived from the rows, so a
// caller may acknowledge its own client (the probe ingest does) and a retried call is a
// no-op in ClickHouse. write() only buffers: rows still in memory (at most maxDelayMs or
// maxBatchRows of them) are lost if the process is SIGKILLed before the next flush, which
// is acceptable only for rows the analyzer re-derives (relay edges, region health);
// close() flushes them.
import { randomUUID } from "node:crypto";
import { systemClock, type Clock, type TimerHandle } from "../core/clock.js";
import { InvalidStateError, RelaywatchError, errorMessage } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { silentLogger, type Logger } from "../core/logger.js";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from "../core/backoff.js";
import type { Row } from "./rows.js";
import { appendDeadLetter, Spool, type SpooledBatch } from "./spool.js";
import type { Store } from "./store.js";

export interface StoreWriterOptions {
  store: Store;
  spoolDir: string;
  /** 10,000 rows: large enough for ClickHouse's preferred big inserts, small enough to bound memory. */
  maxBatchRows?: number;
  /** 1 s: results reach the store within about a probe window. */
  maxDelayMs?: number;
  backoff?: BackoffPolicy;
  /** Attempts for a batch the store rejects (not an outage) before it is dead-lettered. */
  maxRejects?: number;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
  segmentBytes?: number;
}

export type WriterMode = "direct" | "spooling";

export interface WriterStats {
  mode: WriterMode;
  bufferedRows: number;
  insertedRows: number;
  spooledRows: number;
  replayedRows: number;
  deadLetteredRows: number;
}

export type WriterEvents = {
  inserted: [batch: { token: string; table: string; rows: number; replay: boolean }];
  spooled: [batch: { token: string; table: string; rows: number; reason: string }];
  recovered: [];
  deadLettered: [batch: { token: string; table: string; rows: number; error: string }];
};

const DEFAULT_MAX_REJECTS = 3;

/** Where a batch went: into the store, into the fsync'd spool, or (rejected by the store) the dead-letter file. */
export type DeliveryOutcome = "stored" | "spooled" | "dead_lettered";

export class StoreWriter {
  readonly events: TypedEmitter<WriterEvents>;
  private readonly store: Store;
  private readonly spool: Spool;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly random: () => number;
  private readonly maxBatchRows: number;
  private readonly maxDelayMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly maxRejects: number;
  private readonly writerId = randomUUID();
  private readonly buffers = new Map<string, Row[]>();
  private seq = 0;
  private queue: Promise<void> = Promise.resolve();
  private flushTimer: TimerHandle | null = null;
  private retryTimer: TimerHandle | null = null;
  private retryAttempt = 0;
  private mode: WriterMode = "direct";
  private closed = false;
  private readonly counters = { insertedRows: 0, spooledRows: 0, replayedRows: 0, deadLetteredRows: 0 };

  private constructor(options: StoreWriterOptions, spool: Spool) {
    this.store = options.store;
    this.spool = spool;
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ component: "store-writer" });
    this.random = options.random ?? Math.random;
    this.maxBatchRows = options.maxBatchRows ?? 10_000;
    this.maxDelayMs = options.maxDelayMs ?? 1000;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.maxRejects = options.maxRejects ?? DEFAULT_MAX_REJECTS;
    this.events = new TypedEmitter(this.logger);
  }

  /** Opens the spool; batches left there by an earlier run are replayed before new ones. */
  static async open(options: StoreWriterOptions): Promise<StoreWriter> {
    const spool = await Spool.open(options.spoolDir, options.segmentBytes);
    const writer = new StoreWriter(options, spool);
    if ((await spool.segments()).length > 0) {
      writer.mode = "spooling";
      writer.enqueue(() => writer.replay());
    }
    return writer;
  }

  /** Buffers rows for `table`; never blocks on the store. */
  write(table: string, rows: readonly Row[]): void {
    if (this.closed) throw new InvalidStateError("writer is closed");
    if (rows.length === 0) return;
    let buf = this.buffers.get(table);
    if (buf === undefined) {
      buf = [];
      this.buffers.set(table, buf);
    }
    for (const r of rows) buf.push(r);
    if (buf.length >= this.maxBatchRows) {
      // Full batches go now; the remainder waits for more rows or the timer.
      const full = buf.length - (buf.length % this.maxBatchRows);
      this.buffers.set(table, buf.slice(full));
      this.cutRows(table, buf.slice(0, full));
    }
    if ((this.buffers.get(table)?.length ?? 0) > 0) {
      this.flushTimer ??= this.clock.setTimeout(() => {
        this.flushTimer = null;
        this.cutAll();
      }, this.maxDelayMs);
    }
  }

  /**
   * Writes one batch now, bypassing the buffers, with `token` as its deduplication token
   * (the same rows must always come with the same token). Resolves once the batch is in the
   * store or durably in the spool; rejects only when neither could take it (e.g. a full disk).
   */
  writeDurable(table: string, rows: readonly Row[], token: string): Promise<DeliveryOutcome> {
    if (this.closed) return Promise.reject(new InvalidStateError("writer is closed"));
    const batch: SpooledBatch = { token, table, rows: [...rows] };
    const done = this.queue.then(() => this.deliver(batch));
    this.queue = done.then(
      () => undefined,
      (err: unknown) => { this.logger.error({ error: errorMessage(err) }, "writeDurable() | batch neither stored nor spooled"); },
    );
    return done;
  }

  /** Rows of `table` waiting in the spool (not yet in the store), oldest first. */
  async spooledRows(table: string): Promise<Row[]> {
    const out: Row[] = [];
    for (const name of await this.spool.segments()) {
      for (const b of (await this.spool.read(name)).batches) if (b.table === table) out.push(...b.rows);
    }
    return out;
  }

  /** Sends every buffered row to the store (or the spool) and waits for it. */
  async flush(): Promise<void> {
    this.cutAll();
    await this.queue;
  }

  /** Waits for batches already cut to reach the store or the spool, without cutting more. */
  async flushQueued(): Promise<void> {
    await this.queue;
  }

  stats(): WriterStats {
    let bufferedRows = 0;
    for (const b of this.buffers.values()) bufferedRows += b.length;
    return { mode: this.mode, bufferedRows, ...this.counters };
  }

  /** Flushes, then stops. Batches the store cannot take now stay in the spool for next time. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.cutAll();
    this.closed = true;
    this.flushTimer?.cancel();
    this.retryTimer?.cancel();
    await this.queue;
    await this.spool.close();
  }

  private cutAll(): void {
    this.flushTimer?.cancel();
    this.flushTimer = null;
    for (const table of [...this.buffers.keys()]) this.cut(table);
  }

  private cut(table: string): void {
    const buf = this.buffers.get(table);
    if (buf === undefined || buf.length === 0) return;
    this.buffers.delete(table);
    this.cutRows(table, buf);
  }

  private cutRows(table: string, buf: Row[]): void {
    for (let i = 0; i < buf.length; i += this.maxBatchRows) {
      const batch: SpooledBatch = { token: `${this.writerId}:${++this.seq}`, table, rows: buf.slice(i, i + this.maxBatchRows) };
      this.enqueue(async () => { await this.deliver(batch); });
    }
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((err: unknown) => {
      this.logger.error({ error: errorMessage(err) }, "enqueue() | writer task failed");
    });
  }

  private async deliver(batch: SpooledBatch): Promise<DeliveryOutcome> {
    if (this.mode === "spooling") {
      await this.toSpool(batch, "earlier batches are spooled");
      return "spooled";
    }
    const outcome = await this.tryInsert(batch, false);
    if (outcome === "unavailable") {
      this.mode = "spooling";
      await this.toSpool(batch, "store unavailable");
      this.scheduleReplay();
      return "spooled";
    }
    return outcome === "ok" ? "stored" : "dead_lettered";
  }

  private async toSpool(batch: SpooledBatch, reason: string): Promise<void> {
    await this.spool.append(batch);
    this.counters.spooledRows += batch.rows.length;
    this.events.safeEmit("spooled", { token: batch.token, table: batch.table, rows: batch.rows.length, reason });
  }

  /** Inserts with retries for rejections; "unavailable" means spool and retry later. */
  private async tryInsert(batch: SpooledBatch, replay: boolean): Promise<"ok" | "unavailable" | "dead"> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.store.insert(batch.table, batch.rows, { dedupToken: batch.token });
      } catch (err) {
        if (isUnavailable(err)) {
          this.logger.warn({ table: batch.table, rows: batch.rows.length, error: errorMessage(err) }, "insert() | store unavailable");
          return "unavailable";
        }
        if (attempt + 1 < this.maxRejects) continue;
        const error = errorMessage(err);
        await appendDeadLetter(this.spool.dir, batch, error);
        this.counters.deadLetteredRows += batch.rows.length;
        this.logger.error({ table: batch.table, rows: batch.rows.length, error }, "insert() | batch rejected, dead-lettered");
        this.events.safeEmit("deadLettered", { token: batch.token, table: batch.table, rows: batch.rows.length, error });
        return "dead";
      }
      if (replay) this.counters.replayedRows += batch.rows.length;
      else this.counters.insertedRows += batch.rows.length;
      this.events.safeEmit("inserted", { token: batch.token, table: batch.table, rows: batch.rows.length, replay });
      return "ok";
    }
  }

  private scheduleReplay(): void {
    if (this.closed || this.retryTimer !== null) return;
    const delay = backoffDelay(this.backoff, this.retryAttempt++, this.random());
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = null;
      this.enqueue(() => this.replay());
    }, delay);
  }

  /** Replays spooled segments oldest first; on success returns to direct mode. */
  private async replay(): Promise<void> {
    await this.spool.seal();
    for (const name of await this.spool.segments()) {
      const { batches, skippedLines } = await this.spool.read(name);
      if (skippedLines > 0) this.logger.warn({ segment: name, skippedLines }, "replay() | skipped torn lines");
      for (const batch of batches) {
        if ((await this.tryInsert(batch, true)) === "unavailable") {
          this.scheduleReplay();
          return;
        }
      }
      await this.spool.remove(name);
    }
    this.mode = "direct";
    this.retryAttempt = 0;
    this.logger.info({}, "replay() | spool drained, writing directly again");
    this.events.safeEmit("recovered");
  }
}

function isUnavailable(err: unknown): boolean {
  return err instanceof RelaywatchError && err.code === "store_unavailable";
}
