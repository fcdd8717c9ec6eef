// The frame around the views: header (source, connection, data age, firing count), the
// view tabs with the filter, the not-live banner, and the footer with the keys.
import { Box, Text } from "ink";
import type { DashboardState } from "../source/dashboard-state.js";
import type { Alert } from "../../core/alert.js";
import { alertTicker } from "../model/alerts-model.js";
import { headerLine, staleBanner } from "../model/header-model.js";
import { HELP_LINES, VIEWS, VIEW_TITLES, type UiState } from "../model/ui-state.js";
import type { Segment } from "../model/text.js";
import { StyledLine } from "./StyledLines.js";

export function Header({ state, now, width }: { state: DashboardState; now: number; width: number }) {
  return <StyledLine line={headerLine(state, now, width)} />;
}

export function NotLiveBanner({ state, now }: { state: DashboardState; now: number }) {
  const line = staleBanner(state, now);
  return line === null ? null : <StyledLine line={line} />;
}

export function TabBar({ ui, firing }: { ui: UiState; firing: number }) {
  const line: Segment[] = [];
  VIEWS.forEach((v, i) => {
    const active = ui.view === v;
    const badge = v === "alerts" && firing > 0 ? ` (${firing})` : "";
    line.push({ text: ` ${i + 1} ${VIEW_TITLES[v]}${badge} `, inverse: active, bold: active, colour: v === "alerts" && firing > 0 && !active ? "red" : undefined });
    line.push({ text: " " });
  });
  if (ui.editingFilter) line.push({ text: " filter: /", colour: "cyan" }, { text: ui.filter }, { text: "█", colour: "cyan" });
  else if (ui.filter !== "") line.push({ text: ` filter: ${ui.filter} `, colour: "cyan", inverse: true }, { text: " (Esc clears)", dim: true });
  if (ui.view === "mesh") line.push({ text: `  figure: ${ui.metric === "latency" ? "p50 latency" : "loss"} (m)`, dim: true });
  return <StyledLine line={line} />;
}

export function Footer({ replay, alerts = false }: { replay: boolean; alerts?: boolean }) {
  const keys: [string, string][] = [
    ["tab/1-4", "views"],
    ["←↑↓→", "move"],
    ["⏎", "open"],
    ["m", "lat/loss"],
    ["/", "filter"],
    ["?", "help"],
    ["q", "quit"],
  ];
  if (replay) keys.splice(4, 0, [", . [ ]", "step"], ["space", "play"]);
  // The Alerts view's on-call keys (hooks/use-alert-ops.ts) in place of the mesh-only `m`.
  if (alerts && !replay) keys.splice(3, 1, ["a/s/S", "ack/silence"]);
  return (
    <Text wrap="truncate-end">
      {keys.map(([k, what]) => (
        <Text key={k}>
          <Text bold color="cyan">
            {k}
          </Text>
          <Text dimColor> {what}  </Text>
        </Text>
      ))}
    </Text>
  );
}

export function HelpOverlay({ width }: { width: number }) {
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="cyan" paddingX={1} width={Math.min(width, 90)}>
      <Text bold>relaywatch — keys (any key closes)</Text>
      {HELP_LINES.map(([k, what]) => (
        <Text key={k} wrap="truncate-end">
          <Text bold color="cyan">
            {k.padEnd(22)}
          </Text>
          {what}
        </Text>
      ))}
      <Text dimColor wrap="truncate-end">colours: green ok · yellow degraded/stale · red failing/critical · magenta offline/no contact</Text>
    </Box>
  );
}

export function AlertTicker({ alerts, now, width }: { alerts: readonly Alert[]; now: number; width: number }) {
  const line = alertTicker(alerts, now, width);
  return line === null ? null : <StyledLine line={line} />;
}
