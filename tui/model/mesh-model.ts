// The Mesh view as data: the src×dst probe matrix (rows = source region, columns =
// destination), one cell per ordered pair coloured by status, figure = latency or loss,
// plus the selected cell's details. Layout is decided here from the space given, so a
// 20-region mesh fits 120 columns and anything larger scrolls around the selection.
import type { Overview, PairCell } from "../../core/analyzer-api.js";
import { abbreviateRegions } from "./abbrev.js";
import { matchesFilter } from "./filter.js";
import { formatAge, formatLatency, formatLoss, padLeft, padRight } from "./format.js";
import { isFailing, PROBE_STATUS_CODE, PROBE_STATUS_COLOUR, PROBE_STATUS_SPARK } from "./palette.js";
import { seg, type Line, type Segment } from "./text.js";

export type MeshMetric = "latency" | "loss";

/** Figures never exceed 4 characters (formatLatency/formatLoss), so a cell is 4 + a gap. */
const FIGURE_WIDTH = 4;
/** Column labels: abbreviations of 6 down to 4 characters (`us-e`): wider cells only add air. */
const MAX_LABEL = 6;
const MIN_LABEL = 4;
/** Row labels are full names up to this length (`ap-northeast-1`), beyond it abbreviated. */
const MAX_ROW_LABEL = 15;
/** The details pane goes beside the matrix only when it gets at least this many columns. */
const SIDE_DETAILS_MIN_WIDTH = 44;
/** Lines the details pane needs to be useful (pair, status, reason, path, figures, windows). */
const DETAILS_LINES = 7;

export interface MeshInput {
  overview: Overview;
  metric: MeshMetric;
  filter: string;
  /** Selection as indexes into the filtered region list; clamped here. */
  row: number;
  col: number;
  width: number;
  height: number;
  now: number;
}

export interface MeshModel {
  regions: string[];
  labels: Map<string, string>;
  /** Matrix lines: the column header first, then one line per visible source region. */
  matrix: Line[];
  details: Line[];
  detailsPlacement: "side" | "below" | "none";
  selected: { src: string; dst: string; cell: PairCell | null } | null;
  /** Rows/columns hidden by scrolling, for the "more" markers. */
  hidden: { left: number; right: number; above: number; below: number };
  legend: Line;
}

/** Regions in the analyzer's order, then any that only appear in pairs. */
export function regionOrder(overview: Overview): string[] {
  const seen = new Set<string>(overview.regions.map((r) => r.region));
  const out = [...seen];
  for (const p of overview.pairs) {
    for (const r of [p.src, p.dst]) {
      if (!seen.has(r)) {
        seen.add(r);
        out.push(r);
      }
    }
  }
  return out;
}

export function meshRegions(overview: Overview, filter: string): string[] {
  return regionOrder(overview).filter((r) => matchesFilter(filter, [r]));
}

/** A window of `size` items out of `total` that keeps `focus` visible, roughly centred. */
export function scrollWindow(total: number, size: number, focus: number): { start: number; end: number } {
  if (size >= total) return { start: 0, end: total };
  const start = Math.min(Math.max(0, focus - Math.floor(size / 2)), total - size);
  return { start, end: start + size };
}

/** One cell's text, right-aligned in `width` (at least FIGURE_WIDTH) characters. */
export function cellText(cell: PairCell | undefined, metric: MeshMetric, diagonal: boolean, width = FIGURE_WIDTH): Segment {
  const w = Math.max(FIGURE_WIDTH, width);
  if (diagonal) return seg(padLeft("·", w), { colour: "gray", dim: true });
  if (cell === undefined) return seg(padLeft("?", w), { colour: "gray" });
  // Never delivered media since it appeared (warm-up): not a failure yet.
  if (cell.starting === true && isFailing(cell.status)) return seg(padLeft("st", w), { colour: "cyan" });
  const colour = PROBE_STATUS_COLOUR[cell.status];
  if (isFailing(cell.status)) return seg(padLeft(PROBE_STATUS_CODE[cell.status], w), { colour, bold: true });
  const figure = metric === "latency" ? formatLatency(cell.latencyP50Ms) : formatLoss(cell.lossRatio);
  return seg(padLeft(figure, w), { colour });
}

