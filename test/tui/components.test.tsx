// The dashboard rendered by Ink over fixed analyzer payloads (the 2024-02-07 incident in
// the lab's five regions; a 20-region mesh), asserting on the frames as a user reads them.
import { stripVTControlCharacters } from "node:util";
import { cleanup, render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import { App } from "../../tui/components/App.js";
import { FixedSource, incidentState, loopGraph, relayLoopAlert, twentyRegionOverview, TWENTY_REGIONS } from "../support/tui-fixtures.js";
import { renderSized, type SizedRender } from "./support/render-sized.js";

const NOW = Date.UTC(2024, 1, 7, 19, 26, 0);
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 20));
const frameOf = (last: () => string | undefined): string => stripVTControlCharacters(last() ?? "");

let sized: SizedRender | null = null;
afterEach(() => {
  cleanup();
  sized?.unmount();
  sized = null;
});

describe("App over fixed payloads (ink-testing-library)", () => {
  it("renders the mesh matrix with headers, status codes and the selected pair's details", async () => {
    const source = new FixedSource(incidentState(NOW));
    const { lastFrame } = render(<App source={source} clock={new ManualClock(NOW)} initial={{ meshRow: 1, meshCol: 2 }} />);
    await tick();
    const f = frameOf(lastFrame);
    expect(f).toContain("● LIVE  data 0.4s old");
    expect(f).toMatch(/s\\d\s+us-e\s+us-w\s+eu-c\s+eu-w\s+ap-s/);
    expect(f).toMatch(/us-west\s+OF\s+·\s+NM\s+NM\s+126/);
    expect(f).toContain("us-west → eu-central  NO_MEDIA");
    expect(f).toContain("path    us-west → eu-west → eu-central");
    expect(f).toContain("DOWN: us-east");
  });

  it("shows a RelayLoop alert with its cycle in order, and Enter opens the looping track's graph", async () => {
    const source = new FixedSource(incidentState(NOW));
    const { lastFrame, stdin } = render(<App source={source} clock={new ManualClock(NOW)} />);
    await tick();
    expect(frameOf(lastFrame)).toContain("CRIT  RelayLoop eu-central → eu-west → eu-central");
    stdin.write("2");
    await tick();
    let f = frameOf(lastFrame);
    expect(f).toMatch(/▸ CRIT RelayLoop\s+eu-central → eu-west → eu-central {2}track probe\/us-west-12\s+42s/);
    expect(f).toContain("cycle    eu-central → eu-west → eu-central  ⟲ LOOP");
    expect(f).toContain("Enter: open relay graph of probe/us-west-12");
    stdin.write("\r");
    await tick();
    f = frameOf(lastFrame);
    expect(source.selected.at(-1)).toBe("probe/us-west-12");
    expect(f).toContain("RELAY LOOP  eu-central → eu-west → eu-central  ⟲ LOOP");
    expect(f).toContain("● us-west  origin  50 pkt/s");
    expect(f).toMatch(/eu-west\s+← eu-central\s+pulling\s+0\s+1\s+⟲ in loop/);
  });

  it("shows an offline region loudly, with its legacy behaviour and isolation history", async () => {
    const source = new FixedSource(incidentState(NOW));
    const { lastFrame, stdin } = render(<App source={source} clock={new ManualClock(NOW)} />);
    await tick();
    stdin.write("4");
    await tick();
    const f = frameOf(lastFrame);
    expect(f).toMatch(/▸ us-east\s+OFFLINE\s+naive\s+●●●●\s+4\/4\s+4\s+⚠ LEGACY isolation=naive/);
    expect(f).toMatch(/eu-central\s+online\s+guarded.*⚠ LEGACY announce-early no-loop-guard/);
    expect(f).toContain("us-east  OFFLINE  since 19:01:00Z (25m00s)");
    expect(f).toContain("19:01:00Z  offline  no peer answered heartbeat round 4120");
  });

  it("marks data older than 5 s STALE, and an unreachable analyzer as NOT LIVE with since when", async () => {
    const clock = new ManualClock(NOW);
    const source = new FixedSource(incidentState(NOW));
    const { lastFrame } = render(<App source={source} clock={clock} />);
    await tick();
    clock.advance(8_000);
    await tick();
    expect(frameOf(lastFrame)).toContain("▲ STALE  data 8.4s old");
    expect(frameOf(lastFrame)).toContain("STALE — data from 19:25:59Z");
    source.set({ connection: { kind: "unreachable", since: NOW + 2_000, error: "ECONNREFUSED", attempts: 4 } });
    clock.advance(2_000);
    await tick();
    const f = frameOf(lastFrame);
    expect(f).toContain("✖ analyzer unreachable since 19:26:02Z (8.0s, retry #4: ECONNREFUSED)");
    expect(f).toContain("NOT LIVE — last known state from 19:25:59Z");
    expect(f).not.toContain("● LIVE");
  });

  it("filters with / and clears with Esc; ? shows the help", async () => {
    const source = new FixedSource(incidentState(NOW));
    const { lastFrame, stdin } = render(<App source={source} clock={new ManualClock(NOW)} />);
    await tick();
    for (const k of ["/", "e", "u", "-", "\r"]) {
      stdin.write(k);
      await tick();
    }
    expect(frameOf(lastFrame)).toContain("filter: eu-");
    expect(frameOf(lastFrame)).toMatch(/s\\d\s+eu-c\s+eu-w\s+╭/);
    stdin.write("?");
    await tick();
    expect(frameOf(lastFrame)).toContain("relaywatch — keys");
    stdin.write("x");
    await tick();
    expect(frameOf(lastFrame)).not.toContain("relaywatch — keys");
    stdin.write("\u001b");
    await tick();
    expect(frameOf(lastFrame)).not.toContain("filter: eu-");
    expect(frameOf(lastFrame)).toMatch(/s\\d\s+us-e\s+us-w\s+eu-c\s+eu-w\s+ap-s/);
  });

  it("exits on q", async () => {
    const source = new FixedSource(incidentState(NOW));
    sized = await renderSized(<App source={source} clock={new ManualClock(NOW)} />, 100, 30);
    const exited = sized.instance.waitUntilExit();
    await sized.press("q");
    await expect(Promise.race([exited.then(() => "exited"), new Promise((r) => setTimeout(r, 2_000, "still running"))])).resolves.toBe("exited");
  });
});

