import { describe, expect, it } from "vitest";
import { allPairs, probe } from "../../test/support/analyzer-fixtures.js";
import { localiseFailures, pairFailingFindings } from "./probe-pairs.js";
import { ProbeMatrix } from "./probe-matrix.js";

const REGIONS = ["ap-south", "eu-central", "eu-west", "us-east", "us-west"];
const RULE = { k: 2, n: 3 };

/** Feeds `windows` windows of every pair; `fails(src, dst, i)` says which windows fail. */
function matrixWith(fails: (src: string, dst: string, i: number) => boolean, windows = 3): ProbeMatrix {
  const m = new ProbeMatrix(RULE, 250);
  for (let i = 0; i < windows; i++) {
    for (const [s, d] of allPairs(REGIONS)) m.record(probe(s, d, fails(s, d, i) ? "no_media" : "ok", 1000 * (i + 1), { relayPath: [d, s] }));
  }
  return m;
}

describe("ProbePairFailing k of n", () => {
  it("fails a pair at 2 failed windows of the last 3 and not at 1", () => {
    const m = new ProbeMatrix(RULE, 250);
    expect(m.record(probe("a", "b", "ok", 1))?.pair.failing).toBe(false);
    expect(m.record(probe("a", "b", "timeout", 2))?.pair.failing).toBe(false);
    const o = m.record(probe("a", "b", "no_media", 3));
    expect(o).toMatchObject({ failingChanged: true, pair: { failing: true } });
    m.record(probe("a", "b", "ok", 4));
    expect(m.pair("a", "b")?.failing).toBe(true);
    expect(m.record(probe("a", "b", "ok", 5))).toMatchObject({ failingChanged: true, pair: { failing: false } });
  });

  it("ignores a retried window (same ts) so a duplicate batch does not count twice", () => {
    const m = new ProbeMatrix(RULE, 250);
    m.record(probe("a", "b", "timeout", 1));
    expect(m.record(probe("a", "b", "timeout", 1))).toBeNull();
    expect(m.pair("a", "b")?.failing).toBe(false);
  });

  it("counts degraded windows as delivering media", () => {
    const m = new ProbeMatrix(RULE, 250);
    for (let i = 1; i <= 3; i++) m.record(probe("a", "b", "degraded", i));
    expect(m.pair("a", "b")?.failing).toBe(false);
  });
});

describe("ProbePairFailing localisation", () => {
  it("one region: every pair into and out of eu-central fails → one alert naming the region", () => {
    const m = matrixWith((s, d) => s === "eu-central" || d === "eu-central");
    const locs = localiseFailures(m.allPairs());
    expect(locs).toHaveLength(1);
    expect(locs[0]).toMatchObject({ kind: "region", region: "eu-central", direction: "both" });
    const [f] = pairFailingFindings(locs, RULE);
    expect(f?.labels).toEqual({ region: "eu-central" });
    expect(f?.summary).toContain("all probe pairs into and out of it fail");
    expect(f?.evidence["pairs"]).toHaveLength(8);
  });

  it("one region, inbound only: all pairs into us-east fail", () => {
    const locs = localiseFailures(matrixWith((_s, d) => d === "us-east").allPairs());
    expect(locs).toEqual([expect.objectContaining({ kind: "region", region: "us-east", direction: "in" })]);
  });

  it("one link: both directions between eu-west and us-west fail, everything else works", () => {
    const m = matrixWith((s, d) => (s === "eu-west" && d === "us-west") || (s === "us-west" && d === "eu-west"));
    const locs = localiseFailures(m.allPairs());
    expect(locs).toEqual([expect.objectContaining({ kind: "link", regions: ["eu-west", "us-west"] })]);
    expect(pairFailingFindings(locs, RULE)[0]?.labels).toEqual({ regions: "eu-west,us-west" });
  });

  it("one relay path: only us-west → eu-central fails; the alert names the relay path", () => {
    const m = new ProbeMatrix(RULE, 250);
    for (let i = 0; i < 3; i++) {
      for (const [s, d] of allPairs(REGIONS)) {
        const bad = s === "us-west" && d === "eu-central";
        m.record(probe(s, d, bad ? "no_media" : "ok", 1000 * (i + 1), { relayPath: bad ? ["eu-central", "eu-west", "us-west"] : [d, s] }));
      }
    }
    const locs = localiseFailures(m.allPairs());
    expect(locs).toEqual([expect.objectContaining({ kind: "path", src: "us-west", dst: "eu-central" })]);
    const [f] = pairFailingFindings(locs, RULE);
    expect(f?.labels).toEqual({ src: "us-west", dst: "eu-central" });
    expect(f?.summary).toContain("eu-central > eu-west > us-west");
    expect(f?.summary).toContain("the reverse works");
  });

  describe("the 2024-02-07 incident's matrix: us-east offline, eu-central/eu-west looped on a us-west track", () => {
    const INCIDENT = ["eu-central", "eu-west", "us-east", "us-west"];
    const looped = (s: string, d: string) => s === "us-west" && (d === "eu-central" || d === "eu-west");
    function incident(): ProbeMatrix {
      const m = new ProbeMatrix(RULE, 250);
      for (let i = 0; i < 3; i++) {
        for (const [s, d] of allPairs(INCIDENT)) {
          const offline = s === "us-east" || d === "us-east";
          m.record(probe(s, d, offline ? "region_offline" : looped(s, d) ? "no_media" : "ok", 1000 * (i + 1), { track: `probe/${s}.7`, relayPath: [d, s] }));
        }
      }
      return m;
    }

    it("names us-east as the region and each looped pair as its own path (us-west is healthy), when the loop is known", () => {
      const locs = localiseFailures(incident().allPairs(), (p) => looped(p.src, p.dst));
      expect(locs.map((l) => (l.kind === "region" ? `region ${l.region} ${l.direction}` : l.kind === "path" ? `path ${l.src}>${l.dst}` : l.kind))).toEqual(["region us-east both", "path us-west>eu-central", "path us-west>eu-west"]);
      expect(pairFailingFindings(locs, RULE).map((f) => f.labels)).toEqual([{ region: "us-east" }, { src: "us-west", dst: "eu-central" }, { src: "us-west", dst: "eu-west" }]);
    });

    it("leaves pairs of a region dead in both directions out of other regions' tallies", () => {
      const locs = localiseFailures(incident().allPairs());
      // Without the loop's help the matrix alone can only say "everything out of us-west fails" — but
      // never counts us-west→us-east (us-east explains it) towards it.
      expect(locs).toMatchObject([{ kind: "region", region: "us-east", direction: "both" }, { kind: "region", region: "us-west", direction: "out", pairs: [{ dst: "eu-central" }, { dst: "eu-west" }] }]);
    });
  });

  it("resolves: no localisation once the failing windows age out", () => {
    const m = matrixWith((_s, d, i) => i < 2 && d === "eu-central", 5);
    expect(localiseFailures(m.allPairs())).toEqual([]);
  });
});
