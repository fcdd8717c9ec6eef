// The dashboard root: feeds the views from a DashboardSource, owns the UI state, maps keys
// through the pure reducer (model/ui-state.ts) and re-lays-out on resize.
import { Box, useApp, useInput } from "ink";
import { useEffect, useMemo, useRef, useState } from "react";
import type { Clock } from "../../core/clock.js";
import { alertTarget, alertTicker, visibleAlerts } from "../model/alerts-model.js";
import { visibleTracks } from "../model/graph-model.js";
import { freshness } from "../model/header-model.js";
import { meshRegions, regionOrder } from "../model/mesh-model.js";
import { visibleRegions } from "../model/regions-model.js";
import { handleKey, initialUi, type UiState } from "../model/ui-state.js";
import type { AlertOps } from "../source/alertmanager-ops.js";
import type { DashboardSource } from "../source/dashboard-state.js";
import { useAlertOps } from "../hooks/use-alert-ops.js";
import { useActions, type ActionOps } from "../hooks/use-actions.js";
import { choicesForAlert, choicesForRegion } from "../model/action-panel.js";
import { ActionPanel } from "./ActionPanel.js";
import { useDashboard } from "../hooks/use-dashboard.js";
import { useNow } from "../hooks/use-now.js";
import { useTerminalSize } from "../hooks/use-terminal-size.js";
import { TooSmall } from "./TooSmall.js";
import { AlertsView } from "./AlertsView.js";
import { AlertTicker, Footer, Header, HelpOverlay, NotLiveBanner, TabBar } from "./Chrome.js";
import { GraphView } from "./GraphView.js";
import { MeshView } from "./MeshView.js";
import { RegionsView } from "./RegionsView.js";
import { TurnLine } from "./TurnLine.js";
import { SilencePanel } from "./SilencePanel.js";

/** Ages on screen tick once a second; finer would only burn CPU. */
const AGE_TICK_MS = 1_000;

export interface AppProps {
  source: DashboardSource;
  clock: Clock;
  initial?: Partial<UiState>;
  /** Acknowledge and silence from the Alerts view (live only). */
  alertOps?: AlertOps | null;
  /** Mitigations (`M` on an alert or a region; live only). */
  actionOps?: ActionOps | null;
}