describe("App in sized terminals", () => {
  it("fits 20 regions in 120×40: every column header and row visible, nothing wider than 120", async () => {
    const source = new FixedSource({ overview: twentyRegionOverview(NOW), connection: { kind: "live", since: NOW } });
    sized = await renderSized(<App source={source} clock={new ManualClock(NOW)} />, 120, 40);
    const lines = sized.frame().split("\n");
    expect(lines.length).toBeLessThanOrEqual(40);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(120);
    const header = lines.find((l) => l.startsWith("s\\d")) ?? "";
    expect(header.trim().split(/\s+/)).toHaveLength(21);
    for (const r of TWENTY_REGIONS) expect(lines.some((l) => l.startsWith(`${r} `))).toBe(true);
    expect(sized.frame()).not.toContain("rows ");
  });

  it("re-lays out on resize: 80×24 scrolls the 20-region mesh, 120×40 shows it whole", async () => {
    const source = new FixedSource({ overview: twentyRegionOverview(NOW), connection: { kind: "live", since: NOW } });
    sized = await renderSized(<App source={source} clock={new ManualClock(NOW)} />, 80, 24);
    let lines = sized.frame().split("\n");
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(sized.frame()).toMatch(/rows 1-\d+ of 20/);
    await sized.resize(120, 40);
    lines = sized.frame().split("\n");
    expect(sized.frame()).not.toMatch(/rows 1-\d+ of 20/);
    expect(lines.some((l) => l.startsWith("mx-central"))).toBe(true);
  });

  it("fits every view in 80×24", async () => {
    const source = new FixedSource({ ...incidentState(NOW), graph: loopGraph(NOW), alerts: [relayLoopAlert(NOW)] });
    sized = await renderSized(<App source={source} clock={new ManualClock(NOW)} />, 80, 24);
    for (const view of ["1", "2", "3", "4", "?"]) {
      await sized.press(view);
      const lines = sized.frame().split("\n");
      expect(lines.length, `view ${view}`).toBeLessThanOrEqual(24);
      for (const l of lines) expect(l.length, `view ${view}: ${l}`).toBeLessThanOrEqual(80);
      expect(lines.at(-1) ?? "").toContain("q quit");
      if (view === "?") await sized.press("\u001b");
    }
  });
});
