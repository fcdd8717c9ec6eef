import { describe, expect, it } from "vitest";
import { liveRotations, parseProbeTrackId, probeTrackId, rotationAt, rotationSchedule, warmingRotation } from "./rotation.js";

describe("probe track rotation", () => {
  const s = rotationSchedule(30_000);

  it("names the current track of a region from the time alone", () => {
    expect(rotationAt(1_707_332_400_000, 30_000)).toBe(56_911_080);
    expect(probeTrackId("us-west", 56_911_080)).toBe("probe/us-west.56911080");
    expect(parseProbeTrackId("probe/us-west.56911080")).toEqual({ region: "us-west", rotation: 56_911_080 });
    expect(parseProbeTrackId("probe/us-west")).toBeNull();
    expect(parseProbeTrackId("room/us-west.1")).toBeNull();
  });

  it("keeps old and new tracks live across every boundary, so there is always an overlap", () => {
    expect(s).toEqual({ rotateMs: 30_000, publishLeadMs: 5000, subscribeLeadMs: 2500, tailMs: 5000 });
    const base = 100 * 30_000;
    expect(liveRotations(base - 5001, s)).toEqual([99]);
    expect(liveRotations(base - 5000, s)).toEqual([99, 100]);
    expect(liveRotations(base, s)).toEqual([99, 100]);
    expect(liveRotations(base + 4999, s)).toEqual([99, 100]);
    expect(liveRotations(base + 5000, s)).toEqual([100]);
    for (let t = base - 30_000; t < base + 30_000; t += 250) {
      const live = liveRotations(t, s);
      expect(live).toContain(rotationAt(t, 30_000));
      const warm = warmingRotation(t, s);
      if (warm !== null) expect(live).toContain(warm); // a subscriber only warms up to a published track
    }
  });

  it("starts warming subscribers after the publisher's lead began", () => {
    const base = 100 * 30_000;
    expect(warmingRotation(base - 2501, s)).toBeNull();
    expect(warmingRotation(base - 2500, s)).toBe(100);
    expect(rotationSchedule(3000)).toEqual({ rotateMs: 3000, publishLeadMs: 1000, subscribeLeadMs: 500, tailMs: 1000 });
  });
});
