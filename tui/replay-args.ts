// Parsing of the replay flags: `--at` (an ISO time, epoch milliseconds, or a duration ago
// such as `-15m`) and `--speed` (`10x`, `10`, `0.5x`). Pure: `now` is passed in.
import { parseDuration } from "../core/duration.js";
import { ConfigError } from "../core/errors.js";

/** 2000-01-01: an epoch-ms value below this is a typo (seconds, or a duration), not a time. */
const MIN_EPOCH_MS = 946_684_800_000;
/** 1000x: a day of history in under a minute and a half; faster just skips probe windows. */
const MAX_SPEED = 1000;

export function parseReplayTime(text: string, now: number): number {
  const t = text.trim();
  if (t.startsWith("-")) {
    const ago = parseDuration(t.slice(1));
    if (ago !== null) return now - ago;
  } else if (/^\d+$/.test(t)) {
    const ms = Number(t);
    if (ms >= MIN_EPOCH_MS) return ms;
  } else {
    // A time without a zone is read as UTC: the store and the header are in UTC.
    const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : `${t.replace(" ", "T")}Z`;
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new ConfigError("--at", text, "an ISO time (2024-02-07T19:25:00Z), epoch milliseconds, or a duration ago (-15m)");
}

export function parseSpeed(text: string): number {
  const m = /^(\d+(?:\.\d+)?)x?$/.exec(text.trim());
  const v = m?.[1] === undefined ? Number.NaN : Number(m[1]);
  if (!(v > 0 && v <= MAX_SPEED)) throw new ConfigError("--speed", text, `a speed such as 10x (more than 0, at most ${MAX_SPEED}x)`);
  return v;
}
