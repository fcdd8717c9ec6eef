// The Regions view as data: per region its health and isolation state, a peer
// reachability row, and legacy behaviours shown loudly (they are how the incident was
// reproduced; one left on in production is itself an incident). The selected region's
// isolation history follows.
import type { RegionView } from "../../core/analyzer-api.js";
import { abbreviateRegions } from "./abbrev.js";
import { matchesFilter } from "./filter.js";
import { formatAge, formatClock, padLeft, padRight, truncate } from "./format.js";
import type { Colour } from "./palette.js";
import { seg, type Line, type Segment } from "./text.js";

export function visibleRegions(regions: readonly RegionView[], filter: string): RegionView[] {
  return regions.filter((r) => matchesFilter(filter, [r.region, r.status?.state ?? "", ...r.behaviours]));
}

/** One word for a region's condition, worst first: what on-call must see before anything. */
export function regionCondition(r: RegionView): { word: string; colour: Colour } {
  // Never reached since it appeared, within the warm-up grace: coming up, not an incident.
  if (r.starting === true) return { word: "starting", colour: "cyan" };
  if (!r.connected) return { word: "NO CONTACT", colour: "magenta" };
  if (r.status === null) return { word: "unknown", colour: "gray" };
  if (r.status.state === "offline") return { word: "OFFLINE", colour: "red" };
  const unreachable = r.peers.filter((p) => !p.reachable).length;
  if (r.peers.length > 0 && unreachable === r.peers.length) return { word: "ALONE", colour: "red" };
  if (unreachable > 0) return { word: "online*", colour: "yellow" };
  return { word: "online", colour: "green" };
}

/** A glyph per peer, in `order`: ● reachable, ✖ not, · no entry. */
export function peerRow(r: RegionView, order: readonly string[]): Segment[] {
  const byPeer = new Map(r.peers.map((p) => [p.region, p]));
  const out: Segment[] = [];
  for (const peer of order) {
    if (peer === r.region) continue;
    const p = byPeer.get(peer);
    out.push(p === undefined ? seg("·", { colour: "gray" }) : p.reachable ? seg("●", { colour: "green" }) : seg("✖", { colour: "red", bold: true }));
  }
  return out;
}

export function regionRow(r: RegionView, order: readonly string[], selected: boolean, nameWidth: number): Line {
  const c = regionCondition(r);
  const reachable = r.peers.filter((p) => p.reachable).length;
  const peersText = r.peers.length === 0 ? "no peer data" : `${reachable}/${r.peers.length}`;
  const line: Segment[] = [
    seg(selected ? "▸ " : "  ", { colour: "cyan" }),
    seg(padRight(r.region, nameWidth), { bold: true, inverse: selected }),
    seg(" "),
    seg(padRight(c.word, 11), { colour: c.colour, bold: c.colour === "red" || c.colour === "magenta" }),
    seg(padRight(r.status?.isolation ?? "?", 8), { dim: r.status?.isolation !== "naive", colour: r.status?.isolation === "naive" ? "red" : undefined }),
    ...peerRow(r, order),
    seg(` ${padLeft(peersText, 5)}`, { dim: true }),
    seg(padLeft(String(r.tracks), 4), { dim: true }),
  ];
  if (r.behaviours.length > 0) line.push(seg("  "), seg(`⚠ LEGACY ${r.behaviours.join(" ")}`, { colour: "red", bold: true, inverse: true }));
  return line;
}

export function regionsHeader(order: readonly string[], nameWidth: number): Line {
  const peers = Math.max(0, order.length - 1);
  return [seg(`  ${padRight("region", nameWidth)} ${padRight("state", 11)}${padRight("isol.", 8)}${padRight("peers", Math.max(5, peers))}${padLeft("", Math.max(0, 5 - peers))}${padLeft("reach", 6)}${padLeft("trk", 4)}`, { dim: true })];
}

/** The selected region: state since when and why, per-peer RTTs and the isolation history. */
export function regionDetails(r: RegionView, order: readonly string[], now: number, width: number, maxLines: number): Line[] {
  const c = regionCondition(r);
  const lines: Line[] = [];
  const head: Segment[] = [seg(r.region, { bold: true }), seg("  "), seg(c.word, { colour: c.colour, bold: true })];
  if (r.status !== null) head.push(seg(`  since ${formatClock(r.status.since)} (${formatAge(now - r.status.since)})  isolation=${r.status.isolation}  loop lag ${r.status.eventLoopLagMs.toFixed(0)} ms`, { dim: true }));
  if (r.lastEventAt !== null) head.push(seg(`  last event ${formatAge(now - r.lastEventAt)} ago`, { dim: true }));
  lines.push(head);
  if (r.status !== null && r.status.reason !== "") lines.push([seg("reason   ", { dim: true }), seg(truncate(r.status.reason, width - 9))]);
  if (r.behaviours.length > 0) lines.push([seg("legacy   ", { dim: true }), seg(`⚠ ${r.behaviours.join(", ")} — incident-reproducing behaviour ON`, { colour: "red", bold: true })]);
  const labels = abbreviateRegions(order, 6);
  const peerSegs: Segment[] = [seg("peers    ", { dim: true })];
  for (const p of [...r.peers].sort((a, b) => order.indexOf(a.region) - order.indexOf(b.region))) {
    peerSegs.push(seg(`${labels.get(p.region) ?? p.region} `), p.reachable ? seg(p.rttMs === null ? "ok" : `${Math.round(p.rttMs)}ms`, { colour: "green" }) : seg("DOWN", { colour: "red", bold: true }), seg("  "));
  }
  if (r.peers.length === 0) peerSegs.push(seg("no peer data", { dim: true }));
  lines.push(peerSegs);
  lines.push([seg("history  ", { dim: true }), seg(r.history.length === 0 ? "no state changes recorded" : `${r.history.length} change(s), newest first`, { dim: true })]);
  return [...lines, ...historyLines(r.history, width, Math.max(0, maxLines - lines.length))];
}

/** Gap between the history's columns: a state never runs into its reason ("unreachanot connected yet"). */
const HISTORY_GAP = 2;

/**
 * The isolation history, newest first whatever order it came in (equal times: the later entry first), one
 * change per line: time, state (as wide as the longest shown, never cut: "reachabl"), reason
 * cut to the width with `…`.
 */
export function historyLines(history: RegionView["history"], width: number, maxLines: number): Line[] {
  const shown = history.map((h, i) => ({ h, i })).sort((a, b) => b.h.at - a.h.at || b.i - a.i).slice(0, maxLines).map(({ h }) => h);
  const stateWidth = Math.max(0, ...shown.map((h) => h.state.length)) + HISTORY_GAP;
  return shown.map((h) => {
    const colour: Colour = h.state === "offline" ? "red" : h.state === "online" ? "green" : "yellow";
    const clock = `  ${formatClock(h.at)}${" ".repeat(HISTORY_GAP)}`;
    return [seg(clock, { dim: true }), seg(padRight(h.state, stateWidth), { colour, bold: true }), seg(truncate(h.reason, Math.max(0, width - clock.length - stateWidth)))];
  });
}
