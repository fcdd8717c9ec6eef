import { describe, expect, it } from "vitest";
import { StallMeter } from "./stall-meter.js";

describe("StallMeter", () => {
  it("measures how much later than its period the pacer fired, per window, and carries a stall into the next window", () => {
    const m = new StallMeter(20);
    for (let t = 0; t <= 1000; t += 20) m.tick(t);
    expect(m.takeWindow()).toBe(0);
    m.tick(1020);
    m.tick(1340); // held up 300 ms
    m.tick(1360);
    expect(m.takeWindow()).toBe(300);
    m.tick(1380);
    expect(m.takeWindow()).toBe(300);
    m.tick(1400);
    expect(m.takeWindow()).toBe(0);
  });

  it("an early tick is not a negative stall", () => {
    const m = new StallMeter(20);
    m.tick(0);
    m.tick(5);
    expect(m.takeWindow()).toBe(0);
  });
});
