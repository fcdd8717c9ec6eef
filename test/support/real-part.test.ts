import { afterEach, describe, expect, it } from "vitest";
import { skipWithout } from "./real-part.js";

describe("skipWithout()", () => {
  const saved = process.env["CI"];
  afterEach(() => {
    if (saved === undefined) delete process.env["CI"];
    else process.env["CI"] = saved;
  });

  it("runs a suite whose real part is present, in CI or not", () => {
    process.env["CI"] = "true";
    expect(skipWithout(true, "tmux")).toBe(false);
    delete process.env["CI"];
    expect(skipWithout(true, "tmux")).toBe(false);
  });

  it("skips a suite whose real part is missing outside CI", () => {
    delete process.env["CI"];
    expect(skipWithout(false, "tmux")).toBe(true);
  });

  it("fails, naming the part, when it is missing in CI", () => {
    process.env["CI"] = "true";
    expect(() => skipWithout(false, "promtool (Debian prometheus)")).toThrow(/promtool \(Debian prometheus\) is missing: CI must run this suite/);
  });
});
