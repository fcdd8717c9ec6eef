import { describe, expect, it } from "vitest";
import { announcedEntries, announcementDue, earlyAnnounced, entriesKey, LEGACY_ANNOUNCE_SETTLE_MS, locateDelayMs, type LocalTrack } from "./announce-policy.js";
import { NO_LEGACY_BEHAVIOURS, parseBehaviours, type LegacyBehaviours } from "./legacy-behaviours.js";
import { ANTI_ENTROPY_INTERVAL_MS } from "./track-table.js";

const EARLY = ((): LegacyBehaviours => {
  const r = parseBehaviours("announce-early");
  if (!r.ok) throw new Error("unreachable");
  return r.behaviours;
})();

const origin: LocalTrack = { track: "room/own", copy: { kind: "origin" }, demanded: false };
const flowing: LocalTrack = { track: "room/b", copy: { kind: "flowing", chain: ["eu-west", "us-west"] }, demanded: true };
const pending: LocalTrack = { track: "room/c", copy: { kind: "pending", pullPath: ["eu-central"], upstream: "eu-west" }, demanded: true };

describe("announcedEntries() by default", () => {
  it("announces origins and flowing copies with their upstream and path length", () => {
    expect(announcedEntries([pending, flowing, origin], NO_LEGACY_BEHAVIOURS)).toEqual([
      { track: "room/b", origin: false, upstream: "eu-west", pathLength: 2 },
      { track: "room/own", origin: true, pathLength: 0 },
    ]);
  });

  it("retracts a copy once its relay ends (it is simply no longer listed)", () => {
    expect(announcedEntries([origin], NO_LEGACY_BEHAVIOURS).map((e) => e.track)).toEqual(["room/own"]);
  });
});

describe("announcedEntries() with announce-early (legacy)", () => {
  it("announces a copy as soon as there is demand, before it is located or received", () => {
    const locating: LocalTrack = { track: "room/c", copy: { kind: "pending", pullPath: ["eu-central"], upstream: null }, demanded: true };
    expect(announcedEntries([locating], EARLY)).toEqual([{ track: "room/c", origin: false }]);
    expect(announcedEntries([pending], EARLY)).toEqual([{ track: "room/c", origin: false, upstream: "eu-west" }]);
  });

  it("never retracts a copy once demanded", () => {
    const early = earlyAnnounced(new Set(), ["room/c"], EARLY);
    expect(announcedEntries([], EARLY, early)).toEqual([{ track: "room/c", origin: false }]);
  });
});

describe("earlyAnnounced()", () => {
  it("remembers every demanded track and returns the same set when nothing is new", () => {
    const a = earlyAnnounced(new Set(), ["room/a"], EARLY);
    expect(a).toEqual(new Set(["room/a"]));
    expect(earlyAnnounced(a, ["room/a"], EARLY)).toBe(a);
  });

  it("forgets everything when the behaviour is switched off", () => {
    expect(earlyAnnounced(new Set(["room/a"]), ["room/b"], NO_LEGACY_BEHAVIOURS).size).toBe(0);
  });
});

describe("locateDelayMs()", () => {
  it("locates at once by default and after the settle window with announce-early", () => {
    expect(locateDelayMs(NO_LEGACY_BEHAVIOURS)).toBe(0);
    expect(locateDelayMs(EARLY)).toBe(LEGACY_ANNOUNCE_SETTLE_MS);
    expect(locateDelayMs(EARLY, 250)).toBe(250);
  });
});

describe("announcementDue()", () => {
  const entries = announcedEntries([flowing], NO_LEGACY_BEHAVIOURS);
  it("is due at once on change and otherwise every anti-entropy interval", () => {
    const last = { key: entriesKey(entries), sentAt: 0 };
    expect(announcementDue(null, entries, 0)).toBe(true);
    expect(announcementDue(last, entries, ANTI_ENTROPY_INTERVAL_MS - 1)).toBe(false);
    expect(announcementDue(last, entries, ANTI_ENTROPY_INTERVAL_MS)).toBe(true);
    expect(announcementDue(last, [], 1)).toBe(true);
  });
});
