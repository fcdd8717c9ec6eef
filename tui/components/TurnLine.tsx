// The Regions view's TURN line (tui/model/turn-model.ts): nothing when no agent runs a TURN probe.
import type { TurnCell } from "../../core/analyzer-api.js";
import { turnLine } from "../model/turn-model.js";
import { StyledLine } from "./StyledLines.js";

export function TurnLine({ cells, width, dim }: { cells: readonly TurnCell[]; width: number; dim: boolean }) {
  const line = turnLine(cells, width);
  return line === null ? null : <StyledLine line={line} dim={dim} />;
}
