// A stack of things to close, for anything that opens several resources in a row (a
// process's startup, Analyzer.start, World.start): push a closer right after each resource
// opens; if a later step fails — or on shutdown — closeAll() closes them in reverse order.
// Guarantees: every closer runs at most once; a closer that throws or rejects does not stop
// the others (its error is collected in the report, never thrown half-way); a closer that
// hangs is given up after its timeout so closeAll() always settles. It never kills anything
// itself: a timed-out close keeps running in the background, which is why processes pair
// this with a hard exit timer (cli/lifecycle.ts).
import { systemClock, type Clock, type TimerHandle } from "./clock.js";
import { errorMessage } from "./errors.js";

/**
 * 5 s per close: a store writer's final flush or a child's SIGTERM grace (the lab's
 * supervisor also waits 5 s) fits; anything longer is a hang, not a slow close.
 */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

export type CloseFn = () => Promise<void> | void;

export interface CloseFailure {
  name: string;
  /** The error thrown, or a description of the timeout. */
  error: unknown;
  timedOut: boolean;
}

export interface CloseReport {
  /** Names closed without error, in the order they were closed. */
  closed: string[];
  failures: CloseFailure[];
}

export interface ClosersOptions {
  /** Times each close (its timeout); default the system clock. */
  clock?: Clock;
  timeoutMs?: number;
}

interface Entry {
  name: string;
  close: CloseFn;
  timeoutMs: number;
}

export class Closers {
  private readonly stack: Entry[] = [];
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private closing: Promise<CloseReport> | null = null;
  /** True when no drain loop is running (before closeAll, and after it has emptied the stack). */
  private idle = true;
  private readonly report: CloseReport = { closed: [], failures: [] };
  private current: string | null = null;

  constructor(options: ClosersOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  }

  /** Things still to close. */
  get size(): number {
    return this.stack.length;
  }

  /** What is being closed right now (null when nothing is), then what waits behind it: for a "stuck on …" message. */
  get pending(): string[] {
    return [...(this.current === null ? [] : [this.current]), ...this.stack.map((e) => e.name).reverse()];
  }

  /** True once closeAll() has been called. */
  get closed(): boolean {
    return this.closing !== null;
  }

  /**
   * Registers a close for something just opened. Pushed after closeAll() has started (a
   * start step that finished while a signal was closing everything), it is closed at once;
   * its outcome joins the report of the running closeAll(), or is dropped if that is done.
   */
  push(name: string, close: CloseFn, options: { timeoutMs?: number } = {}): void {
    this.stack.push({ name, close, timeoutMs: options.timeoutMs ?? this.timeoutMs });
    if (this.closing !== null && this.idle) void this.drain();
  }

  /** Opens something and registers its close in one step; nothing is registered if `open` throws. */
  async open<T>(name: string, open: () => Promise<T> | T, close: (value: T) => Promise<void> | void, options: { timeoutMs?: number } = {}): Promise<T> {
    const value = await open();
    this.push(name, () => close(value), options);
    return value;
  }

  /** Closes everything in reverse order of push. Idempotent: later calls get the same report. */
  closeAll(): Promise<CloseReport> {
    this.closing ??= this.drain();
    return this.closing;
  }

  private async drain(): Promise<CloseReport> {
    this.idle = false;
    for (let e = this.stack.pop(); e !== undefined; e = this.stack.pop()) await this.closeOne(e);
    this.idle = true;
    return this.report;
  }

  private async closeOne(e: Entry): Promise<void> {
    this.current = e.name;
    const deadline = this.deadline(e.timeoutMs);
    try {
      const outcome = await Promise.race([Promise.resolve().then(e.close).then(() => "done" as const), deadline.reached]);
      if (outcome === "timeout") this.report.failures.push({ name: e.name, error: new Error(`${e.name}: close did not finish within ${e.timeoutMs} ms`), timedOut: true });
      else this.report.closed.push(e.name);
    } catch (err) {
      this.report.failures.push({ name: e.name, error: err, timedOut: false });
    } finally {
      deadline.timer.cancel();
      this.current = null;
    }
  }

  private deadline(ms: number): { reached: Promise<"timeout">; timer: TimerHandle } {
    const handle: { timer?: TimerHandle } = {};
    const reached = new Promise<"timeout">((resolve) => {
      handle.timer = this.clock.setTimeout(() => { resolve("timeout"); }, ms);
    });
    // The executor ran synchronously, so the timer is set.
    return { reached, timer: handle.timer ?? { cancel: () => undefined } };
  }
}

/** One line per failure, for a log or stderr: `store writer: close did not finish within 5000 ms`. */
export function describeCloseFailures(report: CloseReport): string[] {
  return report.failures.map((f) => (f.timedOut ? errorMessage(f.error) : `${f.name}: ${errorMessage(f.error)}`));
}
