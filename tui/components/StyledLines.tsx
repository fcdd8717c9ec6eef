// Renders view-model lines (segments with styles) as Ink Text, one row each, never wrapping.
import { Box, Text } from "ink";
import type { Line, Segment } from "../model/text.js";
import { dimLine, mergeSegments } from "../model/text.js";

function SegmentText({ s }: { s: Segment }) {
  return (
    <Text color={s.colour} bold={s.bold} inverse={s.inverse} dimColor={s.dim} underline={s.underline}>
      {s.text}
    </Text>
  );
}

export function StyledLine({ line, dim = false }: { line: Line; dim?: boolean }) {
  const shown = mergeSegments(dim ? dimLine(line) : line);
  return (
    <Text wrap="truncate-end">
      {shown.length === 0 ? " " : shown.map((s, i) => <SegmentText key={i} s={s} />)}
    </Text>
  );
}

export interface StyledLinesProps {
  lines: readonly Line[];
  /** At most this many rows are drawn. */
  height?: number;
  width?: number;
  dim?: boolean;
}

export function StyledLines({ lines, height, width, dim = false }: StyledLinesProps) {
  const shown = height === undefined ? lines : lines.slice(0, Math.max(0, height));
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      {shown.map((l, i) => (
        <StyledLine key={i} line={l} dim={dim} />
      ))}
    </Box>
  );
}
