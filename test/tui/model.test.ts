// The TUI's pure view-models: abbreviations, layout decisions, alert order and targets,
// loop drawing, the header's honesty about staleness, and keys.
import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../core/backoff.js";
import { DEFAULT_REGIONS } from "../../core/region.js";
import { abbreviateRegions } from "../../tui/model/abbrev.js";
import { alertTarget, alertTicker, sortAlerts } from "../../tui/model/alerts-model.js";
import { formatAge, formatLatency, formatLoss } from "../../tui/model/format.js";
import { buildGraphLines } from "../../tui/model/graph-model.js";
import { freshness, headerLine, staleBanner } from "../../tui/model/header-model.js";
import { buildMesh, scrollWindow } from "../../tui/model/mesh-model.js";
import { lineText, lineWidth } from "../../tui/model/text.js";
import { handleKey, initialUi, type KeyContext } from "../../tui/model/ui-state.js";
import { parseReplayTime, parseSpeed } from "../../tui/replay-args.js";
import { emptyState } from "../../tui/source/dashboard-state.js";
import { LIVE_RETRY } from "../../tui/source/retry.js";
import { TWENTY_REGIONS, incidentAlerts, incidentOverview, loopGraph, relayLoopAlert, twentyRegionOverview } from "../support/tui-fixtures.js";

const NOW = Date.UTC(2024, 1, 7, 19, 26, 0);

describe("abbreviateRegions()", () => {
  it("abbreviates the lab regions as us-e, us-w, eu-c, eu-w, ap-s", () => {
    expect([...abbreviateRegions(DEFAULT_REGIONS, 4).values()]).toEqual(["us-e", "us-w", "eu-c", "eu-w", "ap-s"]);
  });

  it("gives 20 regions 20 distinct labels of at most 4 characters", () => {
    const labels = [...abbreviateRegions(TWENTY_REGIONS, 4).values()];
    expect(new Set(labels).size).toBe(20);
    for (const l of labels) expect(l.length).toBeLessThanOrEqual(4);
  });

  it("keeps full names that fit", () => {
    expect(abbreviateRegions(["eu", "us"], 6).get("eu")).toBe("eu");
  });
});

describe("formatters", () => {
  it("fit latency and loss figures in 4 characters", () => {
    for (const v of [0, 7, 142, 999.4, 1_234, 9_999, 45_000, 1e9]) expect(formatLatency(v).length).toBeLessThanOrEqual(4);
    for (const v of [0, 0.001, 0.004, 0.012, 0.099, 0.12, 1]) expect(formatLoss(v).length).toBeLessThanOrEqual(4);
    expect(formatLoss(0.034)).toBe("3.4%");
    expect(formatAge(125_000)).toBe("2m05s");
  });
});

describe("buildMesh()", () => {
  it("fits a 20-region matrix, every column visible, in 120 columns", () => {
    const m = buildMesh({ overview: twentyRegionOverview(NOW), metric: "latency", filter: "", row: 0, col: 1, width: 120, height: 36, now: NOW });
    expect(m.hidden).toEqual({ left: 0, right: 0, above: 0, below: 0 });
    expect(m.matrix).toHaveLength(21);
    for (const l of m.matrix) expect(lineWidth(l)).toBeLessThanOrEqual(118);
  });

  it("scrolls columns around the selection when the mesh does not fit 80 columns", () => {
    const m = buildMesh({ overview: twentyRegionOverview(NOW), metric: "latency", filter: "", row: 0, col: 19, width: 80, height: 20, now: NOW });
    expect(m.hidden.left).toBeGreaterThan(0);
    expect(m.hidden.right).toBe(0);
    expect(m.hidden.below).toBeGreaterThan(0);
    for (const l of m.matrix) expect(lineWidth(l)).toBeLessThanOrEqual(80);
  });

  it("shows failing pairs by status code, not a figure, and details with the relay path", () => {
    const regions = incidentOverview(NOW).regions.map((r) => r.region);
    const m = buildMesh({ overview: incidentOverview(NOW), metric: "latency", filter: "", row: regions.indexOf("us-west"), col: regions.indexOf("eu-central"), width: 120, height: 30, now: NOW });
    expect(lineText(m.matrix[2] ?? [])).toMatch(/^us-west\s+OF\s+·\s+NM\s+NM\s+\d+/);
    const details = m.details.map(lineText).join("\n");
    expect(details).toContain("NO_MEDIA");
    expect(details).toContain("us-west → eu-west → eu-central");
    expect(lineText(m.legend)).toContain("DOWN: us-east");
  });

  it("filters rows and columns to the matching regions", () => {
    const m = buildMesh({ overview: incidentOverview(NOW), metric: "loss", filter: "eu-", row: 0, col: 0, width: 120, height: 30, now: NOW });
    expect(m.regions).toEqual(["eu-central", "eu-west"]);
  });

  it("keeps a window over the focus", () => {
    expect(scrollWindow(20, 5, 0)).toEqual({ start: 0, end: 5 });
    expect(scrollWindow(20, 5, 19)).toEqual({ start: 15, end: 20 });
    expect(scrollWindow(3, 5, 2)).toEqual({ start: 0, end: 3 });
  });
});

