// The TURN line of the Regions view: one segment per region whose agent runs a TURN probe
// (probes/turn/), green when its last window was ok, red while it fails k of n (the
// analyzer's TurnUnavailable condition), with the reason of a failing one. Pure.
import type { TurnCell } from "../../core/analyzer-api.js";
import { PROBE_STATUS_COLOUR } from "./palette.js";
import { clipLine, seg, type Line, type Segment } from "./text.js";

export function turnLine(cells: readonly TurnCell[], width: number): Line | null {
  if (cells.length === 0) return null;
  const parts: Segment[] = [seg("TURN ", { bold: true })];
  cells.forEach((c, i) => {
    if (i > 0) parts.push(seg(" · ", { dim: true }));
    parts.push(seg(`${c.region} `));
    if (c.failing) {
      parts.push(seg("FAILING", { colour: "red", bold: true }));
      if (c.reason !== "") parts.push(seg(` ${c.reason}`, { colour: "red" }));
    } else {
      parts.push(seg(c.status, { colour: PROBE_STATUS_COLOUR[c.status] }));
      if (c.latencyP50Ms !== null) parts.push(seg(` ${Math.round(c.latencyP50Ms)}ms`, { dim: true }));
    }
  });
  return clipLine(parts, width);
}
