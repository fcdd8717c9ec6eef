// Legacy behaviours: the switches that make a region behave like the SFU of the 2024-02-07
// incident, so the lab can reproduce it on demand. All are off by default.
//
//   announce-early   announce a relayed copy as soon as the region has demand for it
//                    (before it has located or received it), and never retract it
//   no-loop-guard    serve or attach any pull, even one whose path already holds this region
//   isolation=naive  take the region offline on the first heartbeat round no peer answers
//
// The same strings are used in scenario files (`behaviours:`), on the CLI and in the admin
// API. `isolation=guarded` is accepted too: it names the default and adds nothing.
// This module only parses and queries; it never changes a running region.
import type { IsolationPolicy } from "../../core/region-health.js";

export const LEGACY_BEHAVIOURS = ["announce-early", "no-loop-guard", "isolation=naive"] as const;
export type LegacyBehaviour = (typeof LEGACY_BEHAVIOURS)[number];
export type LegacyBehaviours = ReadonlySet<LegacyBehaviour>;

/** The default: every legacy behaviour off. */
export const NO_LEGACY_BEHAVIOURS: LegacyBehaviours = new Set<LegacyBehaviour>();

/** Every string parseBehaviours() accepts, for error messages and help text. */
export const BEHAVIOUR_STRINGS = [...LEGACY_BEHAVIOURS, "isolation=guarded"] as const;

export type ParseBehavioursResult =
  | { ok: true; behaviours: LegacyBehaviours }
  | { ok: false; error: { value: string; expected: string } };

/**
 * Parses a list as written in a scenario file or on the CLI (`["announce-early",
 * "isolation=naive"]`, or one comma-separated string). The result is the complete set:
 * a scenario's `set:` replaces a region's behaviours, it does not add to them.
 */
export function parseBehaviours(input: readonly string[] | string): ParseBehavioursResult {
  const items = typeof input === "string" ? input.split(",") : input;
  const out = new Set<LegacyBehaviour>();
  let isolation: "naive" | "guarded" | null = null;
  for (const raw of items) {
    const item = raw.trim();
    if (item === "") continue;
    if (item === "isolation=naive" || item === "isolation=guarded") {
      const wanted = item === "isolation=naive" ? "naive" : "guarded";
      if (isolation !== null && isolation !== wanted) {
        return { ok: false, error: { value: item, expected: "one isolation policy, not both isolation=naive and isolation=guarded" } };
      }
      isolation = wanted;
      if (wanted === "naive") out.add("isolation=naive");
      continue;
    }
    if (!isLegacyBehaviour(item)) {
      return { ok: false, error: { value: item, expected: `one of ${BEHAVIOUR_STRINGS.join(", ")}` } };
    }
    out.add(item);
  }
  return { ok: true, behaviours: out };
}

export function isLegacyBehaviour(value: string): value is LegacyBehaviour {
  return (LEGACY_BEHAVIOURS as readonly string[]).includes(value);
}

/** The isolation policy a region with these behaviours runs. */
export function isolationPolicyOf(behaviours: LegacyBehaviours): IsolationPolicy {
  return behaviours.has("isolation=naive") ? "naive" : "guarded";
}

export function loopGuardOn(behaviours: LegacyBehaviours): boolean {
  return !behaviours.has("no-loop-guard");
}

/** Stable text form, for `/v1/state`, logs and metric labels: `announce-early,no-loop-guard`. */
export function formatBehaviours(behaviours: LegacyBehaviours): string {
  return LEGACY_BEHAVIOURS.filter((b) => behaviours.has(b)).join(",");
}
