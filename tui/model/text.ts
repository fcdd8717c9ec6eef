// Styled text as data: view-models return lines of segments, components only map them to
// <Text>. Keeping styling in plain objects lets tests and benches check it without Ink.
import type { Colour } from "./palette.js";

export interface Segment {
  text: string;
  colour?: Colour;
  bold?: boolean;
  inverse?: boolean;
  dim?: boolean;
  underline?: boolean;
}

export type Line = readonly Segment[];

export function seg(text: string, style: Omit<Segment, "text"> = {}): Segment {
  return { text, ...style };
}

export function plain(text: string): Line {
  return [{ text }];
}

export function lineText(line: Line): string {
  return line.map((s) => s.text).join("");
}

export function lineWidth(line: Line): number {
  let n = 0;
  for (const s of line) n += Array.from(s.text).length;
  return n;
}

/** Cuts a line to `width` characters, keeping styles; marks a cut with `…`. */
export function clipLine(line: Line, width: number): Line {
  if (lineWidth(line) <= width) return line;
  const out: Segment[] = [];
  let left = Math.max(0, width - 1);
  for (const s of line) {
    if (left <= 0) break;
    const chars = Array.from(s.text);
    out.push({ ...s, text: chars.slice(0, left).join("") });
    left -= Math.min(left, chars.length);
  }
  if (width > 0) out.push({ text: "…", dim: true });
  return out;
}

/**
 * Joins neighbouring segments of the same style: a 20-region matrix row is 20 cells but
 * usually 3-4 runs of one colour, and every Ink <Text> costs a React element per render.
 */
export function mergeSegments(line: Line): Segment[] {
  const out: Segment[] = [];
  for (const s of line) {
    if (s.text === "") continue;
    const prev = out[out.length - 1];
    if (prev !== undefined && sameStyle(prev, s)) out[out.length - 1] = { ...prev, text: prev.text + s.text };
    else out.push(s);
  }
  return out;
}

function sameStyle(a: Segment, b: Segment): boolean {
  return a.colour === b.colour && a.bold === b.bold && a.inverse === b.inverse && a.dim === b.dim && a.underline === b.underline;
}

/** Greys a whole line out: used for data that is not live (analyzer unreachable). */
export function dimLine(line: Line): Line {
  return line.map((s) => ({ ...s, colour: "gray", dim: true, bold: false }));
}
