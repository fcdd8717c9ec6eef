import { describe, expect, it } from "vitest";
import { formatBehaviours, isolationPolicyOf, loopGuardOn, NO_LEGACY_BEHAVIOURS, parseBehaviours } from "./legacy-behaviours.js";

describe("parseBehaviours()", () => {
  it("parses the strings scenario files and the CLI use", () => {
    const r = parseBehaviours(["announce-early", "no-loop-guard", "isolation=naive"]);
    expect(r.ok && formatBehaviours(r.behaviours)).toBe("announce-early,no-loop-guard,isolation=naive");
    expect(r.ok && isolationPolicyOf(r.behaviours)).toBe("naive");
    expect(r.ok && loopGuardOn(r.behaviours)).toBe(false);
  });

  it("accepts one comma-separated string and isolation=guarded as the explicit default", () => {
    const r = parseBehaviours(" no-loop-guard , isolation=guarded ");
    expect(r.ok && [...r.behaviours]).toEqual(["no-loop-guard"]);
    expect(r.ok && isolationPolicyOf(r.behaviours)).toBe("guarded");
  });

  it("names an unknown value and the accepted ones", () => {
    expect(parseBehaviours(["announce-eraly"])).toEqual({
      ok: false,
      error: { value: "announce-eraly", expected: "one of announce-early, no-loop-guard, isolation=naive, isolation=guarded" },
    });
  });

  it("refuses both isolation policies at once", () => {
    expect(parseBehaviours("isolation=naive,isolation=guarded").ok).toBe(false);
  });

  it("gives the defaults for an empty list", () => {
    const r = parseBehaviours([]);
    expect(r.ok && r.behaviours.size).toBe(0);
    expect(loopGuardOn(NO_LEGACY_BEHAVIOURS)).toBe(true);
    expect(isolationPolicyOf(NO_LEGACY_BEHAVIOURS)).toBe("guarded");
  });
});
