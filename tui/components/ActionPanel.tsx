// The action panel (issue 18): the mitigation's plan — what it will do, region by region,
// and how it will be verified — its confirmation, then the result and its verification.
// State and keys live in hooks/use-actions.ts; the lines in model/action-lines.ts.
import { Box } from "ink";
import type { ActionPanel as Panel } from "../model/action-panel.js";
import { actionPanelLines } from "../model/action-lines.js";
import { StyledLines } from "./StyledLines.js";

export interface ActionPanelProps {
  panel: Exclude<Panel, { kind: "none" }>;
  width: number;
  height: number;
}

export function ActionPanel({ panel, width, height }: ActionPanelProps) {
  return (
    <Box flexDirection="column" width={width} height={height}>
      <StyledLines lines={actionPanelLines(panel, width)} height={height} />
    </Box>
  );
}
