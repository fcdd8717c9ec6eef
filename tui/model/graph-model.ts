// The Relay graph view as data: for one track, the origin, each region's upstream with the
// packets/s arriving over that edge, and any relay loop drawn in order and highlighted.
// Regions whose upstream chain never reaches the origin are listed apart, loudly: those
// are the subscribers that get nothing (the 2024-02-07 Germany/France case).
import type { TrackGraph, TrackNode, TracksList } from "../../core/analyzer-api.js";
import { findCycle } from "../../core/cycle.js";
import { cycleSegments } from "./alerts-model.js";
import { matchesFilter } from "./filter.js";
import { formatRate, padLeft, padRight } from "./format.js";
import { RELAY_STATE_COLOUR } from "./palette.js";
import { clipLine, seg, type Line, type Segment } from "./text.js";

export type TrackSummary = TracksList["tracks"][number];

/** Tracks with a loop first, then by name; filtered by track id or origin. */
export function visibleTracks(tracks: readonly TrackSummary[], filter: string): TrackSummary[] {
  return [...tracks]
    .filter((t) => matchesFilter(filter, [t.track, t.origin ?? ""]))
    .sort((a, b) => Number(b.cycle) - Number(a.cycle) || a.track.localeCompare(b.track));
}

export function trackListLine(t: TrackSummary, selected: boolean, width: number): Line {
  const mark = t.cycle ? seg("⟲ ", { colour: "red", bold: true }) : seg("  ");
  return [seg(selected ? "▸" : " ", { colour: "cyan" }), mark, seg(padRight(t.track, Math.max(4, width - 3)), { bold: selected, inverse: selected, colour: t.cycle ? "red" : undefined })];
}

/** Regions that reach `origin` by following upstream links. */
function reachingOrigin(graph: TrackGraph): Set<string> {
  const up = new Map(graph.nodes.map((n) => [n.region, n.upstream]));
  const ok = new Set<string>();
  for (const n of graph.nodes) {
    const seen = new Set<string>();
    let cur: string | null = n.region;
    while (cur !== null && !seen.has(cur)) {
      if (cur === graph.origin) {
        for (const s of seen) ok.add(s);
        ok.add(cur);
        break;
      }
      seen.add(cur);
      cur = up.get(cur) ?? null;
    }
  }
  return ok;
}

export function buildGraphLines(graph: TrackGraph, width: number): Line[] {
  const cycle = graph.cycle ?? findCycle(graph.nodes.map((n) => [n.region, n.upstream] as const));
  const inCycle = new Set(cycle ?? []);
  const reaching = reachingOrigin(graph);
  const lines: Line[] = [];
  const title: Segment[] = [seg(graph.track, { bold: true }), seg("  origin ", { dim: true }), seg(graph.origin ?? "unknown", { bold: true, colour: graph.origin === null ? "yellow" : undefined })];
  title.push(seg(`  ${graph.nodes.length} region(s)`, { dim: true }));
  lines.push(title);
  if (cycle !== null) lines.push([seg("RELAY LOOP ", { colour: "red", bold: true, inverse: true }), seg(" "), ...cycleSegments(cycle)]);
  lines.push([]);

  // The tree from the origin: each child drawn under its upstream with the edge's rate.
  const children = new Map<string, TrackNode[]>();
  for (const n of graph.nodes) {
    if (n.upstream === null) continue;
    const list = children.get(n.upstream) ?? [];
    list.push(n);
    children.set(n.upstream, list);
  }
  const originNode = graph.nodes.find((n) => n.region === graph.origin);
  if (graph.origin !== null) {
    lines.push([seg("● ", { colour: "green" }), seg(graph.origin, { bold: true }), seg(`  origin  ${originNode === undefined ? "(no copy seen)" : `${formatRate(originNode.packetsPerSec)} pkt/s`}`, { dim: true })]);
    const walk = (region: string, prefix: string, seen: Set<string>): void => {
      const kids = (children.get(region) ?? []).filter((k) => !seen.has(k.region)).sort((a, b) => a.region.localeCompare(b.region));
      kids.forEach((k, i) => {
        const last = i === kids.length - 1;
        lines.push([seg(`${prefix}${last ? "└" : "├"}─▶ `, { dim: true }), ...nodeSegments(k, inCycle)]);
        walk(k.region, `${prefix}${last ? "    " : "│   "}`, new Set([...seen, k.region]));
      });
    };
    walk(graph.origin, "", new Set([graph.origin]));
  }
  const stranded = graph.nodes.filter((n) => !reaching.has(n.region) && n.region !== graph.origin);
  if (stranded.length > 0) {
    lines.push([]);
    lines.push([seg("✖ not reaching the origin (subscribers here get nothing):", { colour: "red", bold: true })]);
    for (const n of stranded.sort((a, b) => a.region.localeCompare(b.region))) {
      lines.push([seg("  "), ...nodeSegments(n, inCycle), seg(`  ← pulls from ${n.upstream ?? "nobody"}`, { colour: "red" })]);
    }
  }
  lines.push([]);
  lines.push([seg(padRight("region", 16) + padRight("upstream", 16) + padRight("state", 10) + padLeft("pkt/s", 7) + padLeft("subs", 6), { dim: true })]);
  for (const n of [...graph.nodes].sort((a, b) => a.region.localeCompare(b.region))) {
    const loop = inCycle.has(n.region);
    lines.push([
      seg(padRight(n.region, 16), { bold: true, colour: loop ? "red" : undefined }),
      seg(padRight(n.upstream === null ? (n.local ? "(origin)" : "—") : `← ${n.upstream}`, 16), { colour: loop ? "red" : undefined }),
      seg(padRight(n.state, 10), { colour: RELAY_STATE_COLOUR[n.state] }),
      seg(padLeft(formatRate(n.packetsPerSec), 7), { colour: n.packetsPerSec === 0 && n.subscribers > 0 ? "red" : undefined }),
      seg(padLeft(String(n.subscribers), 6)),
      seg(loop ? "  ⟲ in loop" : "", { colour: "red", bold: true }),
    ]);
  }
  return lines.map((l) => clipLine(l, width));
}

function nodeSegments(n: TrackNode, inCycle: ReadonlySet<string>): Segment[] {
  const loop = inCycle.has(n.region);
  return [
    seg(n.region, { bold: true, colour: loop ? "red" : undefined }),
    seg(`  ${formatRate(n.packetsPerSec)} pkt/s`, { colour: n.packetsPerSec === 0 ? "red" : undefined }),
    seg(`  ${n.state}`, { colour: RELAY_STATE_COLOUR[n.state] }),
    seg(n.subscribers > 0 ? `  ${n.subscribers} sub` : "", { dim: true }),
  ];
}
