// Alerts: firing first then recently resolved, severity-sorted, and the selected alert's
// evidence (a RelayLoop's cycle in order). Enter opens the track, pair or region.
import { Box, Text } from "ink";
import type { Alert } from "../../core/alert.js";
import { alertDetails, alertRow } from "../model/alerts-model.js";
import { scrollWindow } from "../model/mesh-model.js";
import { StyledLine, StyledLines } from "./StyledLines.js";

export interface AlertsViewProps {
  alerts: readonly Alert[];
  index: number;
  width: number;
  height: number;
  now: number;
  dim: boolean;
}

export function AlertsView({ alerts, index, width, height, now, dim }: AlertsViewProps) {
  if (alerts.length === 0) return <Text color="green">no alerts firing or recently resolved</Text>;
  const selected = alerts[Math.min(index, alerts.length - 1)];
  const details = selected === undefined ? [] : alertDetails(selected, now, width);
  const listRows = Math.max(3, Math.min(alerts.length, height - details.length - 2));
  const win = scrollWindow(alerts.length, listRows, index);
  const firing = alerts.filter((a) => a.state === "firing").length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <StyledLine line={[{ text: `${firing} firing, ${alerts.length - firing} resolved${win.start > 0 || win.end < alerts.length ? `  (${win.start + 1}-${win.end} of ${alerts.length})` : ""}`, dim: true }]} />
      {alerts.slice(win.start, win.end).map((a, i) => (
        <StyledLine key={a.fingerprint} line={alertRow(a, now, width, win.start + i === index)} dim={dim} />
      ))}
      <StyledLine line={[{ text: "─".repeat(width), dim: true }]} />
      <StyledLines lines={details} height={height - listRows - 2} dim={dim} />
    </Box>
  );
}
