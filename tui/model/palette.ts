// Colours and glyphs for statuses. Every colour has a glyph or word beside it, so the
// screen still reads on a monochrome terminal, in a screenshot, or to a colour-blind eye.
import type { Severity } from "../../core/alert.js";
import type { ProbeStatus } from "../../core/probe-result.js";
import type { RelayState } from "../../core/relay-edge.js";

/** Ink colour names (chalk); kept to the 8 basic colours every terminal has. */
export type Colour = "green" | "yellow" | "red" | "magenta" | "cyan" | "blue" | "gray" | "white";

export const PROBE_STATUS_COLOUR: Readonly<Record<ProbeStatus, Colour>> = {
  ok: "green",
  degraded: "yellow",
  no_media: "red",
  setup_failed: "red",
  http_error: "red",
  timeout: "red",
  region_offline: "magenta",
};

/** Two-letter codes shown in a matrix cell when a pair fails (the figure would be empty). */
export const PROBE_STATUS_CODE: Readonly<Record<ProbeStatus, string>> = {
  ok: "ok",
  degraded: "dg",
  no_media: "NM",
  setup_failed: "SF",
  http_error: "HE",
  timeout: "TO",
  region_offline: "OF",
};

/** Sparkline glyph per window: bar height grows with how bad the window was. */
export const PROBE_STATUS_SPARK: Readonly<Record<ProbeStatus, string>> = {
  ok: "▁",
  degraded: "▄",
  no_media: "█",
  setup_failed: "█",
  http_error: "█",
  timeout: "█",
  region_offline: "▒",
};

export function isFailing(status: ProbeStatus): boolean {
  return status !== "ok" && status !== "degraded";
}

export const SEVERITY_COLOUR: Readonly<Record<Severity, Colour>> = { critical: "red", warning: "yellow", info: "cyan" };
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, warning: 1, info: 2 };
export const SEVERITY_TAG: Readonly<Record<Severity, string>> = { critical: "CRIT", warning: "WARN", info: "INFO" };

export const RELAY_STATE_COLOUR: Readonly<Record<RelayState, Colour>> = {
  locating: "yellow",
  pulling: "yellow",
  flowing: "green",
  failed: "red",
  closed: "gray",
};