describe("alerts", () => {
  it("sorts firing before resolved, critical before warning", () => {
    expect(sortAlerts(incidentAlerts(NOW)).map((a) => a.name)).toEqual(["RelayLoop", "FalseIsolation", "ProbePairFailing"]);
  });

  it("opens a track, a pair or a region", () => {
    const [fi, rl, ppf] = incidentAlerts(NOW);
    expect(alertTarget(rl!)).toEqual({ kind: "track", track: "probe/us-west-12" });
    expect(alertTarget(ppf!)).toEqual({ kind: "pair", src: "ap-south", dst: "eu-west" });
    expect(alertTarget(fi!)).toEqual({ kind: "region", region: "us-east" });
  });

  it("puts the worst firing alert, with its cycle, in the ticker", () => {
    expect(lineText(alertTicker(incidentAlerts(NOW), NOW, 120) ?? [])).toContain("RelayLoop eu-central → eu-west → eu-central");
    expect(alertTicker([], NOW, 120)).toBeNull();
  });
});

describe("buildGraphLines()", () => {
  it("draws stranded regions apart from the origin's tree", () => {
    const text = buildGraphLines(loopGraph(NOW), 120).map(lineText).join("\n");
    expect(text).toContain("RELAY LOOP");
    expect(text).toContain("not reaching the origin");
    expect(text).toMatch(/eu-central\s+← eu-west\s+pulling\s+0\s+2\s+⟲ in loop/);
  });
});

describe("header", () => {
  const base = { ...emptyState("live", { kind: "live", since: NOW - 60_000 }, "http://a"), overview: incidentOverview(NOW) };

  it("calls fresh data LIVE with its age", () => {
    expect(freshness(base, NOW).live).toBe(true);
    expect(lineText(headerLine(base, NOW, 120))).toContain("● LIVE  data 0.4s old");
    expect(staleBanner(base, NOW)).toBeNull();
  });

  it("calls data older than 5 s STALE even while connected", () => {
    const later = NOW + 10_000;
    expect(lineText(headerLine(base, later, 120))).toContain("STALE");
    expect(lineText(staleBanner(base, later) ?? [])).toContain("STALE — data from 19:25:59Z");
  });

  it("says since when the analyzer is unreachable, instead of LIVE", () => {
    const s = { ...base, connection: { kind: "unreachable" as const, since: NOW + 1_000, error: "ECONNREFUSED", attempts: 3 } };
    const text = lineText(headerLine(s, NOW + 31_000, 120));
    expect(text).toContain("analyzer unreachable since 19:26:01Z");
    expect(text).not.toContain("LIVE");
    expect(lineText(staleBanner(s, NOW + 31_000) ?? [])).toContain("NOT LIVE");
  });
});

