// Renders an Ink tree into a fake terminal of a given size (ink-testing-library's stdout
// is fixed at 100 columns with no rows), resizable to test re-layout. Frames are plain
// text after stripping ANSI, as a screenshot would read.
import { EventEmitter } from "node:events";
import { stripVTControlCharacters } from "node:util";
import { render, type Instance } from "ink";
import type { ReactElement } from "react";

class SizedStdout extends EventEmitter {
  readonly frames: string[] = [];
  isTTY = true;
  columns: number;
  rows: number;
  constructor(columns: number, rows: number) {
    super();
    this.columns = columns;
    this.rows = rows;
  }
  write = (frame: string, done?: () => void): boolean => {
    if (frame !== "") this.frames.push(frame);
    // Ink's unmount waits on a write barrier's callback before settling waitUntilExit().
    if (done !== undefined) setImmediate(done);
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(data: string): void {
    this.data = data;
    this.emit("readable");
    this.emit("data", data);
  }
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export interface SizedRender {
  instance: Instance;
  /** The last frame, ANSI stripped. */
  frame(): string;
  /** The last frame with ANSI codes (to check colours). */
  rawFrame(): string;
  press(keys: string): Promise<void>;
  resize(columns: number, rows: number): Promise<void>;
  unmount(): void;
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

export async function renderSized(tree: ReactElement, columns: number, rows: number): Promise<SizedRender> {
  const stdout = new SizedStdout(columns, rows);
  const stdin = new FakeStdin();
  const instance = render(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: new SizedStdout(columns, rows) as unknown as NodeJS.WriteStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await tick();
  const raw = (): string => stdout.frames[stdout.frames.length - 1] ?? "";
  return {
    instance,
    rawFrame: raw,
    frame: () => stripVTControlCharacters(raw()),
    async press(keys) {
      stdin.write(keys);
      await tick();
    },
    async resize(c, r) {
      stdout.columns = c;
      stdout.rows = r;
      stdout.emit("resize");
      await tick();
    },
    unmount() {
      instance.unmount();
      instance.cleanup();
    },
  };
}

/** Polls `check` until it passes or `timeoutMs` elapses (for frames fed by real I/O). */
export async function waitFor(check: () => boolean, timeoutMs = 3_000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
