// Durations as people write them in config and scenario files: `250ms`, `3s`, `5m`, `1h`.
import { z } from "zod";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Parses a duration to milliseconds, or returns null when the text is not one. */
export function parseDuration(text: string): number | null {
  const m = DURATION_RE.exec(text.trim());
  if (m === null) return null;
  const [, value, unit] = m;
  if (value === undefined || unit === undefined) return null;
  return Math.round(Number(value) * UNIT_MS[unit as keyof typeof UNIT_MS]);
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** A zod schema accepting `"3s"`-style strings (or plain milliseconds) and yielding milliseconds. */
export const durationSchema = z.union([z.number().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === "number") return v;
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: "custom", message: "expected a duration like 250ms, 3s, 5m or 1h" });
    return z.NEVER;
  }
  return ms;
});
