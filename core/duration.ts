// Durations as people write them in config and scenario files and on the command line:
// `250ms`, `3s`, `5m`, `1h`, `2d`, and compounds like `1h30m` or `1m 30s`.
// The arithmetic is parse-duration's; this module only decides which texts count as a
// duration (parse-duration alone reads "3 parsecs and 1h" as 1h and "3" as 3 ms, which in a
// hand-written file is a typo to report, not a value to guess).
import parse from "parse-duration";
import { z } from "zod";

/** One `<number><unit>` term, the units this project documents (ms, s, m, h, d). */
const TERM = String.raw`\d+(?:\.\d+)?\s*(?:ms|s|m|h|d)`;
const DURATION_RE = new RegExp(String.raw`^(?:${TERM}\s*)+$`);

/** What every duration error says a duration looks like. */
export const DURATION_EXAMPLES = "a duration like 250ms, 3s, 5m, 1h or 1h30m";

/** Parses a duration to whole milliseconds, or returns null when the text is not one. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (!DURATION_RE.test(t)) return null;
  const ms = parse(t);
  if (ms === null || !Number.isFinite(ms) || ms > Number.MAX_SAFE_INTEGER) return null;
  return Math.round(ms);
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

const NUMBER_MS = { error: `expected ${DURATION_EXAMPLES} (a plain number is milliseconds, 0 or more)` };

/** A zod schema accepting `"3s"`-style strings (or plain milliseconds) and yielding milliseconds. */
export const durationSchema = z
  .union([z.number().nonnegative(NUMBER_MS).max(Number.MAX_SAFE_INTEGER, NUMBER_MS), z.string()], { error: `expected ${DURATION_EXAMPLES}` })
  .transform((v, ctx) => {
    if (typeof v === "number") return v;
    const ms = parseDuration(v);
    if (ms === null) {
      ctx.addIssue({ code: "custom", message: `expected ${DURATION_EXAMPLES}`, input: v });
      return z.NEVER;
    }
    return ms;
  });

/**
 * A duration within [minMs, maxMs] (both inclusive). The error gives the range in the
 * file's own units, e.g. "expected a duration from 1ms to 24h".
 */
export function durationInRange(minMs: number, maxMs: number): z.ZodType<number> {
  const expected = `expected a duration from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`;
  return durationSchema.refine((ms) => ms >= minMs && ms <= maxMs, { message: expected });
}
