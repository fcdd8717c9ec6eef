import { describe, expect, it } from "vitest";
import { parsePayload } from "../../core/validate.js";
import {
  ANNOUNCEMENT_TTL_MS,
  applyAnnouncement,
  emptyTrackTable,
  expire,
  holders,
  knownTracks,
  nextVersion,
  originOf,
  snapshotAnnouncement,
  trackAnnouncementSchema,
  type TrackTable,
} from "./track-table.js";

const T = "probe/us-west";
const NOW = 1_700_000_000_000;

function tableWith(...announcements: Parameters<typeof applyAnnouncement>[1][]): TrackTable {
  return announcements.reduce<TrackTable>((t, a) => applyAnnouncement(t, a, NOW), emptyTrackTable());
}

describe("applyAnnouncement()", () => {
  it("records the origin and copies each region announces", () => {
    const t = tableWith(
      snapshotAnnouncement("us-west", 1, [{ track: T, origin: true, pathLength: 0 }], NOW),
      snapshotAnnouncement("eu-west", 1, [{ track: T, origin: false, upstream: "us-west", pathLength: 1 }], NOW),
    );
    expect(holders(t, T, NOW)).toEqual([
      { region: "eu-west", origin: false, upstream: "us-west", pathLength: 1 },
      { region: "us-west", origin: true, pathLength: 0 },
    ]);
    expect(originOf(t, T, NOW)).toBe("us-west");
  });

  it("ignores an older version and returns the same table", () => {
    const t = tableWith(snapshotAnnouncement("eu-west", 5, [{ track: T, origin: false }], NOW));
    const after = applyAnnouncement(t, snapshotAnnouncement("eu-west", 4, [], NOW), NOW + 1);
    expect(after).toBe(t);
    expect(holders(after, T, NOW + 1)).toHaveLength(1);
  });

  it("lets a full snapshot replace everything the region announced before (retraction)", () => {
    const t = tableWith(
      snapshotAnnouncement("eu-west", 1, [{ track: T, origin: false }, { track: "room/a", origin: true }], NOW),
      snapshotAnnouncement("eu-west", 2, [{ track: "room/a", origin: true }], NOW),
    );
    expect(holders(t, T, NOW)).toEqual([]);
    expect(knownTracks(t, NOW)).toEqual(new Set(["room/a"]));
  });

  it("lets a delta add and retract single entries", () => {
    const t = tableWith(
      snapshotAnnouncement("eu-west", 1, [{ track: "room/a", origin: true }], NOW),
      { region: "eu-west", version: 2, ts: NOW, ttlMs: 10_000, full: false, entries: [{ track: T, origin: false }] },
      { region: "eu-west", version: 3, ts: NOW, ttlMs: 10_000, full: false, entries: [], retract: ["room/a"] },
    );
    expect(knownTracks(t, NOW)).toEqual(new Set([T]));
  });

  it("refreshes the TTL on a resend of the same version (anti-entropy)", () => {
    const a = snapshotAnnouncement("eu-west", 1, [{ track: T, origin: false }], NOW, 10_000);
    let t = applyAnnouncement(emptyTrackTable(), a, NOW);
    t = applyAnnouncement(t, a, NOW + 8_000);
    expect(holders(t, T, NOW + 15_000)).toHaveLength(1);
    expect(holders(t, T, NOW + 18_000)).toHaveLength(0);
  });

  it("accepts any version once the region's record has expired (a restarted region is heard again)", () => {
    const t = tableWith(snapshotAnnouncement("eu-west", 1_000, [{ track: T, origin: false }], NOW, 10_000));
    const after = applyAnnouncement(t, snapshotAnnouncement("eu-west", 1, [], NOW + 20_000), NOW + 20_000);
    expect(after.get("eu-west")?.version).toBe(1);
  });
});

describe("expire()", () => {
  it("drops regions past their TTL on the receiver's clock, whatever the sender's ts says", () => {
    const a = { ...snapshotAnnouncement("eu-west", 1, [{ track: T, origin: false }], NOW), ts: NOW + 3_600_000 };
    const t = applyAnnouncement(emptyTrackTable(), a, NOW);
    expect(expire(t, NOW + ANNOUNCEMENT_TTL_MS - 1)).toBe(t);
    expect(expire(t, NOW + ANNOUNCEMENT_TTL_MS).size).toBe(0);
  });

  it("hides expired regions from holders() even before expire() runs", () => {
    const t = tableWith(snapshotAnnouncement("eu-west", 1, [{ track: T, origin: false }], NOW, 5_000));
    expect(holders(t, T, NOW + 5_000)).toEqual([]);
  });
});

describe("nextVersion()", () => {
  it("is monotonic and never below the clock, so a restarted region outranks its old announcements", () => {
    expect(nextVersion(0, NOW)).toBe(NOW);
    expect(nextVersion(NOW, NOW)).toBe(NOW + 1);
    expect(nextVersion(NOW + 5, NOW + 2)).toBe(NOW + 6);
  });
});

describe("trackAnnouncementSchema", () => {
  it("parses a snapshot from the wire with defaults for full and retract", () => {
    const r = parsePayload(trackAnnouncementSchema, { region: "eu-west", version: 3, ts: NOW, ttlMs: 15_000, entries: [{ track: T, origin: false, pathLength: 1 }] });
    expect(r.ok && r.value.full).toBe(true);
    expect(r.ok && r.value.retract).toEqual([]);
  });

  it("names the path of a bad field", () => {
    const r = parsePayload(trackAnnouncementSchema, { region: "eu-west", version: 3, ts: NOW, ttlMs: 15_000, entries: [{ track: "no-slash", origin: false }] });
    expect(r.ok ? null : r.error.path).toBe("entries[0].track");
  });

  it("refuses a TTL that would pin the table for hours", () => {
    const r = parsePayload(trackAnnouncementSchema, { region: "eu-west", version: 3, ts: NOW, ttlMs: 86_400_000, entries: [] });
    expect(r.ok ? null : r.error.path).toBe("ttlMs");
  });
});
