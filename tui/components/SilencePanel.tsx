// The Alerts view's silence panels: the form that silences the selected alert in
// Alertmanager (duration and comment), and the list of Alertmanager's silences, where `x`
// expires the selected one. State and keys live in hooks/use-alert-ops.ts.
import { Box } from "ink";
import type { OpsPanel } from "../hooks/use-alert-ops.js";
import { scrollWindow } from "../model/mesh-model.js";
import { silenceFormLines, silenceLine } from "../model/silence-model.js";
import { seg, type Line } from "../model/text.js";
import { StyledLine, StyledLines } from "./StyledLines.js";

export interface SilencePanelProps {
  panel: Exclude<OpsPanel, { kind: "none" }>;
  width: number;
  height: number;
  now: number;
}

export function SilencePanel({ panel, width, height, now }: SilencePanelProps) {
  if (panel.kind === "form") {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <StyledLines lines={silenceFormLines(panel.alert, panel.form, width, panel.busy)} height={height} />
      </Box>
    );
  }
  const silences = panel.silences ?? [];
  const rows = Math.max(1, height - 3);
  const win = scrollWindow(silences.length, rows, panel.index);
  const title: Line = [
    seg("Silences in Alertmanager  ", { bold: true }),
    seg(panel.silences === null ? "loading…" : `${silences.filter((s) => s.status.state !== "expired").length} active or pending, ${silences.filter((s) => s.status.state === "expired").length} expired`, { dim: true }),
  ];
  const keys: Line = [
    seg("↑↓", { bold: true, colour: "cyan" }), seg(" select  ", { dim: true }),
    seg("x", { bold: true, colour: "cyan" }), seg(" expire  ", { dim: true }),
    seg("r", { bold: true, colour: "cyan" }), seg(" refresh  ", { dim: true }),
    seg("Esc", { bold: true, colour: "cyan" }), seg(" close", { dim: true }),
  ];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <StyledLine line={title} />
      {panel.error !== null ? <StyledLine line={[seg(panel.error, { colour: "red" })]} /> : null}
      {panel.silences !== null && silences.length === 0 ? <StyledLine line={[seg("no silences", { colour: "green" })]} /> : null}
      {silences.slice(win.start, win.end).map((s, i) => (
        <StyledLine key={s.id} line={silenceLine(s, now, width, win.start + i === panel.index)} />
      ))}
      <StyledLine line={keys} />
    </Box>
  );
}
