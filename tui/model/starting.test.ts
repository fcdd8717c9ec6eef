// Warm-up in the TUI: a region or pair that has never been healthy since it appeared (and
// is within the grace) shows as `starting`, not as a failure.
import { describe, expect, it } from "vitest";
import { incidentOverview } from "../../test/support/tui-fixtures.js";
import { cellText, pairDetails } from "./mesh-model.js";
import { regionCondition } from "./regions-model.js";
import { lineText } from "./text.js";

const NOW = Date.UTC(2024, 1, 7, 19, 26, 0);

describe("starting (warm-up)", () => {
  const overview = incidentOverview(NOW);
  const region = overview.regions[0]!;
  const pair = { ...overview.pairs[0]!, status: "no_media" as const, reason: "no packet yet" };

  it("a region never reached yet is `starting`, not NO CONTACT", () => {
    expect(regionCondition({ ...region, connected: false, starting: true })).toEqual({ word: "starting", colour: "cyan" });
    expect(regionCondition({ ...region, connected: false, starting: false }).word).toBe("NO CONTACT");
  });

  it("a pair that never delivered media yet shows `st`, and its details say it does not alert yet", () => {
    expect(cellText({ ...pair, starting: true }, "latency", false).text.trim()).toBe("st");
    expect(cellText({ ...pair, starting: false }, "latency", false).text.trim()).toBe("NM");
    expect(lineText(pairDetails(pair.src, pair.dst, { ...pair, starting: true }, NOW)[0]!)).toContain("starting (warm-up: no alert yet)");
  });
});
