// Cycle finding in a track's upstream graph. Every copy has at most one active upstream,
// so a track's graph is a functional graph: following upstream from any region either
// ends (origin, dangling copy, missing region) or enters exactly one cycle. A walk is
// therefore bounded by the number of regions, whatever the number of tracks. A cycle is
// reported in core/cycle.ts's canonical rotation, as everywhere else.
import { canonicalCycle } from "../../core/cycle.js";
import type { Region } from "../../core/region.js";
import { activeUpstream, type TrackRelays } from "./relay-graph.js";

export type ChainEnd =
  /** Reached a region with no upstream that holds the track locally (the origin). */
  | { kind: "origin"; region: Region; hops: Region[] }
  /** Reached a copy with no active upstream that is not the origin. */
  | { kind: "dangling"; region: Region; hops: Region[] }
  /** The last hop names a region that has no copy of the track at all. */
  | { kind: "missing"; region: Region; hops: Region[] }
  /** The chain enters a cycle; `cycle` starts and ends with the same region. */
  | { kind: "cycle"; cycle: Region[]; hops: Region[] };

/**
 * Follows upstream from `start`. `hops` is the chain walked, start first. Cost is at most
 * the number of copies of this track (≤ regions).
 */
export function walkUpstream(t: TrackRelays, start: Region): ChainEnd {
  const hops: Region[] = [];
  const index = new Map<Region, number>();
  let cur: Region = start;
  for (;;) {
    const node = t.nodes.get(cur);
    if (node === undefined) return { kind: "missing", region: cur, hops };
    const at = index.get(cur);
    if (at !== undefined) return { kind: "cycle", cycle: canonicalCycle(hops.slice(at)), hops };
    index.set(cur, hops.length);
    hops.push(cur);
    const up = activeUpstream(node);
    if (up === null) return node.local ? { kind: "origin", region: cur, hops } : { kind: "dangling", region: cur, hops };
    cur = up;
  }
}

/**
 * Tarjan's strongly connected components over an arbitrary directed graph given as
 * adjacency lists: the textbook full-recompute baseline the bench compares against.
 * Returns the components with more than one vertex or a self-edge (i.e. the cycles).
 */
export function tarjanCyclicComponents(vertices: readonly string[], edges: (v: string) => readonly string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  // Iterative, so a long chain cannot overflow the call stack.
  for (const root of vertices) {
    if (index.has(root)) continue;
    const work: { v: string; i: number }[] = [{ v: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame === undefined) break;
      const succ = edges(frame.v);
      if (frame.i < succ.length) {
        const w = succ[frame.i++] ?? "";
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.v, Math.min(low.get(frame.v) ?? 0, index.get(w) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.v, Math.min(low.get(parent.v) ?? 0, low.get(frame.v) ?? 0));
      if (low.get(frame.v) === index.get(frame.v)) {
        const comp: string[] = [];
        for (;;) {
          const w = stack.pop();
          if (w === undefined) break;
          onStack.delete(w);
          comp.push(w);
          if (w === frame.v) break;
        }
        if (comp.length > 1 || edges(frame.v).includes(frame.v)) out.push(comp);
      }
    }
  }
  return out;
}
