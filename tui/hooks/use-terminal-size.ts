// The terminal size, re-laid-out on resize (Ink's useWindowSize listens to the injected
// stdout's `resize`). The views are laid out for at least 80×24; a terminal that reports a
// smaller size gets "terminal too small (need 80×24)" instead of a clipped, broken layout.
// A stdout that reports no size (a pipe, a test renderer) is laid out at the minimum.
import type { WriteStream } from "node:tty";
import { useStdout, useWindowSize } from "ink";

export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

export interface TerminalSize {
  /** The size to lay out for: never below the minimum. */
  columns: number;
  rows: number;
  /** The terminal reports a size below MIN_COLUMNS×MIN_ROWS: show tooSmallMessage() instead of the views. */
  tooSmall: boolean;
  /** What the terminal reports (or Ink's fallback when it reports nothing). */
  actual: { columns: number; rows: number };
}

/** Pure: the layout size for a reported size; `measured` is false when the terminal reported none. */
export function terminalSize(columns: number, rows: number, measured: boolean): TerminalSize {
  return {
    columns: Math.max(MIN_COLUMNS, columns),
    rows: Math.max(MIN_ROWS, rows),
    tooSmall: measured && (columns < MIN_COLUMNS || rows < MIN_ROWS),
    actual: { columns, rows },
  };
}

/** `terminal too small (need 80×24, have 60×20)`. */
export function tooSmallMessage(actual: { columns: number; rows: number }): string {
  return `terminal too small (need ${MIN_COLUMNS}×${MIN_ROWS}, have ${actual.columns}×${actual.rows})`;
}

export function useTerminalSize(): TerminalSize {
  const { columns, rows } = useWindowSize();
  // Ink types stdout as a plain stream; a terminal's is a tty.WriteStream with its size.
  const { stdout } = useStdout() as { stdout: Partial<Pick<WriteStream, "columns" | "rows">> };
  return terminalSize(columns, rows, Boolean(stdout.columns) && Boolean(stdout.rows));
}
