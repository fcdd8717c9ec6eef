import { describe, expect, it } from "vitest";
import { locate, RTT_TIE_MARGIN_MS } from "./locator.js";
import { applyAnnouncement, emptyTrackTable, snapshotAnnouncement, type TrackEntry, type TrackTable } from "./track-table.js";

const T = "room/cam";
const NOW = 1_000;

function table(entries: Record<string, Omit<TrackEntry, "track">>): TrackTable {
  let t = emptyTrackTable();
  for (const [region, e] of Object.entries(entries)) t = applyAnnouncement(t, snapshotAnnouncement(region, 1, [{ track: T, ...e }], NOW), NOW);
  return t;
}

const names = (cs: { region: string }[]): string[] => cs.map((c) => c.region);

describe("locate()", () => {
  it("cascades through a nearer copy: with RTT(C,B) < RTT(C,A) and B holding A's track, C picks B, then A", () => {
    const t = table({ a: { origin: true }, b: { origin: false, upstream: "a", pathLength: 1 } });
    const cs = locate(T, "c", t, new Map([["a", 90], ["b", 20]]), ["c"], NOW);
    expect(names(cs)).toEqual(["b", "a"]);
    expect(cs[0]).toEqual({ region: "b", origin: false, rttMs: 20, pathLength: 1 });
  });

  it("never returns itself or a region already on the path", () => {
    const t = table({ a: { origin: true }, b: { origin: false }, c: { origin: false } });
    expect(names(locate(T, "c", t, new Map([["a", 50], ["b", 5]]), ["d", "b", "c"], NOW))).toEqual(["a"]);
  });

  it("prefers the origin, then the shorter path, among candidates within the tie margin", () => {
    const t = table({ a: { origin: true }, b: { origin: false, pathLength: 2 }, d: { origin: false, pathLength: 1 } });
    const rtts = new Map([["a", 40 + RTT_TIE_MARGIN_MS], ["b", 40], ["d", 41]]);
    expect(names(locate(T, "c", t, rtts, ["c"], NOW))).toEqual(["a", "d", "b"]);
  });

  it("orders strictly by RTT beyond the margin", () => {
    const t = table({ a: { origin: true }, b: { origin: false, pathLength: 3 } });
    expect(names(locate(T, "c", t, new Map([["a", 40 + RTT_TIE_MARGIN_MS + 1], ["b", 40]]), ["c"], NOW))).toEqual(["b", "a"]);
  });

  it("puts regions without an RTT last, copies first and the origin as the final fallback", () => {
    const t = table({ a: { origin: true }, b: { origin: false, pathLength: 2 }, d: { origin: false, pathLength: 1 }, e: { origin: false } });
    expect(names(locate(T, "c", t, new Map([["e", 300]]), ["c"], NOW))).toEqual(["e", "d", "b", "a"]);
  });

  it("leaves out regions the caller excludes, e.g. ones that just refused", () => {
    const t = table({ a: { origin: true }, b: { origin: false } });
    expect(names(locate(T, "c", t, new Map([["a", 50], ["b", 5]]), ["c"], NOW, { exclude: ["b"] }))).toEqual(["a"]);
  });

  it("returns nothing for an unknown track", () => {
    expect(locate("room/none", "c", table({ a: { origin: true } }), new Map(), ["c"], NOW)).toEqual([]);
  });

  it("is deterministic: equal RTTs end on the region name", () => {
    const t = table({ x: { origin: false, pathLength: 1 }, b: { origin: false, pathLength: 1 } });
    expect(names(locate(T, "c", t, new Map([["x", 10], ["b", 10]]), ["c"], NOW))).toEqual(["b", "x"]);
  });
});
