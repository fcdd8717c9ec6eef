// The incident's relay loop, reproduced and prevented in the simulator — which runs the
// region node's own relay machine (relay-machine.ts) in every region, only the network,
// time, engine and clients simulated: every interleaving we can enumerate for two nearby
// regions pulling a far track, and random meshes for the guard.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Region, TrackId } from "../../core/region.js";
import { LEGACY_ANNOUNCE_SETTLE_MS } from "./announce-policy.js";
import { NO_LEGACY_BEHAVIOURS, parseBehaviours, type LegacyBehaviours } from "./legacy-behaviours.js";
import { findCycle } from "../../core/cycle.js";
import { chainTo, meshActions, meshArb, meshConfig, meshViolation, type Mesh } from "../../test/support/relay-meshes.js";
import { simulate, type SimAction, type SimConfig, type SimResult } from "../../test/support/relay-sim/simulate.js";

const TRACK: TrackId = "probe/us-west";
const RTT: Record<string, number> = {
  "eu-central|eu-west": 8,
  "eu-central|us-west": 140,
  "eu-west|us-west": 150,
};
const rttMs = (a: Region, b: Region): number => RTT[[a, b].sort().join("|")] ?? 100;

function behaviours(text: string): LegacyBehaviours {
  const r = parseBehaviours(text);
  if (!r.ok) throw new Error(r.error.value);
  return r.behaviours;
}

function euConfig(eu: LegacyBehaviours, delays: readonly number[]): SimConfig {
  return {
    regions: ["us-west", "eu-central", "eu-west"],
    rttMs,
    origins: new Map([[TRACK, "us-west"]]),
    behaviours: new Map([["eu-central", eu], ["eu-west", eu]]),
    delayMs: (m) => delays[m.index] ?? rttMs(m.from, m.to) / 2,
  };
}

function demand(at: number, region: Region): SimAction {
  return { at, kind: "demand", region, track: TRACK };
}

/** Every combination of `choices` for the first `n` messages sent. */
function* delayCombos(choices: readonly number[], n: number): Generator<number[]> {
  const idx = new Array<number>(n).fill(0);
  for (;;) {
    yield idx.map((i) => choices[i] ?? 0);
    let k = 0;
    while (k < n && idx[k] === choices.length - 1) idx[k++] = 0;
    if (k === n) return;
    idx[k] = (idx[k] ?? 0) + 1;
  }
}

/** Demand skews (who first, how much later) well inside announce-early's settle window. */
const SKEWS: readonly (readonly [number, number])[] = [[0, 0], [0, 3], [3, 0], [0, 700], [1500, 0]];
/** Message delays spanning "before" and "after" every other event of the run. */
const DELAYS = [0, 5, 60] as const;
const ENUMERATED_MESSAGES = 8;

function upstreamOf(r: SimResult, region: Region): Region | null | undefined {
  return r.relays.get(TRACK)?.get(region)?.upstream;
}

describe("the incident's loop (announce-early + no-loop-guard on eu-central and eu-west)", () => {
  it("forms a 2-cycle under every enumerated interleaving of announcements and pulls", () => {
    const legacy = behaviours("announce-early,no-loop-guard");
    const orders = new Set<string>();
    let runs = 0;
    for (const [ec, ew] of SKEWS) {
      for (const delays of delayCombos(DELAYS, ENUMERATED_MESSAGES)) {
        const r = simulate(euConfig(legacy, delays), [demand(ec, "eu-central"), demand(ew, "eu-west")], 60_000);
        runs++;
        orders.add(r.log.join("\n"));
        expect(upstreamOf(r, "eu-central"), r.log.join("\n")).toBe("eu-west");
        expect(upstreamOf(r, "eu-west"), r.log.join("\n")).toBe("eu-central");
        expect(r.relays.get(TRACK)?.get("eu-central")?.state).toBe("pulling");
        expect(r.firstCycle?.cycle).toEqual(["eu-central", "eu-west", "eu-central"]);
      }
    }
    expect(runs).toBe(SKEWS.length * DELAYS.length ** ENUMERATED_MESSAGES);
    // The enumeration really explores different interleavings, not one order many times.
    expect(orders.size).toBeGreaterThan(1000);
    // 32,805 complete runs of the real machine in three regions: seconds, not milliseconds.
  }, 120_000);

  it("does not form when demand starts further apart than the settle window", () => {
    const legacy = behaviours("announce-early,no-loop-guard");
    const r = simulate(euConfig(legacy, []), [demand(0, "eu-central"), demand(LEGACY_ANNOUNCE_SETTLE_MS + 500, "eu-west")], 60_000);
    expect(r.firstCycle).toBeNull();
    expect(upstreamOf(r, "eu-central")).toBe("us-west");
    expect(upstreamOf(r, "eu-west")).toBe("eu-central");
  });

  for (const [name, set] of [
    ["the defaults", NO_LEGACY_BEHAVIOURS],
    ["announce-early alone (the guard refuses)", behaviours("announce-early")],
    ["no-loop-guard alone (nothing announced early)", behaviours("no-loop-guard")],
  ] as const) {
    it(`never forms with ${name}, and both regions receive the track`, () => {
      for (const [ec, ew] of SKEWS) {
        for (const delays of delayCombos(DELAYS, 6)) {
          const r = simulate(euConfig(set, delays), [demand(ec, "eu-central"), demand(ew, "eu-west")], 60_000);
          expect(r.firstCycle, r.log.join("\n")).toBeNull();
          for (const region of ["eu-central", "eu-west"]) {
            const v = r.relays.get(TRACK)?.get(region);
            expect(v?.state, r.log.join("\n")).toBe("flowing");
            expect(v?.chain.at(-1)).toBe("us-west");
          }
          expect(r.quiescent).toBe(true);
        }
      }
    });
  }
});

