// The terminal size, re-laid-out on resize (Ink's useWindowSize listens to the injected
// stdout's `resize`). Never below 80×24: smaller terminals get clipped, not broken layouts.
import { useWindowSize } from "ink";

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export function useTerminalSize(): { columns: number; rows: number } {
  const { columns, rows } = useWindowSize();
  return { columns: Math.max(MIN_COLUMNS, columns), rows: Math.max(MIN_ROWS, rows) };
}
