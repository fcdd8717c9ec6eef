// The probe agent's disk copy of the results its ingest sink has not settled yet (delivered,
// or dropped and counted), so a restarted agent — killed while the analyzer was down — sends
// them after all. Built on the store writer's spool (store/spool.ts: append-only segments,
// one fdatasync'd line per submit, torn tails skipped). A segment is deleted once every line
// in it is settled. The analyzer recognises windows it already has (pair + window end), so
// re-sending a window that was delivered just before a crash is harmless.
import type { ProbeResult } from "../../core/probe-result.js";
import { probeResultSchema } from "../../core/probe-result.js";
import { Spool } from "../../store/spool.js";

/** 256 KiB segments (~500 results): sealed and deleted promptly, so the spool holds little delivered data. */
export const RESULT_SPOOL_SEGMENT_BYTES = 256 * 1024;
const SPOOL_TABLE = "probe_results";

/** One submit()'s results on disk: settled once every one of them is. */
export interface SpoolLine {
  segment: string | null;
  unsettled: number;
}

export interface RestoredResult {
  result: ProbeResult;
  line: SpoolLine;
}

export class ResultSpool {
  private readonly spool: Spool;
  /** Unsettled lines per segment. */
  private readonly segments = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();
  private seq = 0;
  private readonly onError: (err: unknown) => void;

  private constructor(spool: Spool, onError: (err: unknown) => void) {
    this.spool = spool;
    this.onError = onError;
  }

  /** Opens the directory and returns what an earlier run left unsettled, oldest first. */
  static async open(dir: string, onError: (err: unknown) => void): Promise<{ spool: ResultSpool; restored: RestoredResult[]; skippedLines: number }> {
    const spool = await Spool.open(dir, RESULT_SPOOL_SEGMENT_BYTES);
    const rs = new ResultSpool(spool, onError);
    const restored: RestoredResult[] = [];
    let skippedLines = 0;
    for (const name of await spool.segments()) {
      const contents = await spool.read(name);
      skippedLines += contents.skippedLines;
      let lines = 0;
      for (const b of contents.batches) {
        const results = b.rows.flatMap((row) => {
          const p = probeResultSchema.safeParse(row);
          return p.success ? [p.data] : [];
        });
        if (results.length === 0) continue;
        const line: SpoolLine = { segment: name, unsettled: results.length };
        lines++;
        for (const result of results) restored.push({ result, line });
      }
      if (lines === 0) await spool.remove(name);
      else rs.segments.set(name, lines);
    }
    return { spool: rs, restored, skippedLines };
  }

  /** Writes one submit's results (fsync'd, in submit order); the line is settled later. */
  append(results: readonly ProbeResult[]): SpoolLine {
    const line: SpoolLine = { segment: null, unsettled: results.length };
    const token = `w${++this.seq}`;
    this.run(async () => {
      const name = await this.spool.append({ token, table: SPOOL_TABLE, rows: results.map((r) => ({ ...r })) });
      line.segment = name;
      if (line.unsettled > 0) this.segments.set(name, (this.segments.get(name) ?? 0) + 1);
      else if (!this.segments.has(name)) await this.spool.remove(name);
    });
    return line;
  }

  /** One result of `line` was delivered or dropped; a segment with nothing unsettled is deleted. */
  settle(line: SpoolLine): void {
    line.unsettled--;
    if (line.unsettled > 0 || line.segment === null) return;
    const name = line.segment;
    const left = (this.segments.get(name) ?? 1) - 1;
    if (left > 0) {
      this.segments.set(name, left);
      return;
    }
    this.segments.delete(name);
    this.run(async () => {
      // A line appended meanwhile into the same (current) segment keeps it alive.
      if (!this.segments.has(name)) await this.spool.remove(name);
    });
  }

  /** Waits for pending appends and deletions, then closes the open segment. */
  async close(): Promise<void> {
    await this.chain;
    await this.spool.close();
  }

  private run(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch(this.onError);
  }
}
