// Cycle detection in one track's upstream graph (region → the region it pulls from).
// Used by the simulator and tests; a region's own /v1/state check can use it too.
import type { Region } from "../../core/region.js";

/** A cycle in a region → upstream map, as the regions visited with the first repeated at the end. */
export function findCycle(upstreamOf: ReadonlyMap<Region, Region | null>): Region[] | null {
  const done = new Set<Region>();
  for (const start of [...upstreamOf.keys()].sort()) {
    const seen: Region[] = [];
    let cur: Region | null | undefined = start;
    while (cur !== null && cur !== undefined && !done.has(cur)) {
      const i = seen.indexOf(cur);
      if (i >= 0) return [...seen.slice(i), cur];
      seen.push(cur);
      cur = upstreamOf.get(cur);
    }
    for (const r of seen) done.add(r);
  }
  return null;
}
