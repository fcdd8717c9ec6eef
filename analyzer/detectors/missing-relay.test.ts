import { describe, expect, it } from "vitest";
import { RelayGraph } from "../graph/relay-graph.js";
import { trackEntry } from "../../test/support/analyzer-fixtures.js";
import { missingRelayFindings, missingRelayVerdict, MISSING_RELAY_FOR_MS } from "./missing-relay.js";
import { staleRelayFindings } from "./stale-relay.js";

const T = "room/cam";

function graphOf(entries: Record<string, Parameters<typeof trackEntry>[1]>): RelayGraph {
  const g = new RelayGraph();
  for (const [region, e] of Object.entries(entries)) g.upsert(region, trackEntry(T, e), 0);
  return g;
}

function verdict(g: RelayGraph, region: string) {
  const t = g.track(T)!;
  return missingRelayVerdict(t, t.nodes.get(region)!);
}

describe("MissingRelay", () => {
  it("is quiet for subscribers whose chain reaches the origin and who receive packets", () => {
    const g = graphOf({ "us-west": { local: true, packets: 100, updatedAt: 1000 }, "eu-west": { upstream: "us-west", subscribers: 2, packets: 90, updatedAt: 1000 } });
    g.upsert("eu-west", trackEntry(T, { upstream: "us-west", subscribers: 2, packets: 190, updatedAt: 2000 }), 2000);
    expect(verdict(g, "eu-west")).toBeNull();
  });

  it("flags a chain ending at a region without the track: upstream without the track", () => {
    const g = graphOf({ "us-west": { local: true }, "eu-central": { upstream: "eu-west", subscribers: 1 } });
    expect(verdict(g, "eu-central")).toMatchObject({ kind: "upstream_without_track", chain: ["eu-central", "eu-west"], at: "eu-west" });
  });

  it("flags a subscribed copy that pulls from nowhere as dangling", () => {
    const g = graphOf({ "us-west": { local: true }, "eu-central": { subscribers: 3, state: "locating" } });
    expect(verdict(g, "eu-central")).toMatchObject({ kind: "dangling", at: "eu-central" });
  });

  it("flags a chain ending at a non-origin copy with no upstream as a black hole (announce-early)", () => {
    const g = graphOf({ "us-west": { local: true }, "eu-west": { announced: true, state: "locating" }, "eu-central": { upstream: "eu-west", subscribers: 1 } });
    expect(verdict(g, "eu-central")).toMatchObject({ kind: "black_hole", chain: ["eu-central", "eu-west"], at: "eu-west" });
  });

  it("flags no packets while the origin receives them, and clears once packets arrive", () => {
    const g = graphOf({ "us-west": { local: true, packets: 10, updatedAt: 1000 }, "eu-west": { upstream: "us-west", subscribers: 1, state: "flowing", updatedAt: 1000 } });
    g.upsert("us-west", trackEntry(T, { local: true, packets: 500, updatedAt: 6000 }), 6000);
    expect(verdict(g, "eu-west")).toMatchObject({ kind: "no_packets", at: "us-west" });
    g.upsert("eu-west", trackEntry(T, { upstream: "us-west", subscribers: 1, state: "flowing", packets: 400, updatedAt: 6000 }), 6000);
    expect(verdict(g, "eu-west")).toBeNull();
  });

  it("leaves chains that enter a loop to RelayLoop", () => {
    const g = graphOf({ "us-west": { local: true }, "eu-central": { upstream: "eu-west" }, "eu-west": { upstream: "eu-central" }, "ap-south": { upstream: "eu-west", subscribers: 1 } });
    expect(verdict(g, "ap-south")).toBeNull();
  });

  it("holds a copy being set up (subscribed, pulling from the origin, no packet yet) for MISSING_RELAY_FOR_MS, like every kind", () => {
    const g = graphOf({ "us-west": { local: true, packets: 500, updatedAt: 6000 }, "eu-west": { upstream: "us-west", subscribers: 1, state: "pulling", updatedAt: 5900 } });
    const [f] = missingRelayFindings(g.track(T)!, T, "us-west", 6000);
    expect(f).toMatchObject({ evidence: { kind: "no_packets" }, forMs: MISSING_RELAY_FOR_MS });
    expect(MISSING_RELAY_FOR_MS).toBeGreaterThanOrEqual(2000);
    expect(MISSING_RELAY_FOR_MS).toBeLessThanOrEqual(3000);
  });

  it("ignores copies without subscribers, and waits MISSING_RELAY_FOR_MS for structural kinds", () => {
    const g = graphOf({ "eu-central": { upstream: "eu-west" } });
    expect(verdict(g, "eu-central")).toBeNull();
    const g2 = graphOf({ "eu-central": { upstream: "eu-west", subscribers: 1 } });
    const [f] = missingRelayFindings(g2.track(T)!, T, "us-west", 0);
    expect(f).toMatchObject({ name: "MissingRelay", labels: { track: T, region: "eu-central" }, forMs: MISSING_RELAY_FOR_MS });
  });
});

describe("StaleRelay", () => {
  it("flags a relayed copy with no subscribers and nobody pulling from it, after the linger", () => {
    const g = graphOf({ "us-west": { local: true }, "eu-west": { upstream: "us-west", state: "flowing" } });
    const [f] = staleRelayFindings(g.track(T)!, T, 60_000, 0);
    expect(f).toMatchObject({ name: "StaleRelay", labels: { track: T, region: "eu-west" }, forMs: 60_000 });
  });

  it("does not flag a copy another region pulls from", () => {
    const g = graphOf({ "us-west": { local: true }, "eu-west": { upstream: "us-west", state: "flowing" }, "eu-central": { upstream: "eu-west", subscribers: 1 } });
    expect(staleRelayFindings(g.track(T)!, T, 60_000, 0)).toEqual([]);
  });
});