describe("findCycle()", () => {
  it("returns the cycle with the first region repeated at the end", () => {
    expect(findCycle(new Map([["a", "b"], ["b", "c"], ["c", "b"]]))).toEqual(["b", "c", "b"]);
  });
  it("returns null for a tree rooted at the origin", () => {
    expect(findCycle(new Map<Region, Region | null>([["a", "o"], ["b", "a"], ["o", null]]))).toBeNull();
  });
});

describe("the loop guard on random meshes", () => {
  it("never lets a track's upstream graph form a cycle, and connects every demanding region to the origin (defaults, and announce-early with the guard on)", () => {
    fc.assert(
      fc.property(meshArb, (m) => {
        // The guard must hold on its own, even with announce-early lying about copies. Never
        // a cycle that nothing is already tearing down (a stale chain healing — see
        // SimResult.firstUnhealingCycle and the regression below — is gone at the end).
        expect(meshViolation(m, m.announceEarly ? behaviours("announce-early") : NO_LEGACY_BEHAVIOURS)).toBeNull();
      }),
      { numRuns: 1_000 },
    );
  });

  it("regression (found by the property above): a close that overtakes the upstream's ok reply still ends the relay", () => {
    // r3 serves r2, then loses its own upstream (r1 breaks) and its subscribers; its close
    // reaches r2 before the slow "ok" reply did. r2 used to ignore the close (not flowing
    // yet), then go flowing from r3, which no longer had the track; r4 cascaded behind it.
    const m: Mesh = {
      regions: ["r0", "r1", "r2", "r3", "r4", "r5"],
      rtt: [1, 1, 1, 1, 1, 1, 1, 1, 166, 1, 223, 3, 1, 1, 1, 97, 221, 103, 1, 1, 1, 1, 1, 7, 1, 1, 1, 1, 1, 227, 1, 1, 1, 1, 1, 1],
      origins: [5],
      demands: [{ at: 0, region: 1, track: 0 }, { at: 0, region: 1, track: 0 }, { at: 1000, region: 3, track: 0 }, { at: 0, region: 4, track: 0 }, { at: 0, region: 2, track: 0 }, { at: 0, region: 1, track: 0 }],
      disruptions: [{ at: 1485, kind: "break", region: 1, track: 0 }, { at: 945, kind: "undemand", region: 2, track: 0 }, { at: 1487, kind: "undemand", region: 3, track: 0 }],
      jitter: [0.5, 0, 4.405286343612335],
      announceEarly: false,
    };
    const r = simulate(meshConfig(m, NO_LEGACY_BEHAVIOURS), meshActions(m), 120_000);
    expect(r.quiescent).toBe(true);
    for (const region of ["r1", "r4"]) expect(chainTo(r, "t/0", region)).toEqual({ reaches: "r5" });
  });

  it("regression (found by the property above): a chain gone stale while its close is in flight can close a cycle, which that close then breaks", () => {
    // A member of the cycle re-pulled after its relay broke while the close it owes its
    // downstreams was still on its way; a downstream, still believing in the old chain,
    // served a pull on it: r3 → r5 → r7 → r3 for one message delay. The close arrives,
    // the stale relay tears down, and everyone ends at the origin r4. (The mesh that first
    // showed this on the simulator's copy of the protocol, before the simulator ran the
    // node's machine, no longer forms it; this one was found on the machine.)
    const m: Mesh = {
      regions: ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"],
      rtt: [1, 1, 7, 1, 7, 8, 1, 78, 1, 1, 40, 12, 18, 6, 2, 20, 1, 1, 1, 12, 1, 20, 21, 78, 1, 1, 1, 1, 12, 6, 7, 7, 1, 1, 1, 1, 1, 20, 13, 20, 1, 1, 1, 1, 1, 1, 20, 1, 1, 1, 1, 1, 1, 1, 1, 13, 1, 1, 1, 1, 1, 1, 1, 1],
      origins: [4],
      demands: [
        { at: 503, region: 7, track: 0 }, { at: 0, region: 2, track: 0 }, { at: 4, region: 6, track: 0 }, { at: 501, region: 3, track: 0 }, { at: 0, region: 0, track: 0 }, { at: 0, region: 0, track: 0 },
        { at: 502, region: 5, track: 0 }, { at: 0, region: 0, track: 0 }, { at: 0, region: 0, track: 0 }, { at: 0, region: 0, track: 0 }, { at: 0, region: 1, track: 0 },
      ],
      disruptions: [{ at: 509, kind: "break", region: 6, track: 0 }, { at: 503, kind: "break", region: 2, track: 0 }, { at: 504, kind: "break", region: 1, track: 0 }],
      jitter: [1e-323, 0, 0, 0.5, 1.0000000000000286, 5e-324],
      announceEarly: false,
    };
    const r = simulate(meshConfig(m, NO_LEGACY_BEHAVIOURS), meshActions(m), 120_000);
    expect(r.firstCycle?.cycle).toEqual(["r3", "r5", "r7", "r3"]);
    expect(r.firstUnhealingCycle).toBeNull();
    expect(r.quiescent).toBe(true);
    for (const region of ["r0", "r1", "r2", "r3", "r5", "r6", "r7"]) expect(chainTo(r, "t/0", region), region).toEqual({ reaches: "r4" });
  });

  it("regression (found by the property above): a stale duplicate pull that overtakes a region's pending pull cannot strand it", () => {
    // r5's first pull to r0 was overtaken by its second; the first then replaced the second
    // at r0, and r5's release of the first left r0 with no record of the second: r5 waited
    // in `pulling` until the pending-pull timeout (relay-machine.test.ts covers that
    // backstop). Since an upstream refuses an older duplicate as stale_pull, the mesh never
    // reaches that state: r5 simply ends at the origin.
    const m: Mesh = {
      regions: ["r0", "r1", "r2", "r3", "r4", "r5"],
      rtt: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 109, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 49, 1, 1, 1, 1, 1, 49, 1, 1, 1, 1, 1, 1],
      origins: [1, 0, 0],
      demands: [{ at: 501, region: 5, track: 0 }, { at: 0, region: 2, track: 0 }, { at: 0, region: 2, track: 1 }, { at: 0, region: 1, track: 2 }, { at: 0, region: 3, track: 0 }, { at: 0, region: 0, track: 0 }, { at: 0, region: 3, track: 1 }, { at: 0, region: 0, track: 0 }, { at: 0, region: 1, track: 1 }, { at: 0, region: 4, track: 0 }],
      disruptions: [{ at: 502, kind: "break", region: 5, track: 0 }, { at: 502, kind: "undemand", region: 0, track: 0 }],
      jitter: [2.5000000000000573, 1e-323, 0.5, 1e-323],
      announceEarly: false,
    };
    const r = simulate(meshConfig(m, NO_LEGACY_BEHAVIOURS), meshActions(m), 120_000);
    expect(r.quiescent).toBe(true);
    expect(chainTo(r, "t/0", "r5")).toEqual({ reaches: "r1" });
    expect(r.log.some((l) => l.startsWith("pending-timeout"))).toBe(false);
  });

  it("regression (found by the property above): a late duplicate of an older pull is refused as stale, so its release cannot drop the newer pull", () => {
    // r0's first pull to r3 arrives after its second; r3 used to let it replace the newer
    // one, then r0 released the older and r3 stopped relaying to r0, which still believed
    // it was served.
    const m: Mesh = {
      regions: ["r0", "r1", "r2", "r3"],
      rtt: [1, 100, 105, 55, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
      origins: [2],
      demands: [{ at: 514, region: 0, track: 0 }, { at: 0, region: 3, track: 0 }, { at: 0, region: 1, track: 0 }, { at: 0, region: 1, track: 0 }, { at: 0, region: 1, track: 0 }],
      disruptions: [{ at: 516, kind: "undemand", region: 3, track: 0 }, { at: 515, kind: "break", region: 0, track: 0 }],
      jitter: [0.5, 0.5555555555555596, 0],
      announceEarly: false,
    };
    const r = simulate(meshConfig(m, NO_LEGACY_BEHAVIOURS), meshActions(m), 120_000);
    expect(r.quiescent).toBe(true);
    expect(chainTo(r, "t/0", "r0")).toEqual({ reaches: "r2" });
    expect(r.log).toContain("reply r3>r0 t/0 stale_pull");
  });

  it("is not vacuous: without the guard, the same meshes do form loops", () => {
    const legacy = behaviours("no-loop-guard");
    const found = fc.check(
      fc.property(meshArb, (m) => {
        const r = simulate(meshConfig(m, legacy), meshActions(m), 120_000);
        return r.firstUnhealingCycle === null;
      }),
      { numRuns: 2_000, seed: 1, endOnFailure: true },
    );
    expect(found.failed).toBe(true);
  });
});
