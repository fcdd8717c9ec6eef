// How every long-running subcommand starts and stops (sfu, probe, analyze, tui, up,
// scenario run, lab wan). The action validates what it can before opening anything, then
// opens its parts in dependency order, pushing each close on one stack (core/closers.ts).
// Whatever ends the run — a failed step, the work being done, SIGTERM/SIGINT — the stack is
// closed in reverse within a deadline and the exit code is set:
//   0  done, or a service stopped by a signal with everything closed
//   1  a failure at run time, or something the command needs is not available here (a port
//      in use, a path it cannot write, no mediasoup worker, an unreachable analyzer), or a
//      close that failed or hung
//   2  the invocation is wrong: flags, config file, environment variables (usage/configuration)
//   128+n  a task (scenario run, lab wan, probe --once) cut short by signal n (130 SIGINT, 143 SIGTERM)
// A second signal exits at once (128+n). Known failures are one line on stderr, no stack.
// This module never calls process.exit itself: cli/main.ts arms the hard exit once the
// action returns (so an action can also run inside a test process).
import { Closers, describeCloseFailures } from "../core/closers.js";
import { ConfigError, PayloadError, errorMessage } from "../core/errors.js";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * 4 s to close everything: inside the 5 s users are promised and the lab supervisor's 5 s
 * SIGTERM grace (lab/launcher/supervisor.ts), so a supervised process never needs SIGKILL.
 */
export const CLOSE_DEADLINE_MS = 4_000;

/** Something the command needs is not available here (port, path, engine, peer): exit 1, one line. */
export class StartupError extends Error {
  override name = "StartupError";
}

export interface Life {
  /** Push a close right after each part opens. */
  readonly closers: Closers;
  /** Resolves with the first SIGINT/SIGTERM; a service awaits it once it runs. */
  readonly stopped: Promise<NodeJS.Signals>;
  /** Aborted on the first signal: for waits and requests that should stop with it. */
  readonly abort: AbortSignal;
}

export interface LifecycleOptions {
  /** A service's run ends with a signal (exit 0); a task cut short by one exits 128+n. */
  kind: "service" | "task";
  /** Default CLOSE_DEADLINE_MS; a world of child processes needs their SIGTERM grace too. */
  closeDeadlineMs?: number;
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGINT: 2, SIGTERM: 15 };

type Outcome = { kind: "done"; code: number } | { kind: "failed"; error: unknown } | { kind: "signal"; signal: NodeJS.Signals };

/** Wraps a subcommand's action with the start/stop discipline above; `fn` may resolve to an exit code. */
export function lifecycleAction<A extends unknown[]>(options: LifecycleOptions, fn: (life: Life, ...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const closers = new Closers();
    const abort = new AbortController();
    const signals = watchSignals(abort);
    try {
      const life: Life = { closers, stopped: signals.first, abort: abort.signal };
      const outcome = await Promise.race<Outcome>([
        fn(life, ...args).then((code) => ({ kind: "done" as const, code: typeof code === "number" ? code : EXIT_OK }), (error: unknown) => ({ kind: "failed" as const, error })),
        signals.first.then((signal) => ({ kind: "signal" as const, signal })),
      ]);
      let code = exitCodeOf(outcome, options.kind);
      // Set before closing: if the closes leave the event loop empty early, this is the code.
      process.exitCode = code;
      if (outcome.kind === "failed") process.stderr.write(`relaywatch: ${describeFailure(outcome.error)}\n`);
      const closed = await closeWithin(closers, options.closeDeadlineMs ?? CLOSE_DEADLINE_MS);
      if (!closed.ok && code === EXIT_OK) code = EXIT_FAILURE;
      for (const line of closed.problems) process.stderr.write(`relaywatch: while stopping: ${line}\n`);
      process.exitCode = code;
    } finally {
      signals.dispose();
    }
  };
}

function exitCodeOf(o: Outcome, kind: LifecycleOptions["kind"]): number {
  if (o.kind === "done") return o.code;
  if (o.kind === "signal") return kind === "service" ? EXIT_OK : 128 + (SIGNAL_NUMBERS[o.signal] ?? 15);
  return isUsageError(o.error) ? EXIT_USAGE : EXIT_FAILURE;
}

export function isUsageError(err: unknown): boolean {
  return err instanceof ConfigError || err instanceof PayloadError;
}

/** The message without the stack (a config file's problems stay one per line). */
export function describeFailure(err: unknown): string {
  return errorMessage(err).trim();
}

/** First SIGINT/SIGTERM: resolves `first` and aborts; a second exits at once. */
function watchSignals(abort: AbortController): { first: Promise<NodeJS.Signals>; dispose(): void } {
  let seen = false;
  let resolveFirst: (s: NodeJS.Signals) => void = () => undefined;
  const first = new Promise<NodeJS.Signals>((resolve) => { resolveFirst = resolve; });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (seen) {
      process.stderr.write(`relaywatch: ${signal} again: exiting now\n`);
      process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 15));
    }
    seen = true;
    abort.abort(new Error(`${signal} received`));
    resolveFirst(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    first,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/** closeAll(), but never waiting past `deadlineMs` in total (each close also has its own timeout). */
async function closeWithin(closers: Closers, deadlineMs: number): Promise<{ ok: boolean; problems: string[] }> {
  let timer: NodeJS.Timeout | undefined;
  // Unref'd: it must not keep an otherwise finished process alive.
  const deadline = new Promise<"deadline">((resolve) => { timer = setTimeout(() => { resolve("deadline"); }, deadlineMs).unref(); });
  const result = await Promise.race([closers.closeAll(), deadline]);
  clearTimeout(timer);
  if (result === "deadline") return { ok: false, problems: [`not everything closed within ${deadlineMs} ms (still closing: ${closers.pending.join(", ")}); exiting anyway`] };
  const problems = describeCloseFailures(result);
  return { ok: problems.length === 0, problems };
}
