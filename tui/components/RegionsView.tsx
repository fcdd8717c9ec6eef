// Regions: health, isolation state, peer reachability and legacy behaviours per region,
// then the selected region's reason, peer RTTs and isolation history.
import { Box, Text } from "ink";
import type { RegionView } from "../../core/analyzer-api.js";
import { scrollWindow } from "../model/mesh-model.js";
import { regionDetails, regionRow, regionsHeader } from "../model/regions-model.js";
import { StyledLine, StyledLines } from "./StyledLines.js";

export interface RegionsViewProps {
  regions: readonly RegionView[];
  order: readonly string[];
  index: number;
  width: number;
  height: number;
  now: number;
  dim: boolean;
}

export function RegionsView({ regions, order, index, width, height, now, dim }: RegionsViewProps) {
  if (regions.length === 0) return <Text dimColor>no regions (yet, or none match the filter)</Text>;
  const nameWidth = Math.max(6, ...regions.map((r) => r.region.length));
  const listRows = Math.max(3, Math.min(regions.length, height - 8));
  const win = scrollWindow(regions.length, listRows, index);
  const selected = regions[Math.min(index, regions.length - 1)];
  const detailRows = height - listRows - 2;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <StyledLine line={regionsHeader(order, nameWidth)} />
      {regions.slice(win.start, win.end).map((r, i) => (
        <StyledLine key={r.region} line={regionRow(r, order, win.start + i === index, nameWidth)} dim={dim} />
      ))}
      <StyledLine line={[{ text: "─".repeat(width), dim: true }]} />
      {selected === undefined ? null : <StyledLines lines={regionDetails(selected, order, now, width, detailRows)} height={detailRows} dim={dim} />}
    </Box>
  );
}
