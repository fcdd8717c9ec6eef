// The dashboard's own state (which view, what is selected, the filter, the help overlay)
// and the key bindings as a pure reducer: (state, key, context) → (state, effects). The
// App turns effects into calls (quit, replay steps); nothing here does I/O.
import type { AlertTarget } from "./alerts-model.js";
import type { MeshMetric } from "./mesh-model.js";

export const VIEWS = ["mesh", "alerts", "graph", "regions"] as const;
export type ViewName = (typeof VIEWS)[number];
export const VIEW_TITLES: Readonly<Record<ViewName, string>> = { mesh: "Mesh", alerts: "Alerts", graph: "Relay graph", regions: "Regions" };

/** Replay steps: `,` `.` one probe window; `[` `]` ten; `{` `}` a minute. */
export const REPLAY_STEPS: Readonly<Record<string, number>> = { ",": -1_000, ".": 1_000, "[": -10_000, "]": 10_000, "{": -60_000, "}": 60_000 };

export interface UiState {
  view: ViewName;
  help: boolean;
  filter: string;
  editingFilter: boolean;
  metric: MeshMetric;
  meshRow: number;
  meshCol: number;
  alertIndex: number;
  /** The selected track by id (lists reorder as loops come and go). */
  track: string | null;
  regionIndex: number;
}

export const initialUi: UiState = {
  view: "mesh",
  help: false,
  filter: "",
  editingFilter: false,
  metric: "latency",
  meshRow: 0,
  meshCol: 1,
  alertIndex: 0,
  track: null,
  regionIndex: 0,
};

/** The subset of Ink's Key the bindings read. */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  ctrl?: boolean;
  backspace?: boolean;
  delete?: boolean;
}

export interface KeyContext {
  meshRegions: readonly string[];
  alertTargets: readonly AlertTarget[];
  tracks: readonly string[];
  regions: readonly string[];
  replay: boolean;
}

export type Effect = { kind: "quit" } | { kind: "replay-step"; ms: number } | { kind: "replay-toggle" };

export interface KeyResult {
  ui: UiState;
  effects: Effect[];
}

export function handleKey(ui: UiState, input: string, key: KeyInfo, ctx: KeyContext): KeyResult {
  const done = (next: UiState, effects: Effect[] = []): KeyResult => ({ ui: next, effects });
  if (key.ctrl === true && input === "c") return done(ui, [{ kind: "quit" }]);
  if (ui.editingFilter) return done(editFilter(ui, input, key));
  if (ui.help) return done(input === "q" ? ui : { ...ui, help: false }, input === "q" ? [{ kind: "quit" }] : []);
  if (input === "q") return done(ui, [{ kind: "quit" }]);
  if (input === "?") return done({ ...ui, help: true });
  if (input === "/") return done({ ...ui, editingFilter: true });
  if (key.escape === true) return done({ ...ui, filter: "" });
  if (key.tab === true) return done({ ...ui, view: cycleView(ui.view, key.shift === true ? -1 : 1) });
  const n = Number(input);
  if (input.length === 1 && n >= 1 && n <= VIEWS.length) return done({ ...ui, view: VIEWS[n - 1] ?? ui.view });
  if (input === "m" || input === "L") return done({ ...ui, metric: ui.metric === "latency" ? "loss" : "latency" });
  if (ctx.replay) {
    const step = REPLAY_STEPS[input];
    if (step !== undefined) return done(ui, [{ kind: "replay-step", ms: step }]);
    if (input === " ") return done(ui, [{ kind: "replay-toggle" }]);
  }
  const dy = key.upArrow === true || input === "k" ? -1 : key.downArrow === true || input === "j" ? 1 : key.pageUp === true ? -10 : key.pageDown === true ? 10 : 0;
  const dx = key.leftArrow === true || input === "h" ? -1 : key.rightArrow === true || input === "l" ? 1 : 0;
  switch (ui.view) {
    case "mesh":
      return done({ ...ui, meshRow: clamp(ui.meshRow + dy, ctx.meshRegions.length), meshCol: clamp(ui.meshCol + dx, ctx.meshRegions.length) });
    case "alerts":
      if (key.return === true) return done(openTarget(ui, ctx.alertTargets[ui.alertIndex], ctx));
      return done({ ...ui, alertIndex: clamp(ui.alertIndex + dy, ctx.alertTargets.length) });
    case "graph": {
      if (dy === 0 || ctx.tracks.length === 0) return done(ui);
      const at = ui.track === null ? -1 : ctx.tracks.indexOf(ui.track);
      return done({ ...ui, track: ctx.tracks[clamp(at + dy, ctx.tracks.length)] ?? null });
    }
    case "regions":
      return done({ ...ui, regionIndex: clamp(ui.regionIndex + dy, ctx.regions.length) });
  }
}

function editFilter(ui: UiState, input: string, key: KeyInfo): UiState {
  if (key.return === true) return { ...ui, editingFilter: false };
  if (key.escape === true) return { ...ui, editingFilter: false, filter: "" };
  if (key.backspace === true || key.delete === true) return { ...ui, filter: ui.filter.slice(0, -1) };
  if (input !== "" && key.ctrl !== true && Array.from(input).every((ch) => ch.charCodeAt(0) >= 0x20)) return { ...ui, filter: ui.filter + input };
  return ui;
}

/** Enter on an alert: the track's relay graph, the pair's cell, or the region's row. */
function openTarget(ui: UiState, target: AlertTarget | undefined, ctx: KeyContext): UiState {
  if (target === undefined) return ui;
  switch (target.kind) {
    case "track":
      return { ...ui, view: "graph", track: target.track, filter: "" };
    case "pair": {
      const row = ctx.meshRegions.indexOf(target.src);
      const col = ctx.meshRegions.indexOf(target.dst);
      return { ...ui, view: "mesh", filter: "", meshRow: row < 0 ? ui.meshRow : row, meshCol: col < 0 ? ui.meshCol : col };
    }
    case "region": {
      const i = ctx.regions.indexOf(target.region);
      return { ...ui, view: "regions", filter: "", regionIndex: i < 0 ? ui.regionIndex : i };
    }
    case "none":
      return ui;
  }
}

function cycleView(view: ViewName, by: number): ViewName {
  const i = VIEWS.indexOf(view);
  return VIEWS[(i + by + VIEWS.length) % VIEWS.length] ?? view;
}

function clamp(i: number, n: number): number {
  return n === 0 ? 0 : Math.min(Math.max(0, i), n - 1);
}

export const HELP_LINES: readonly (readonly [string, string])[] = [
  ["tab / shift-tab, 1-4", "switch view: 1 Mesh, 2 Alerts, 3 Relay graph, 4 Regions"],
  ["arrows / h j k l", "move the selection"],
  ["Enter", "on an alert: open its track, pair or region"],
  ["m", "mesh figure: latency ⇄ loss"],
  ["a", "alerts: acknowledge the selected alert (you own it; everyone watching sees it)"],
  ["s", "alerts: silence it in Alertmanager for a duration, with a comment"],
  ["S", "alerts: Alertmanager's silences (x expires the selected one, Esc closes)"],
  ["M", "mitigate: on a RelayLoop break the loop, on a FalseIsolation bring the region back; on a region, choose (y runs the shown plan)"],
  ["/", "filter (regions, alerts, tracks); Enter keeps it, Esc clears"],
  ["Esc", "clear the filter, close this help"],
  [", .  [ ]  { }", "replay: step back/forward 1 s, 10 s, 1 min"],
  ["space", "replay: play / pause"],
  ["?", "this help"],
  ["q, ctrl-c", "quit"],
];
