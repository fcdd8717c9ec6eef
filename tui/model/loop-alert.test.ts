// A RelayLoop is one alert per cycle (its `regions` label, no `track` label): the TUI still
// names and opens the looped track, from its evidence.
import { describe, expect, it } from "vitest";
import { relayLoopAlert } from "../../test/support/tui-fixtures.js";
import { alertSubject, alertTarget } from "./alerts-model.js";

const NOW = Date.UTC(2024, 1, 7, 19, 26, 0);

describe("a per-cycle RelayLoop in the TUI", () => {
  const fixture = relayLoopAlert(NOW);
  const { track, ...labels } = fixture.labels;
  const perCycle = { ...fixture, labels, evidence: { ...fixture.evidence, track } };

  it("Enter opens the first looped track from the evidence, and the row names it", () => {
    expect(track).toBeDefined();
    expect(alertTarget(perCycle)).toEqual({ kind: "track", track });
    expect(alertSubject(perCycle)).toBe(`eu-central → eu-west → eu-central  track ${track ?? ""}`);
  });
});
