// The injected logger. Components receive a Logger; only cli/ decides where logs go.
// One grammar for messages, mediasoup-style: `functionName() | what happened`, with
// structured fields in the first argument. Never put secrets in fields.
import { pino, type DestinationStream } from "pino";

export interface Logger {
  debug(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to stderr so stdout stays free for command output. */
  destination?: DestinationStream;
  name?: string;
}

/** Field names whose values are replaced before a line is written. */
const REDACTED_PATHS = ["token", "password", "secret", "authorization", "*.token", "*.password", "*.secret", "*.authorization"];

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? pino.destination(2);
  return pino(
    {
      level: options.level ?? "info",
      ...(options.name === undefined ? {} : { name: options.name }),
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    },
    destination,
  );
}

class SilentLogger implements Logger {
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
  child(): Logger {
    return this;
  }
}

/** A logger that drops everything: for tests and for library callers who pass none. */
export const silentLogger: Logger = new SilentLogger();
