// The TUI in a terminal smaller than its layout ("terminal too small (need 80×24)" instead of a
// footer alone), and the Regions view's isolation history: newest first whatever order the
// analyzer sent, states never cut ("reachabl") or run into the reason ("unreachanot connected yet").
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import type { RegionView } from "../../core/analyzer-api.js";
import { App } from "../../tui/components/App.js";
import { terminalSize } from "../../tui/hooks/use-terminal-size.js";
import { historyLines } from "../../tui/model/regions-model.js";
import { FixedSource, incidentOverview, incidentState } from "../support/tui-fixtures.js";
import { renderSized, type SizedRender } from "../tui/support/render-sized.js";

const NOW = Date.UTC(2024, 1, 7, 19, 26, 0);
const text = (line: readonly { text: string }[]): string => line.map((s) => s.text).join("");

let sized: SizedRender | null = null;
afterEach(() => {
  sized?.unmount();
  sized = null;
});

describe("TUI in a small terminal", () => {
  for (const [columns, rows] of [[80, 23], [60, 30], [40, 10]] as const) {
    it(`shows "terminal too small (need 80×24)" at ${columns}×${rows}, and the dashboard once resized to 80×24`, async () => {
      sized = await renderSized(<App source={new FixedSource(incidentState(NOW))} clock={new ManualClock(NOW)} />, columns, rows);
      const small = sized.frame();
      expect(small).toContain("terminal too small (need 80×24");
      expect(small).not.toContain("views");
      for (const l of small.split("\n")) expect(l.length).toBeLessThanOrEqual(columns);
      await sized.resize(80, 24);
      expect(sized.frame()).not.toContain("terminal too small");
      expect(sized.frame()).toContain("quit");
    });
  }

  it("lays out at the minimum when the output reports no size (a pipe)", () => {
    expect(terminalSize(0, 0, false)).toMatchObject({ columns: 80, rows: 24, tooSmall: false });
    expect(terminalSize(79, 40, true)).toMatchObject({ columns: 80, rows: 40, tooSmall: true, actual: { columns: 79, rows: 40 } });
  });
});

describe("Regions view history", () => {
  const history: RegionView["history"] = [
    { at: NOW - 60_000, state: "unreachable", reason: "not connected yet" },
    { at: NOW - 10_000, state: "reachable", reason: "answered /v1/state" },
    { at: NOW - 120_000, state: "online", reason: "started" },
    { at: NOW - 30_000, state: "offline", reason: "no peer answered heartbeat round 4120" },
  ];

  it("lists changes newest first, each state whole and apart from its reason", () => {
    const lines = historyLines(history, 80, 10).map(text);
    expect(lines).toEqual([
      "  19:25:50Z  reachable    answered /v1/state",
      "  19:25:30Z  offline      no peer answered heartbeat round 4120",
      "  19:25:00Z  unreachable  not connected yet",
      "  19:24:00Z  online       started",
    ]);
  });

  it("keeps the newest when there is room for fewer, and cuts a long reason with … inside the width", () => {
    const lines = historyLines(history, 40, 2).map(text);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain("reachable");
    expect(lines[1]).toMatch(/^ {2}19:25:30Z {2}offline {4}no peer answe.*…$/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
  });

  it("renders in the Regions view at 80×24 without garbled lines", async () => {
    const overview = incidentOverview(NOW);
    const regions = overview.regions.map((r) => (r.region === "us-east" ? { ...r, history } : r));
    sized = await renderSized(<App source={new FixedSource({ ...incidentState(NOW), overview: { ...overview, regions } })} clock={new ManualClock(NOW)} initial={{ view: "regions" }} />, 80, 24);
    const frame = sized.frame();
    expect(frame).toContain("19:25:50Z  reachable    answered /v1/state");
    expect(frame).toContain("19:25:00Z  unreachable  not connected yet");
    expect(frame).not.toMatch(/reachabl(?!e)|unreachanot/);
  });
});
