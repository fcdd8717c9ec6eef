// Relay loops in one track's upstream graph (region → the region it pulls from), written
// once: the SFU's simulator, the analyzer's detectors and the TUI's replay all print a loop
// the same way. Every copy has at most one upstream, so the graph is functional: a walk
// from any region ends (no upstream, unknown region) or enters exactly one cycle.
// Pure: no I/O, no imports of ours.

/**
 * Rotates a cycle (listed without the repeat) to start at its smallest member and closes
 * it: [eu-west, eu-central] → [eu-central, eu-west, eu-central]. The same loop is then
 * always reported the same way, whichever region's change or walk revealed it.
 */
export function canonicalCycle<R extends string>(members: readonly R[]): R[] {
  let min = 0;
  for (let i = 1; i < members.length; i++) {
    const m = members[i];
    const best = members[min];
    if (m !== undefined && best !== undefined && m < best) min = i;
  }
  const rotated = [...members.slice(min), ...members.slice(0, min)];
  const first = rotated[0];
  return first === undefined ? [] : [...rotated, first];
}

/**
 * The first relay loop (in the order of the sorted start regions) of an upstream map, in
 * canonical form (`canonicalCycle`); null when there is none. An upstream of null or
 * undefined ends a chain, as does an upstream that is not a key of the map. Cost is
 * linear in the number of regions: each region is walked at most once.
 */
export function findCycle<R extends string>(upstreamOf: Iterable<readonly [R, R | null | undefined]>): R[] | null {
  const up = new Map<R, R | null | undefined>(upstreamOf);
  const done = new Set<R>();
  for (const start of [...up.keys()].sort()) {
    const chain: R[] = [];
    const onChain = new Set<R>();
    let cur: R | null | undefined = start;
    while (cur !== null && cur !== undefined && up.has(cur) && !done.has(cur)) {
      if (onChain.has(cur)) return canonicalCycle(chain.slice(chain.indexOf(cur)));
      chain.push(cur);
      onChain.add(cur);
      cur = up.get(cur);
    }
    for (const r of chain) done.add(r);
  }
  return null;
}
