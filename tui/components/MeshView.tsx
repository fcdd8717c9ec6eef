// Mesh: the src×dst probe matrix with the selected pair's details beside or below it.
import { Box, Text } from "ink";
import type { Overview } from "../../core/analyzer-api.js";
import { buildMesh, type MeshMetric } from "../model/mesh-model.js";
import { lineWidth } from "../model/text.js";
import { StyledLine, StyledLines } from "./StyledLines.js";

export interface MeshViewProps {
  overview: Overview | null;
  metric: MeshMetric;
  filter: string;
  row: number;
  col: number;
  width: number;
  height: number;
  now: number;
  dim: boolean;
}

export function MeshView(props: MeshViewProps) {
  const { overview, width, height, dim } = props;
  if (overview === null) return <Text dimColor>waiting for the first overview…</Text>;
  if (overview.regions.length === 0 && overview.pairs.length === 0) return <Text color="yellow">the analyzer knows no regions yet</Text>;
  // One row for the legend; the model lays the rest out.
  const mesh = buildMesh({ ...props, overview, height: height - 1 });
  if (mesh.regions.length === 0) return <Text color="yellow">no region matches the filter “{props.filter}” (Esc clears it)</Text>;
  const matrixWidth = Math.max(...mesh.matrix.map(lineWidth)) + 2;
  const more = mesh.hidden.above + mesh.hidden.below > 0 ? `rows ${mesh.hidden.above + 1}-${mesh.regions.length - mesh.hidden.below} of ${mesh.regions.length}  ` : "";
  const matrix = <StyledLines lines={mesh.matrix} width={matrixWidth} dim={dim} />;
  return (
    <Box flexDirection="column" width={width} height={height}>
      {mesh.detailsPlacement === "side" ? (
        <Box flexDirection="row">
          {matrix}
          <Box flexDirection="column" borderStyle="round" borderColor="gray" paddingX={1} width={width - matrixWidth}>
            <StyledLines lines={mesh.details} dim={dim} />
          </Box>
        </Box>
      ) : (
        <>
          {matrix}
          <StyledLine line={[{ text: "─".repeat(Math.min(width, Math.max(20, matrixWidth))), dim: true }]} />
          <StyledLines lines={mesh.details} dim={dim} />
        </>
      )}
      <StyledLine line={[{ text: more, colour: "cyan" }, ...mesh.legend]} dim={dim} />
    </Box>
  );
}
