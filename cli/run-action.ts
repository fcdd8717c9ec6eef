// Wraps a subcommand's action: known errors become one clear line on stderr and an exit
// code (2: bad usage or configuration, 1: anything else); no stack traces for users.
import { ConfigError, PayloadError, RelaywatchError } from "../core/errors.js";

export function runAction<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      if (err instanceof ConfigError || err instanceof PayloadError) {
        process.stderr.write(`relaywatch: ${err.message}\n`);
        process.exitCode = 2;
      } else if (err instanceof RelaywatchError) {
        process.stderr.write(`relaywatch: ${err.message}\n`);
        process.exitCode = 1;
      } else {
        throw err;
      }
    }
  };
}
