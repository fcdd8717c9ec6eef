// Muted (inhibited) alerts in the TUI: listed, grey with a `mute` tag, after the alerts
// that page; never the ticker's headline; counted apart in the header.
import { describe, expect, it } from "vitest";
import type { Alert } from "../../core/alert.js";
import { emptyState } from "../source/dashboard-state.js";
import { incidentOverview, relayLoopAlert } from "../../test/support/tui-fixtures.js";
import { alertDetails, alertRow, alertTicker, isMuted, sortAlerts } from "./alerts-model.js";
import { headerLine } from "./header-model.js";
import { lineText } from "./text.js";

const NOW = Date.UTC(2024, 1, 7, 19, 26, 0);

function pairAlert(mutedBy: string | null): Alert {
  return {
    fingerprint: "ppf-us-west-eu-central",
    name: "ProbePairFailing",
    state: "firing",
    severity: "critical",
    labels: { severity: "critical", src: "us-west", dst: "eu-central" },
    summary: "us-west → eu-central fails (2 of the last 3 windows)",
    evidence: { localisation: "path", ...(mutedBy === null ? {} : { inhibitedBy: mutedBy }) },
    startsAt: NOW - 5_000,
    endsAt: null,
    updatedAt: NOW - 1_000,
  };
}

describe("muted alerts", () => {
  const loop = relayLoopAlert(NOW);
  const muted = pairAlert(loop.fingerprint);

  it("shows an inhibited alert, grey and tagged mute, after the alerts that page", () => {
    expect(isMuted(muted)).toBe(true);
    expect(isMuted(pairAlert(null))).toBe(false);
    expect(sortAlerts([muted, loop]).map((a) => a.name)).toEqual(["RelayLoop", "ProbePairFailing"]);
    const row = alertRow(muted, NOW, 100, false);
    expect(lineText(row)).toContain("mute ProbePairFailing");
    expect(row.some((s) => s.colour === "red")).toBe(false);
    expect(lineText(alertDetails(muted, NOW, 100)[0] ?? [])).toContain("FIRING, MUTED");
  });

  it("never headlines the ticker with a muted alert, and counts muted alerts apart in the header", () => {
    expect(lineText(alertTicker([muted, loop], NOW, 120) ?? [])).toContain("RelayLoop");
    expect(lineText(alertTicker([muted, loop], NOW, 120) ?? [])).not.toContain("more");
    expect(alertTicker([muted], NOW, 120)).toBeNull();
    const state = { ...emptyState("live", { kind: "live", since: NOW - 60_000 }, "http://a"), overview: incidentOverview(NOW), alerts: [loop, muted] };
    const text = lineText(headerLine(state, NOW, 140));
    expect(text).toContain("1 firing (1 critical)");
    expect(text).toContain("1 muted");
  });
});
