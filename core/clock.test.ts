import { describe, expect, it } from "vitest";
import { ManualClock } from "./clock.js";
import { parseDuration, formatDuration } from "./duration.js";
import { alertFingerprint } from "./fingerprint.js";

describe("ManualClock", () => {
  it("advance() fires timers in due order and intervals repeatedly", () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 200);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 100);
    const every = clock.setInterval(() => fired.push(`i@${clock.now()}`), 150);
    clock.advance(300);
    expect(fired).toEqual(["a@1100", "i@1150", "b@1200", "i@1300"]);
    every.cancel();
    clock.advance(1000);
    expect(fired).toHaveLength(4);
    expect(clock.now()).toBe(2300);
  });

  it("a cancelled timeout never fires and set() never moves time backwards", () => {
    const clock = new ManualClock(0);
    let fired = false;
    clock.setTimeout(() => { fired = true; }, 10).cancel();
    clock.set(50);
    clock.set(20);
    expect(fired).toBe(false);
    expect(clock.now()).toBe(50);
  });
});

describe("durations", () => {
  it("parse the units people write and reject the rest", () => {
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("3s")).toBe(3000);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("3")).toBeNull();
    expect(parseDuration("3 days")).toBeNull();
    expect(formatDuration(90_000)).toBe("90s");
    expect(formatDuration(120_000)).toBe("2m");
  });
});

describe("alertFingerprint()", () => {
  it("is stable across label order and ignores severity", () => {
    const a = alertFingerprint("RelayLoop", { track: "r/t", regions: "eu-central,eu-west", severity: "critical" });
    const b = alertFingerprint("RelayLoop", { regions: "eu-central,eu-west", track: "r/t" });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(alertFingerprint("MissingRelay", { track: "r/t", regions: "eu-central,eu-west" })).not.toBe(a);
  });
});
