// Text formatting shared by the TUI's view-models: times, ages, figures. Pure; never
// reads the clock (callers pass `now`).

/** `19:25:03Z`: on-call compares against UTC timelines (postmortems, Grafana in UTC). */
export function formatClock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)}Z`;
}

/** `2024-02-07 19:25:03Z`, for replay positions where the day matters. */
export function formatDateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/** A short age: `0.4s`, `12s`, `3m05s`, `2h10m`. Negative ages (clock skew) read as 0. */
export function formatAge(ms: number): string {
  const v = Math.max(0, ms);
  if (v < 10_000) return `${(v / 1000).toFixed(1)}s`;
  const s = Math.floor(v / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** Latency in at most 4 characters: `7`, `142`, `1.2k`, `12k`. */
export function formatLatency(ms: number | null): string {
  if (ms === null) return "–";
  if (ms < 999.5) return String(Math.round(ms));
  if (ms < 9_950) return `${(ms / 1000).toFixed(1)}k`;
  return `${Math.min(999, Math.round(ms / 1000))}k`;
}

/** Loss in at most 4 characters: `0%`, `.4%`, `1.2%`, `12%`, `100%`. */
export function formatLoss(ratio: number): string {
  const pct = ratio * 100;
  if (pct === 0) return "0%";
  if (pct < 0.95) return `.${Math.max(1, Math.round(pct * 10))}%`;
  if (pct < 9.95) return `${pct.toFixed(1)}%`;
  return `${Math.round(pct)}%`;
}

/** Packets per second: `0`, `48`, `1.5k`. */
export function formatRate(pps: number): string {
  if (pps < 999.5) return String(Math.round(pps));
  return `${(pps / 1000).toFixed(1)}k`;
}

export function padLeft(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width) : " ".repeat(width - text.length) + text;
}

export function padRight(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width) : text + " ".repeat(width - text.length);
}

/** Cuts `text` to `width` characters, marking the cut with `…`. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return "";
  if (text.length <= width) return text;
  return width === 1 ? "…" : `${text.slice(0, width - 1)}…`;
}
