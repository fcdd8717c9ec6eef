// The small set of error classes relaywatch throws. Each has a stable string `code` so
// callers branch on codes, not on message text, and passes its `cause` on.

export type RelaywatchErrorCode =
  | "invalid_config"
  | "invalid_payload"
  | "invalid_state"
  | "store_unavailable"
  | "store_query_failed"
  | "not_found"
  | "timeout";

export class RelaywatchError extends Error {
  override name = "RelaywatchError";
  readonly code: RelaywatchErrorCode;

  constructor(code: RelaywatchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A call on an object that has been closed, or is not yet ready (mediasoup's InvalidStateError). */
export class InvalidStateError extends RelaywatchError {
  override name = "InvalidStateError";
  constructor(message: string) {
    super("invalid_state", message);
  }
}

/** Configuration that cannot be used: names the key, the value seen and what was expected. */
export class ConfigError extends RelaywatchError {
  override name = "ConfigError";
  readonly key: string;
  readonly expected: string;
  readonly value: unknown;

  constructor(key: string, value: unknown, expected: string) {
    super("invalid_config", `${key}: got ${describeValue(value)}, expected ${expected}`);
    this.key = key;
    this.value = value;
    this.expected = expected;
  }
}

/** A payload that crossed a process boundary and failed its schema; `path` is the zod path. */
export class PayloadError extends RelaywatchError {
  override name = "PayloadError";
  readonly path: string;

  constructor(path: string, detail: string) {
    super("invalid_payload", path === "" ? detail : `${path}: ${detail}`);
    this.path = path;
  }
}

export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? "" : "s"}`;
  if (typeof value === "object") {
    // Named the way a YAML/JSON file shows it: the keys, not the JS type.
    const keys = Object.keys(value);
    const shown = keys.slice(0, 6).map((k) => (/^[\w.-]{1,30}$/.test(k) ? k : JSON.stringify(k.slice(0, 30)))).join(", ");
    return `a mapping {${shown}${keys.length > 6 ? ", …" : ""}}`;
  }
  return `a ${typeof value}`;
}

/** Expected failures as values (clickhouse-js ConnPingResult style). */
export type Result<T, E = RelaywatchError> = { ok: true; value: T } | { ok: false; error: E };

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
