// The writer's disk spool: append-only segment files of JSON lines, one batch a line,
// each with its deduplication token. Replay reads segments in order; a segment is deleted
// only after every batch in it is in the store. A torn last line (a crash mid-append) is
// skipped: that batch had not been acknowledged as spooled.
import { mkdir, open, readdir, readFile, rm, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

export const spooledBatchSchema = z.object({
  token: z.string().min(1),
  table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  rows: z.array(z.record(z.string(), z.unknown())),
});
export type SpooledBatch = z.infer<typeof spooledBatchSchema>;

/** 16 MiB: small enough to replay and delete promptly, large enough to keep file counts low. */
export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;

const SEGMENT_RE = /^segment-(\d{10})\.jsonl$/;

export interface SegmentContents {
  batches: SpooledBatch[];
  /** Lines that could not be parsed (a torn tail after a crash). */
  skippedLines: number;
}

export class Spool {
  private current: { name: string; handle: FileHandle; bytes: number } | null = null;
  private nextSeq = 0;

  readonly dir: string;
  private readonly maxSegmentBytes: number;

  private constructor(dir: string, maxSegmentBytes: number) {
    this.dir = dir;
    this.maxSegmentBytes = maxSegmentBytes;
  }

  static async open(dir: string, maxSegmentBytes = DEFAULT_SEGMENT_BYTES): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const spool = new Spool(dir, maxSegmentBytes);
    const names = await spool.segments();
    const last = names.at(-1);
    spool.nextSeq = last === undefined ? 1 : segmentSeq(last) + 1;
    return spool;
  }

  /** Appends one batch durably (fdatasync) before resolving; returns the segment it went into. */
  async append(batch: SpooledBatch): Promise<string> {
    const line = Buffer.from(`${JSON.stringify(batch)}\n`);
    if (this.current !== null && this.current.bytes + line.length > this.maxSegmentBytes && this.current.bytes > 0) {
      await this.seal();
    }
    if (this.current === null) {
      const name = `segment-${String(this.nextSeq++).padStart(10, "0")}.jsonl`;
      this.current = { name, handle: await open(join(this.dir, name), "a"), bytes: 0 };
    }
    await this.current.handle.write(line);
    await this.current.handle.datasync();
    this.current.bytes += line.length;
    return this.current.name;
  }

  /** Closes the segment being appended to, so the next append starts a new one. */
  async seal(): Promise<void> {
    const c = this.current;
    this.current = null;
    if (c !== null) await c.handle.close();
  }

  /** Segment file names, oldest first. */
  async segments(): Promise<string[]> {
    const names = (await readdir(this.dir)).filter((n) => SEGMENT_RE.test(n));
    return names.sort();
  }

  async read(name: string): Promise<SegmentContents> {
    const text = await readFile(join(this.dir, name), "utf8");
    const batches: SpooledBatch[] = [];
    let skippedLines = 0;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      try {
        batches.push(spooledBatchSchema.parse(JSON.parse(line)));
      } catch {
        skippedLines++;
      }
    }
    return { batches, skippedLines };
  }

  async remove(name: string): Promise<void> {
    if (this.current?.name === name) await this.seal();
    await rm(join(this.dir, name), { force: true });
  }

  async close(): Promise<void> {
    await this.seal();
  }
}

function segmentSeq(name: string): number {
  return Number(SEGMENT_RE.exec(name)?.[1] ?? 0);
}

/** Batches the store rejected repeatedly (not outages): kept on disk for a person to look at. */
export async function appendDeadLetter(dir: string, batch: SpooledBatch, error: string): Promise<void> {
  const handle = await open(join(dir, "dead-letter.jsonl"), "a");
  try {
    await handle.write(`${JSON.stringify({ ...batch, error })}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