export function buildMesh(input: MeshInput): MeshModel {
  const { overview, metric, width, height } = input;
  const regions = meshRegions(overview, input.filter);
  const n = regions.length;
  const row = clamp(input.row, n);
  const col = clamp(input.col, n);
  const cells = new Map<string, PairCell>();
  for (const p of overview.pairs) cells.set(`${p.src}>${p.dst}`, p);

  // Rows get full names when the columns still fit beside them; columns get the widest
  // abbreviation that fits (`eu-cen`, `eu-c`), never below MIN_LABEL.
  const fullW = Math.max(MIN_LABEL, ...regions.map((r) => r.length)) + 1;
  const fullRows = fullW <= MAX_ROW_LABEL + 1 && fullW + n * (MIN_LABEL + 1) + 2 <= width;
  let labelLen = MIN_LABEL;
  for (let len = MAX_LABEL; len >= MIN_LABEL; len--) {
    if ((fullRows ? fullW : len + 1) + n * (len + 1) + 2 <= width) {
      labelLen = len;
      break;
    }
  }
  const labels = abbreviateRegions(regions, labelLen);
  const longest = Math.max(MIN_LABEL, ...regions.map((r) => (labels.get(r) ?? r).length));
  const cellW = Math.max(FIGURE_WIDTH, longest) + 1;
  const headW = fullRows ? fullW : longest + 1;
  const fitCols = Math.max(1, Math.floor((width - headW - 2) / cellW));
  const matrixWidth = headW + Math.min(n, fitCols) * cellW + 2;
  const placement: MeshModel["detailsPlacement"] =
    width - matrixWidth >= SIDE_DETAILS_MIN_WIDTH ? "side" : height - (n + 2) >= DETAILS_LINES ? "below" : height >= 12 ? "below" : "none";
  const detailsLines = placement === "below" ? Math.max(3, Math.min(DETAILS_LINES, height - (n + 2))) : 0;
  const fitRows = Math.max(1, height - 2 - detailsLines);
  const colWin = scrollWindow(n, fitCols, col);
  const rowWin = scrollWindow(n, fitRows, row);

  const label = (r: string): string => labels.get(r) ?? r;
  const corner = colWin.start > 0 ? padRight("◀", headW) : padRight("s\\d", headW);
  const header: Segment[] = [seg(corner, { dim: colWin.start === 0, colour: colWin.start > 0 ? "cyan" : undefined })];
  for (let c = colWin.start; c < colWin.end; c++) {
    const r = regions[c] ?? "";
    header.push(seg(padLeft(label(r), cellW), { bold: c === col, underline: c === col }));
  }
  if (colWin.end < n) header.push(seg(" ▶", { colour: "cyan" }));
  const matrix: Line[] = [header];
  const regionByName = new Map(overview.regions.map((r) => [r.region, r]));
  for (let ri = rowWin.start; ri < rowWin.end; ri++) {
    const src = regions[ri] ?? "";
    const view = regionByName.get(src);
    const down = view !== undefined && (!view.connected || view.status?.state === "offline");
    const line: Segment[] = [seg(padRight(fullRows ? src : label(src), headW), { bold: ri === row, colour: down ? "magenta" : undefined, underline: ri === row })];
    for (let c = colWin.start; c < colWin.end; c++) {
      const dst = regions[c] ?? "";
      const cell = cellText(cells.get(`${src}>${dst}`), metric, src === dst, cellW - 1);
      const selected = ri === row && c === col;
      // The gap travels inside the cell so runs of one colour merge into one <Text>.
      const gapped = { ...cell, text: ` ${cell.text}` };
      line.push(selected ? { ...gapped, inverse: true } : gapped);
    }
    matrix.push(line);
  }
  const src = regions[row];
  const dst = regions[col];
  const selected = src === undefined || dst === undefined ? null : { src, dst, cell: cells.get(`${src}>${dst}`) ?? null };
  const details = placement === "none" || selected === null ? [] : pairDetails(selected.src, selected.dst, selected.cell, input.now).slice(0, placement === "below" ? detailsLines : undefined);
  return {
    regions,
    labels,
    matrix,
    details,
    detailsPlacement: placement,
    selected,
    hidden: { left: colWin.start, right: n - colWin.end, above: rowWin.start, below: n - rowWin.end },
    legend: legend(metric, regions, overview),
  };
}

/** The selected pair: status, reason, relay path, figures and the last windows. */
export function pairDetails(src: string, dst: string, cell: PairCell | null, now: number): Line[] {
  const title: Segment[] = [seg(`${src} → ${dst}`, { bold: true })];
  if (src === dst) return [title, [seg("same region: not probed", { dim: true })]];
  if (cell === null) return [title, [seg("no probe results for this pair yet", { colour: "yellow" })]];
  const colour = PROBE_STATUS_COLOUR[cell.status];
  title.push(seg("  "), seg(cell.status.toUpperCase(), { colour, bold: true }));
  if (cell.starting === true) title.push(seg("  starting (warm-up: no alert yet)", { colour: "cyan" }));
  title.push(seg(`  updated ${formatAge(now - cell.updatedAt)} ago`, { dim: true }));
  const spark: Segment[] = cell.recent.map((s) => seg(PROBE_STATUS_SPARK[s], { colour: PROBE_STATUS_COLOUR[s] }));
  const failed = cell.recent.filter(isFailing).length;
  return [
    title,
    [seg("reason  ", { dim: true }), seg(cell.reason === "" ? "—" : cell.reason, isFailing(cell.status) ? { colour } : {})],
    [seg("path    ", { dim: true }), seg(cell.relayPath.length === 0 ? "—" : cell.relayPath.join(" → "))],
    [
      seg("p50     ", { dim: true }),
      seg(cell.latencyP50Ms === null ? "—" : `${formatLatency(cell.latencyP50Ms)} ms`),
      seg("   loss ", { dim: true }),
      seg(formatLoss(cell.lossRatio)),
      seg("   jitter ", { dim: true }),
      seg(`${cell.jitterMs.toFixed(1)} ms`),
    ],
    [seg("windows ", { dim: true }), ...spark, seg(`  ${failed} of last ${cell.recent.length} failed (oldest → newest)`, { dim: true })],
  ];
}

function legend(metric: MeshMetric, regions: readonly string[], overview: Overview): Line {
  const down = overview.regions.filter((r) => regions.includes(r.region) && (!r.connected || r.status?.state === "offline")).map((r) => r.region);
  const out: Segment[] = [
    seg(metric === "latency" ? "p50 ms " : "loss ", { dim: true }),
    seg("ok", { colour: "green" }),
    seg(" degraded", { colour: "yellow" }),
    seg(" NM no media SF setup TO timeout HE http", { colour: "red" }),
    seg(" OF offline", { colour: "magenta" }),
    seg(" st starting", { colour: "cyan" }),
  ];
  if (down.length > 0) out.push(seg(`  DOWN: ${down.join(", ")}`, { colour: "magenta", bold: true }));
  return out;
}

function clamp(i: number, n: number): number {
  return n === 0 ? 0 : Math.min(Math.max(0, i), n - 1);
}
