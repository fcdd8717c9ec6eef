// Alerts: firing first then recently resolved, severity-sorted, and the selected alert's
// evidence (a RelayLoop's cycle in order), its owner and runbook. Enter opens the track,
// pair or region; a/s/S acknowledge, silence and list silences (hooks/use-alert-ops.ts),
// whose outcome shows as a notice on the first line.
import { Box } from "ink";
import type { Alert } from "../../core/alert.js";
import type { Notice } from "../hooks/use-alert-ops.js";
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
  /** Base of the runbook links (default: this installation's docs/runbooks). */
  runbookBaseUrl?: string | undefined;
  /** The last acknowledge/silence outcome. */
  notice?: Notice | null | undefined;
}

export function AlertsView({ alerts, index, width, height, now, dim, runbookBaseUrl, notice }: AlertsViewProps) {
  const noticeSeg = notice == null ? [] : [{ text: `  ${notice.text}`, colour: notice.error ? ("red" as const) : ("cyan" as const) }];
  if (alerts.length === 0) return <StyledLine line={[{ text: "no alerts firing or recently resolved", colour: "green" }, ...noticeSeg]} />;
  const selected = alerts[Math.min(index, alerts.length - 1)];
  const details = selected === undefined ? [] : alertDetails(selected, now, width, runbookBaseUrl);
  const listRows = Math.max(3, Math.min(alerts.length, height - details.length - 2));
  const win = scrollWindow(alerts.length, listRows, index);
  const firing = alerts.filter((a) => a.state === "firing").length;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <StyledLine line={[{ text: `${firing} firing, ${alerts.length - firing} resolved${win.start > 0 || win.end < alerts.length ? `  (${win.start + 1}-${win.end} of ${alerts.length})` : ""}`, dim: true }, ...noticeSeg]} />
      {alerts.slice(win.start, win.end).map((a, i) => (
        <StyledLine key={a.fingerprint} line={alertRow(a, now, width, win.start + i === index)} dim={dim} />
      ))}
      <StyledLine line={[{ text: "─".repeat(width), dim: true }]} />
      <StyledLines lines={details} height={height - listRows - 2} dim={dim} />
    </Box>
  );
}
