import { describe, expect, it } from "vitest";
import { durationInRange, durationSchema, parseDuration } from "./duration.js";

describe("parseDuration()", () => {
  it("reads single units and compounds people write: 1h30m, 1m 30s, 2d", () => {
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1m 30s")).toBe(90_000);
    expect(parseDuration("2d")).toBe(172_800_000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration(" 250ms ")).toBe(250);
  });

  it("refuses what is a typo, not a duration: no unit, unknown units, trailing words, signs", () => {
    for (const t of ["3", "3 days", "1h foo", "soon", "-5s", "1e3s", "", "1h30", "9".repeat(400) + "h"]) expect(parseDuration(t), t).toBeNull();
  });
});

describe("durationSchema", () => {
  it("takes a duration text or plain milliseconds, and says what a duration looks like", () => {
    expect(durationSchema.parse("1h30m")).toBe(5_400_000);
    expect(durationSchema.parse(250)).toBe(250);
    const bad = durationSchema.safeParse(true);
    expect(bad.error?.issues[0]?.message).toBe("expected a duration like 250ms, 3s, 5m, 1h or 1h30m");
    expect(durationSchema.safeParse(-1).error?.issues[0]?.message).toBe("expected a duration like 250ms, 3s, 5m, 1h or 1h30m (a plain number is milliseconds, 0 or more)");
  });

  it("durationInRange() names its range in the file's units", () => {
    const s = durationInRange(1000, 86_400_000);
    expect(s.parse("24h")).toBe(86_400_000);
    expect(s.safeParse("999999h").error?.issues[0]?.message).toBe("expected a duration from 1s to 24h");
    expect(s.safeParse("0s").success).toBe(false);
  });
});
