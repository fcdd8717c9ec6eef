// What a terminal smaller than the views' minimum shows instead of them: the size it needs
// and has, and how to get out. Keys still work (q quits).
import { Box, Text } from "ink";
import { tooSmallMessage } from "../hooks/use-terminal-size.js";

export function TooSmall({ columns, rows }: { columns: number; rows: number }) {
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold color="yellow" wrap="truncate-end">
        {tooSmallMessage({ columns, rows })}
      </Text>
      <Text dimColor wrap="truncate-end">
        enlarge the window, or press q to quit
      </Text>
    </Box>
  );
}
