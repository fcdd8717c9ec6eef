import { describe, expect, it } from "vitest";
import { probe } from "../../test/support/analyzer-fixtures.js";
import { ProbeMatrix } from "./probe-matrix.js";

const YEAR_MS = 365 * 86_400_000;

describe("ProbeMatrix.record()", () => {
  it("a window stamped a year ahead is one vote: later real failing windows still turn the pair failing (issue 13)", () => {
    const m = new ProbeMatrix({ k: 2, n: 3 }, 250);
    m.record(probe("us-east", "eu-west", "ok", 1000));
    m.record(probe("us-east", "eu-west", "ok", 1000 + YEAR_MS));
    expect(m.record(probe("us-east", "eu-west", "no_media", 2000))).not.toBeNull();
    const o = m.record(probe("us-east", "eu-west", "no_media", 3000));
    expect(o?.failingChanged).toBe(true);
    expect(m.pair("us-east", "eu-west")?.failing).toBe(true);
  });

  it("ignores a repeat of a recent window (a re-sent batch), whatever arrived in between", () => {
    const m = new ProbeMatrix({ k: 2, n: 3 }, 250);
    m.record(probe("us-east", "eu-west", "no_media", 1000));
    m.record(probe("us-east", "eu-west", "ok", 2000));
    expect(m.record(probe("us-east", "eu-west", "no_media", 1000))).toBeNull();
    expect(m.pair("us-east", "eu-west")?.recent).toEqual(["no_media", "ok"]);
  });
});
