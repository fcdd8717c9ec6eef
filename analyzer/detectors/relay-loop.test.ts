import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RelayState } from "../../core/relay-edge.js";
import { tarjanCyclicComponents } from "../graph/cycles.js";
import { activeUpstream, RelayGraph } from "../graph/relay-graph.js";
import { trackEntry } from "../../test/support/analyzer-fixtures.js";
import { relayLoopFindings, RelayLoopDetector } from "./relay-loop.js";

const T = "room/cam";

/** Applies the edges in order, the i-th at time 100 + i. */
function build(edges: Record<string, string | null>, origin = "us-west"): { graph: RelayGraph; loops: RelayLoopDetector } {
  const graph = new RelayGraph();
  const loops = new RelayLoopDetector();
  for (const [i, [region, upstream]] of Object.entries(edges).entries()) {
    const c = graph.upsert(region, trackEntry(T, { upstream, local: region === origin, origin, state: region === origin ? "flowing" : "pulling" }), 0);
    loops.onUpstreamChange(graph.track(T), T, c.region, 100 + i);
  }
  return { graph, loops };
}

describe("RelayLoop", () => {
  it("reports the incident's 2-region loop in order: eu-central → eu-west → eu-central", () => {
    const { graph, loops } = build({ "us-west": null, "eu-central": "eu-west", "eu-west": "eu-central" });
    expect(loops.cyclesOf(T)).toEqual([["eu-central", "eu-west", "eu-central"]]);
    const [f] = relayLoopFindings([{ track: T, relays: graph.track(T), loops: loops.loopsOf(T) }], () => [], 123);
    expect(f?.labels).toEqual({ regions: "eu-central,eu-west" });
    // Formed by the third edge (eu-west → eu-central, at 102), not when the finding was made.
    expect(f?.evidence["formedAt"]).toBe(102);
    expect(f?.severity).toBe("critical");
    expect(f?.summary).toContain("eu-central → eu-west → eu-central");
    expect(f?.evidence["origin"]).toBe("us-west");
  });

  it("one finding per cycle: tracks looping on the same regions are one alert, the first-formed loop leads, every track and broken pair in evidence", () => {
    const a = build({ "us-west": null, "eu-central": "eu-west", "eu-west": "eu-central" });
    const other = "room/screen";
    const graph = a.graph;
    graph.upsert("us-west", trackEntry(other, { local: true, origin: "us-west", state: "flowing" }), 0);
    graph.upsert("eu-west", trackEntry(other, { upstream: "eu-central", origin: "us-west" }), 0);
    a.loops.onUpstreamChange(graph.track(other), other, "eu-west", 50);
    graph.upsert("eu-central", trackEntry(other, { upstream: "eu-west", origin: "us-west" }), 0);
    a.loops.onUpstreamChange(graph.track(other), other, "eu-central", 90);
    const looped = [T, other].map((track) => ({ track, relays: graph.track(track), loops: a.loops.loopsOf(track) }));
    const asked: string[][] = [];
    const findings = relayLoopFindings(looped, (tracks) => {
      asked.push([...tracks].sort());
      return [{ src: "us-west", dst: "eu-west", track: other }];
    }, 123);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.labels).toEqual({ regions: "eu-central,eu-west" });
    expect(findings[0]?.evidence).toMatchObject({ track: other, formedAt: 90, trackCount: 2, pairs: [{ src: "us-west", dst: "eu-west", track: other }] });
    expect((findings[0]?.evidence["tracks"] as { track: string }[]).map((t) => t.track)).toEqual([other, T]);
    expect(asked).toEqual([[other, T].sort()]);
    expect(findings[0]?.keepFiringForMs).toBeGreaterThan(0);
  });

  it("reports a 3-region cycle starting at its smallest region, following upstream", () => {
    const { loops } = build({ "us-west": null, "eu-west": "ap-south", "ap-south": "eu-central", "eu-central": "eu-west" });
    expect(loops.cyclesOf(T)).toEqual([["ap-south", "eu-central", "eu-west", "ap-south"]]);
  });

  it("reports a 5-region cycle and a chain feeding into it only once", () => {
    const { loops } = build({ a: "b", b: "c", c: "d", d: "e", e: "a", f: "c", "us-west": null });
    expect(loops.cyclesOf(T)).toEqual([["a", "b", "c", "d", "e", "a"]]);
  });

  it("reports a self-loop", () => {
    const { loops } = build({ "eu-west": "eu-west" });
    expect(loops.cyclesOf(T)).toEqual([["eu-west", "eu-west"]]);
  });

  it("finds no loop in a healthy cascade us-west → eu-west → eu-central", () => {
    const { loops } = build({ "us-west": null, "eu-west": "us-west", "eu-central": "eu-west" });
    expect(loops.hasCycle(T)).toBe(false);
  });

  it("resolves when one member re-points at the origin, and when a member's copy fails", () => {
    const { graph, loops } = build({ "us-west": null, "eu-central": "eu-west", "eu-west": "eu-central" });
    graph.upsert("eu-west", trackEntry(T, { upstream: "us-west" }), 1);
    expect(loops.onUpstreamChange(graph.track(T), T, "eu-west", 201)).toBe(true);
    expect(loops.hasCycle(T)).toBe(false);
    graph.upsert("eu-west", trackEntry(T, { upstream: "eu-central" }), 2);
    loops.onUpstreamChange(graph.track(T), T, "eu-west", 202);
    expect(loops.loopsOf(T).map((l) => l.formedAt)).toEqual([202]);
    // A change of a member that leaves the same cycle closed keeps when it formed.
    graph.upsert("eu-central", trackEntry(T, { upstream: "eu-west", state: "flowing" }), 3);
    loops.onUpstreamChange(graph.track(T), T, "eu-central", 203);
    expect(loops.loopsOf(T).map((l) => l.formedAt)).toEqual([202]);
    graph.upsert("eu-west", trackEntry(T, { upstream: "eu-central", state: "failed" }), 3);
    loops.onUpstreamChange(graph.track(T), T, "eu-west", 204);
    expect(loops.hasCycle(T)).toBe(false);
  });

  it("resolves when a member's copy is removed", () => {
    const { graph, loops } = build({ "eu-central": "eu-west", "eu-west": "eu-central" });
    graph.remove("eu-central", T);
    loops.onUpstreamChange(graph.track(T), T, "eu-central", 200);
    expect(loops.hasCycle(T)).toBe(false);
  });

  it("keeps two disjoint loops of one track apart", () => {
    const { loops } = build({ a: "b", b: "a", c: "d", d: "c" });
    expect(loops.cyclesOf(T).map((c) => c.join(">")).sort()).toEqual(["a>b>a", "c>d>c"]);
  });

  it("property: fires iff the track's upstream graph has a cycle, after every change", () => {
    const regions = ["r0", "r1", "r2", "r3", "r4", "r5"];
    const op = fc.record({
      region: fc.constantFrom(...regions),
      upstream: fc.option(fc.constantFrom(...regions), { nil: null }),
      state: fc.constantFrom<RelayState>("locating", "pulling", "flowing", "failed", "closed"),
      remove: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const graph = new RelayGraph();
        const loops = new RelayLoopDetector();
        for (const o of ops) {
          if (o.remove) graph.remove(o.region, T);
          else graph.upsert(o.region, trackEntry(T, { upstream: o.upstream, state: o.state }), 0);
          loops.onUpstreamChange(graph.track(T), T, o.region, 0);
          // Oracle: Tarjan SCC over the track's active upstream edges, computed from scratch.
          const t = graph.track(T);
          const vertices = t === undefined ? [] : [...t.nodes.keys()];
          const sccs = tarjanCyclicComponents(vertices, (v) => {
            const up = activeUpstream(t?.nodes.get(v));
            return up !== null && t?.nodes.has(up) === true ? [up] : [];
          });
          expect(loops.hasCycle(T)).toBe(sccs.length > 0);
          const found = loops.cyclesOf(T).map((c) => [...new Set(c)].sort().join(",")).sort();
          expect(found).toEqual(sccs.map((c) => [...c].sort().join(",")).sort());
        }
      }),
      { numRuns: 500 },
    );
  });
});
