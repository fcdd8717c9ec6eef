import { describe, expect, it } from "vitest";
import { canonicalCycle, findCycle } from "./cycle.js";

describe("canonicalCycle()", () => {
  it("starts at the smallest member and closes the loop", () => {
    expect(canonicalCycle(["eu-west", "eu-central"])).toEqual(["eu-central", "eu-west", "eu-central"]);
    expect(canonicalCycle(["c", "a", "b"])).toEqual(["a", "b", "c", "a"]);
  });

  it("prints one loop one way whichever member it is given from", () => {
    const rotations = [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]].map((m) => canonicalCycle(m).join(">"));
    expect(new Set(rotations)).toEqual(new Set(["a>b>c>a"]));
  });

  it("returns [] for no members", () => {
    expect(canonicalCycle([])).toEqual([]);
  });
});

describe("findCycle()", () => {
  it("finds the incident's two-region loop in canonical order", () => {
    expect(findCycle([["eu-west", "eu-central"], ["eu-central", "eu-west"], ["us-west", null]])).toEqual(["eu-central", "eu-west", "eu-central"]);
  });

  it("returns the loop, not the chain that leads into it", () => {
    expect(findCycle(new Map([["a", "b"], ["b", "c"], ["c", "b"]]))).toEqual(["b", "c", "b"]);
    expect(findCycle([["d", "a"], ["a", "b"], ["b", "c"], ["c", "a"]])).toEqual(["a", "b", "c", "a"]);
  });

  it("reports the same rotation whatever order the map was built in", () => {
    const edges: [string, string][] = [["x", "z"], ["z", "y"], ["y", "x"], ["w", "y"]];
    const seen = new Set<string>();
    for (let i = 0; i < edges.length; i++) seen.add(findCycle([...edges.slice(i), ...edges.slice(0, i)])?.join(">") ?? "none");
    expect([...seen]).toEqual(["x>z>y>x"]);
  });

  it("finds a self-loop", () => {
    expect(findCycle([["a", "a"]])).toEqual(["a", "a"]);
  });

  it("returns null for chains that end at an origin, a missing region or nothing", () => {
    expect(findCycle([["a", null], ["b", "a"], ["c", "x"], ["d", undefined]])).toBeNull();
    expect(findCycle(new Map<string, string | null>())).toBeNull();
  });
});
