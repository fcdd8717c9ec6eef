// Wraps a short subcommand's action (store, dashboards, scenario check): known errors become
// one clear line on stderr and an exit code (2: bad usage or configuration, 1: anything
// else); no stack traces for users. Long-running subcommands use lifecycle.ts instead.
import { RelaywatchError } from "../core/errors.js";
import { EXIT_FAILURE, EXIT_USAGE, StartupError, describeFailure, isUsageError } from "./lifecycle.js";

export function runAction<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (!isUsageError(err) && !(err instanceof RelaywatchError) && !(err instanceof StartupError)) throw err;
      process.stderr.write(`relaywatch: ${describeFailure(err)}\n`);
      process.exitCode = isUsageError(err) ? EXIT_USAGE : EXIT_FAILURE;
    }
  };
}
