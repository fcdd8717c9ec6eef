import { describe, expect, it } from "vitest";
import type { TurnCell } from "../../core/analyzer-api.js";
import { lineText } from "./text.js";
import { turnLine } from "./turn-model.js";

const cell = (region: string, over: Partial<TurnCell> = {}): TurnCell => ({ region, status: "ok", reason: "", failing: false, latencyP50Ms: 3.4, updatedAt: 1, ...over });

describe("turnLine()", () => {
  it("is absent when no agent runs a TURN probe", () => {
    expect(turnLine([], 80)).toBeNull();
  });

  it("shows each region's TURN status; a failing one in red with its reason", () => {
    const line = turnLine([cell("eu-west", { status: "setup_failed", failing: true, reason: "TURN allocation refused: 401 Unauthorized", latencyP50Ms: null }), cell("us-east")], 200);
    expect(line === null ? "" : lineText(line)).toBe("TURN eu-west FAILING TURN allocation refused: 401 Unauthorized · us-east ok 3ms");
    expect(line?.find((s) => s.text === "FAILING")?.colour).toBe("red");
  });

  it("fits the width", () => {
    const line = turnLine([cell("eu-west"), cell("us-east"), cell("ap-south")], 20);
    expect(line === null ? 0 : Array.from(lineText(line)).length).toBeLessThanOrEqual(20);
  });
});