export function App({ source, clock, initial, alertOps: ops = null, actionOps = null }: AppProps) {
  const state = useDashboard(source);
  const now = useNow(clock, AGE_TICK_MS);
  const { columns, rows, tooSmall, actual } = useTerminalSize();
  const [ui, setUi] = useState<UiState>({ ...initialUi, ...initial });
  // Keys can arrive faster than renders; each one must see the state the previous left.
  const uiRef = useRef(ui);
  const { exit } = useApp();
  const alertOps = useAlertOps(ops, clock);
  const actions = useActions(actionOps, clock);

  const overview = state.overview;
  const alerts = useMemo(() => visibleAlerts(state.alerts, ui.filter), [state.alerts, ui.filter]);
  const tracks = useMemo(() => visibleTracks(state.tracks, ui.filter), [state.tracks, ui.filter]);
  const order = useMemo(() => (overview === null ? [] : regionOrder(overview)), [overview]);
  const regions = useMemo(() => visibleRegions(overview?.regions ?? [], ui.filter), [overview, ui.filter]);
  const mesh = useMemo(() => (overview === null ? [] : meshRegions(overview, ui.filter)), [overview, ui.filter]);
  const selectedTrack = ui.track ?? tracks[0]?.track ?? null;

  useEffect(() => {
    source.selectTrack(selectedTrack);
  }, [source, selectedTrack]);

  useInput((input, key) => {
    const at = uiRef.current;
    if (input === "M" && !at.help && !at.editingFilter && (at.view === "alerts" || at.view === "regions")) {
      const alert = alerts[Math.min(at.alertIndex, alerts.length - 1)];
      const region = regions[Math.min(at.regionIndex, regions.length - 1)]?.region;
      if (at.view === "alerts" && alert !== undefined) actions.open(alert.name, choicesForAlert(alert));
      else if (at.view === "regions" && region !== undefined) actions.open(region, choicesForRegion(region));
      return;
    }
    if (at.view === "alerts" && !at.help && !at.editingFilter && alertOps.key(input, alerts[Math.min(at.alertIndex, alerts.length - 1)])) return;
    const ctx = { meshRegions: mesh, alertTargets: alerts.map(alertTarget), tracks: tracks.map((t) => t.track), regions: regions.map((r) => r.region), replay: source.replay !== null };
    const result = handleKey({ ...uiRef.current, track: uiRef.current.track ?? selectedTrack }, input, key, ctx);
    uiRef.current = result.ui;
    setUi(result.ui);
    for (const e of result.effects) {
      if (e.kind === "quit") exit();
      else if (e.kind === "replay-step") source.replay?.step(e.ms);
      else source.replay?.togglePlay();
    }
  }, { isActive: !alertOps.capturing && !actions.capturing });

  // Ages in the views ("updated 2s ago", an alert's 42s) count from the replay position in
  // replay, or they would all read "an hour ago".
  const viewNow = state.connection.kind === "replay" ? state.connection.at : now;
  const dim = state.mode === "live" && state.connection.kind === "unreachable";
  const banner = state.mode === "live" && overview !== null && !freshness(state, now).live;
  const ticker = ui.view !== "alerts" && !ui.help && alertTicker(state.alerts, viewNow, columns) !== null;
  const bodyHeight = rows - 3 - (banner ? 1 : 0) - (ticker ? 1 : 0);
  const firing = state.alerts.filter((a) => a.state === "firing").length;
  let body;
  if (actions.panel.kind !== "none") body = <ActionPanel panel={actions.panel} width={columns} height={bodyHeight} />;
  else if (ui.help) body = <HelpOverlay width={columns} />;
  else if (ui.view === "mesh") body = <MeshView overview={overview} metric={ui.metric} filter={ui.filter} row={ui.meshRow} col={ui.meshCol} width={columns} height={bodyHeight} now={viewNow} dim={dim} />;
  else if (ui.view === "alerts" && alertOps.panel.kind !== "none") body = <SilencePanel panel={alertOps.panel} width={columns} height={bodyHeight} now={now} />;
  else if (ui.view === "alerts") body = <AlertsView alerts={alerts} index={Math.min(ui.alertIndex, Math.max(0, alerts.length - 1))} width={columns} height={bodyHeight} now={viewNow} dim={dim} runbookBaseUrl={ops?.runbookBaseUrl} notice={alertOps.notice} />;
  else if (ui.view === "graph") body = <GraphView tracks={tracks} selected={selectedTrack} graph={state.graph} width={columns} height={bodyHeight} dim={dim} />;
  else {
    const turn = overview?.turn ?? [];
    const regionsBody = <RegionsView regions={regions} order={order} index={Math.min(ui.regionIndex, Math.max(0, regions.length - 1))} width={columns} height={bodyHeight - (turn.length > 0 ? 1 : 0)} now={viewNow} dim={dim} />;
    body = turn.length === 0 ? regionsBody : <Box flexDirection="column"><TurnLine cells={turn} width={columns} dim={dim} />{regionsBody}</Box>;
  }

  if (tooSmall) return <TooSmall columns={actual.columns} rows={actual.rows} />;
  return (
    <Box flexDirection="column" width={columns} height={rows}>
      <Header state={state} now={now} width={columns} />
      <TabBar ui={ui} firing={firing} />
      <NotLiveBanner state={state} now={now} />
      {ticker ? <AlertTicker alerts={state.alerts} now={viewNow} width={columns} /> : null}
      <Box flexDirection="column" height={bodyHeight} overflow="hidden">
        {body}
      </Box>
      <Footer replay={source.replay !== null} alerts={ui.view === "alerts"} />
    </Box>
  );
}
