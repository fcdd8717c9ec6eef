// Random relay meshes for the relay machine's property (sfu/relay/relay-loop.test.ts) and
// the relay bench (bench/relay.bench.ts): 3–8 regions with random RTTs, 1–3 origins,
// demand spread out in time, then relays breaking and subscribers leaving, with per-message
// delay factors that reorder messages. meshViolation() states the property once: no cycle
// that no close is already breaking, quiescence, and every region still wanting a track
// connected to its origin by flowing relays whose chain (what its loop guard checks) is
// the real one. Test and bench support only.
import fc from "fast-check";
import type { Region, TrackId } from "../../core/region.js";
import { findCycle } from "../../core/cycle.js";
import type { LegacyBehaviours } from "../../sfu/relay/legacy-behaviours.js";
import { simulate, type SimAction, type SimConfig, type SimResult } from "./relay-sim/simulate.js";

/** Simulated time each mesh runs for: far past every action, every retry and timeout. */
export const MESH_UNTIL_MS = 120_000;

export const meshArb = fc
  .integer({ min: 3, max: 8 })
  .chain((n) => {
    const regions = Array.from({ length: n }, (_, i) => `r${i}`);
    const region = fc.integer({ min: 0, max: n - 1 });
    const track = fc.integer({ min: 0, max: 2 });
    return fc.record({
      regions: fc.constant(regions),
      rtt: fc.array(fc.integer({ min: 1, max: 250 }), { minLength: n * n, maxLength: n * n }),
      origins: fc.array(region, { minLength: 1, maxLength: 3 }),
      // Demand spread out, so later regions find earlier ones' copies and relays cascade.
      demands: fc.array(fc.record({ at: fc.integer({ min: 0, max: 6_000 }), region, track }), { minLength: n, maxLength: 3 * n }),
      // Then relays break and subscribers leave, while tables still hold the old copies.
      disruptions: fc.array(
        fc.record({ at: fc.integer({ min: 500, max: 10_000 }), kind: fc.constantFrom("break" as const, "undemand" as const), region, track }),
        { maxLength: 2 * n },
      ),
      // Per-message delay factors: mostly near the RTT, some very late (stale tables, reordering).
      jitter: fc.array(fc.oneof(fc.double({ min: 0.5, max: 1.5, noNaN: true }), fc.double({ min: 0, max: 20, noNaN: true })), { minLength: 1, maxLength: 64 }),
      announceEarly: fc.boolean(),
    });
  });

export type Mesh = typeof meshArb extends fc.Arbitrary<infer T> ? T : never;

export function meshConfig(m: Mesh, set: LegacyBehaviours): SimConfig {
  const n = m.regions.length;
  const rttMsOf = (a: Region, b: Region): number => {
    const [i, j] = [Number(a.slice(1)), Number(b.slice(1))].sort((x, y) => x - y) as [number, number];
    return m.rtt[i * n + j] ?? 50;
  };
  return {
    regions: m.regions,
    rttMs: rttMsOf,
    origins: new Map<TrackId, Region>(m.origins.map((o, t) => [`t/${t}`, `r${o}`] as const)),
    behaviours: new Map(m.regions.map((r) => [r, set])),
    delayMs: (msg) => (rttMsOf(msg.from, msg.to) / 2) * (m.jitter[msg.index % m.jitter.length] ?? 1),
  };
}

export function meshActions(m: Mesh): SimAction[] {
  return [...m.demands.map((e) => ({ ...e, kind: "demand" as const })), ...m.disruptions].map((e) => ({
    at: e.at,
    kind: e.kind,
    region: `r${e.region}`,
    track: `t/${e.track % m.origins.length}`,
  }));
}

/** Regions whose last demand/undemand action for `track` was a demand. */
export function stillDemanding(actions: readonly SimAction[], track: TrackId): Set<Region> {
  const out = new Set<Region>();
  for (const a of [...actions].sort((x, y) => x.at - y.at)) {
    if (a.track !== track || a.kind === "break") continue;
    if (a.kind === "demand") out.add(a.region);
    else out.delete(a.region);
  }
  return out;
}

/** Follows actual upstream links from `region`; every hop must be flowing. */
export function chainTo(r: SimResult, track: TrackId, region: Region): { reaches: Region | null } {
  const views = r.relays.get(track);
  let cur: Region = region;
  for (let hops = 0; hops < 16; hops++) {
    const v = views?.get(cur);
    if (v === undefined) return { reaches: cur };
    if (v.state !== "flowing" || v.upstream === null) return { reaches: null };
    cur = v.upstream;
  }
  return { reaches: null };
}

/** What is wrong with one run of the mesh under `set` (null when the property holds). */
export function meshViolation(m: Mesh, set: LegacyBehaviours): string | null {
  const config = meshConfig(m, set);
  const actions = meshActions(m);
  const r = simulate(config, actions, MESH_UNTIL_MS);
  if (r.firstUnhealingCycle !== null) return `cycle nothing breaks: ${r.firstUnhealingCycle.cycle.join(">")} at ${r.firstUnhealingCycle.at} ms`;
  if (!r.quiescent) return "still busy at the end";
  for (const [track, byRegion] of r.relays) {
    const cycle = findCycle([...byRegion].map(([reg, v]) => [reg, v.state === "locating" ? null : v.upstream] as const));
    if (cycle !== null) return `cycle at the end in ${track}: ${cycle.join(">")}`;
  }
  for (const [track, origin] of config.origins) {
    for (const region of stillDemanding(actions, track)) {
      if (region === origin) continue;
      const reached = chainTo(r, track, region).reaches;
      if (reached !== origin) return `${region} does not reach ${origin} for ${track} (reaches ${reached ?? "nothing"})`;
      const believed = r.relays.get(track)?.get(region)?.chain.at(-1);
      if (believed !== origin) return `${region} believes ${track} comes from ${believed ?? "nowhere"}`;
    }
  }
  return null;
}
