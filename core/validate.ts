// Parsing of anything that crosses a process boundary: unknown in, typed value or a
// PayloadError naming the zod path of the first problem out.
import type { z } from "zod";
import { PayloadError, type Result } from "./errors.js";

/** Formats a zod issue path the way users read it: `results[3].src`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function parsePayload<S extends z.ZodType>(schema: S, input: unknown): Result<z.infer<S>, PayloadError> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  if (first === undefined) return { ok: false, error: new PayloadError("", "invalid payload") };
  return { ok: false, error: new PayloadError(formatPath(first.path), first.message) };
}

/** Like parsePayload, but throws the PayloadError. */
export function mustParse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = parsePayload(schema, input);
  if (!r.ok) throw r.error;
  return r.value;
}

/**
 * A zod message as the "expected …" half of a config error: drops zod's category prefix
 * ("Invalid input: ", "Too small: ") and a leading "expected", which ConfigError adds itself.
 */
export function expectedFromZodMessage(message: string): string {
  return message.replace(/^(Invalid input|Too small|Too big|Invalid option|Invalid value)[^:]*: /i, "").replace(/^expected /i, "");
}

/** The value at a (zod issue) path inside a parsed document, for "got …" in error messages. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}