describe("handleKey()", () => {
  const ctx: KeyContext = { meshRegions: [...DEFAULT_REGIONS], alertTargets: sortAlerts(incidentAlerts(NOW)).map(alertTarget), tracks: ["probe/us-west-12", "room1/cam"], regions: [...DEFAULT_REGIONS], replay: false };

  it("switches views with tab, shift-tab and 1-4", () => {
    expect(handleKey(initialUi, "", { tab: true }, ctx).ui.view).toBe("alerts");
    expect(handleKey(initialUi, "", { tab: true, shift: true }, ctx).ui.view).toBe("regions");
    expect(handleKey(initialUi, "3", {}, ctx).ui.view).toBe("graph");
  });

  it("moves the mesh selection within bounds", () => {
    let ui = initialUi;
    for (let i = 0; i < 9; i++) ui = handleKey(ui, "", { downArrow: true, rightArrow: false }, ctx).ui;
    ui = handleKey(ui, "", { leftArrow: true }, ctx).ui;
    expect([ui.meshRow, ui.meshCol]).toEqual([4, 0]);
  });

  it("opens the RelayLoop alert's track on Enter", () => {
    const ui = handleKey({ ...initialUi, view: "alerts", alertIndex: 0 }, "", { return: true }, ctx).ui;
    expect(ui.view).toBe("graph");
    expect(ui.track).toBe(relayLoopAlert(NOW).labels["track"]);
  });

  it("types a filter after /, where q is a letter, and quits on q otherwise", () => {
    let r = handleKey(initialUi, "/", {}, ctx);
    for (const ch of "eq") r = handleKey(r.ui, ch, {}, ctx);
    expect(r.effects).toEqual([]);
    r = handleKey(r.ui, "", { return: true }, ctx);
    expect(r.ui).toMatchObject({ filter: "eq", editingFilter: false });
    expect(handleKey(r.ui, "q", {}, ctx).effects).toEqual([{ kind: "quit" }]);
  });

  it("steps the replay only in replay mode", () => {
    expect(handleKey(initialUi, "]", {}, ctx).effects).toEqual([]);
    expect(handleKey(initialUi, "]", {}, { ...ctx, replay: true }).effects).toEqual([{ kind: "replay-step", ms: 10_000 }]);
    expect(handleKey(initialUi, " ", {}, { ...ctx, replay: true }).effects).toEqual([{ kind: "replay-toggle" }]);
  });
});

describe("replay flags and retry policy", () => {
  it("reads --at as ISO (UTC when no zone), epoch ms, or a duration ago", () => {
    expect(parseReplayTime("2024-02-07T19:25:00Z", NOW)).toBe(Date.UTC(2024, 1, 7, 19, 25));
    expect(parseReplayTime("2024-02-07 19:25:00", NOW)).toBe(Date.UTC(2024, 1, 7, 19, 25));
    expect(parseReplayTime(String(NOW), 0)).toBe(NOW);
    expect(parseReplayTime("-15m", NOW)).toBe(NOW - 900_000);
    expect(() => parseReplayTime("yesterday", NOW)).toThrow(/--at: got "yesterday", expected an ISO time/);
    expect(() => parseReplayTime("1700", NOW)).toThrow(/--at/);
  });

  it("reads --speed as 10x or 10", () => {
    expect(parseSpeed("10x")).toBe(10);
    expect(parseSpeed("0.5")).toBe(0.5);
    expect(() => parseSpeed("fast")).toThrow(/--speed/);
    expect(() => parseSpeed("0x")).toThrow(/--speed/);
  });

  it("reconnects with jittered backoff: the first retry within 250 ms, none later than 5 s", () => {
    expect([0, 1, 2, 3].map((n) => backoffDelay(LIVE_RETRY, n, 0.999_999))).toEqual([249, 499, 999, 1999]);
    expect(backoffDelay(LIVE_RETRY, 50, 0.999_999)).toBeLessThan(5_000);
    expect(backoffDelay(LIVE_RETRY, 0, 0)).toBe(125);
  });
});
