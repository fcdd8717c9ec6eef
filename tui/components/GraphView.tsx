// Relay graph: the track list (loops first) and the selected track's graph: origin, each
// region's upstream and packets/s, any cycle drawn in order and highlighted.
import { Box, Text } from "ink";
import type { TrackGraph } from "../../core/analyzer-api.js";
import { buildGraphLines, trackListLine, type TrackSummary } from "../model/graph-model.js";
import { scrollWindow } from "../model/mesh-model.js";
import { StyledLine, StyledLines } from "./StyledLines.js";

/** The track list goes beside the graph only from this width; below it, one line on top. */
const SIDE_LIST_MIN_WIDTH = 100;
const LIST_WIDTH = 28;

export interface GraphViewProps {
  tracks: readonly TrackSummary[];
  selected: string | null;
  graph: TrackGraph | null;
  width: number;
  height: number;
  dim: boolean;
}

export function GraphView({ tracks, selected, graph, width, height, dim }: GraphViewProps) {
  const side = width >= SIDE_LIST_MIN_WIDTH;
  const graphWidth = side ? width - LIST_WIDTH - 1 : width;
  const index = tracks.findIndex((t) => t.track === selected);
  const body =
    selected === null ? (
      <Text dimColor>no tracks known{tracks.length === 0 ? "" : " — pick one with ↑↓"}</Text>
    ) : graph === null || graph.track !== selected ? (
      <Text dimColor>loading the relay graph of {selected}…</Text>
    ) : (
      <StyledLines lines={buildGraphLines(graph, graphWidth)} height={side ? height : height - 1} dim={dim} />
    );
  if (!side) {
    const t = tracks[index];
    return (
      <Box flexDirection="column" width={width} height={height}>
        <StyledLine line={[{ text: `track ${index + 1}/${tracks.length} (↑↓): `, dim: true }, { text: t?.track ?? selected ?? "—", bold: true, colour: t?.cycle === true ? "red" : undefined }, { text: t?.cycle === true ? "  ⟲ loop" : "", colour: "red", bold: true }]} dim={dim} />
        {body}
      </Box>
    );
  }
  const win = scrollWindow(tracks.length, height - 1, Math.max(0, index));
  return (
    <Box flexDirection="row" width={width} height={height}>
      <Box flexDirection="column" width={LIST_WIDTH} marginRight={1}>
        <StyledLine line={[{ text: `tracks (${tracks.length})`, dim: true }]} />
        {tracks.slice(win.start, win.end).map((t) => (
          <StyledLine key={t.track} line={trackListLine(t, t.track === selected, LIST_WIDTH)} dim={dim} />
        ))}
      </Box>
      <Box flexDirection="column" width={graphWidth}>
        {body}
      </Box>
    </Box>
  );
}
