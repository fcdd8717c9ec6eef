// LiveSource against a real loopback HTTP server speaking the analyzer's live API (the
// scriptedAnalyzerServer stand-in until the real analyzer lands), rendered by the App.
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../core/clock.js";
import { App } from "../../tui/components/App.js";
import { LiveSource } from "../../tui/source/live-source.js";
import { LOOP_TRACK, incidentOverview, incidentTracks, loopGraph, relayLoopAlert } from "../support/tui-fixtures.js";
import { renderSized, waitFor, type SizedRender } from "./support/render-sized.js";
import { scriptedAnalyzerServer, type ScriptedAnalyzer } from "./support/scripted-analyzer-server.js";

const TOKEN = "read-token-0123456789";
const opened: { close(): Promise<void> }[] = [];
let view: SizedRender | null = null;

afterEach(async () => {
  view?.unmount();
  view = null;
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function analyzer(port?: number): Promise<ScriptedAnalyzer> {
  const now = Date.now();
  const a = await scriptedAnalyzerServer(
    { overview: incidentOverview(now), alerts: [], tracks: incidentTracks(now).tracks, graphs: [loopGraph(now)] },
    { token: TOKEN, overviewEveryMs: 300, ...(port === undefined ? {} : { port }) },
  );
  opened.push(a);
  return a;
}

function live(url: string, token: string | undefined = TOKEN): LiveSource {
  const source = new LiveSource({ url, token, fetch: globalThis.fetch, clock: systemClock, retry: { baseMs: 50, maxMs: 200 } });
  opened.push(source);
  return source;
}

describe("LiveSource over HTTP + SSE", () => {
  it("renders the snapshot, then re-renders on every SSE event", async () => {
    const server = await analyzer();
    const source = live(server.url);
    source.start();
    view = await renderSized(<App source={source} clock={systemClock} initial={{ meshRow: 1, meshCol: 2 }} />, 120, 40);
    const v = view;
    await waitFor(() => v.frame().includes("● LIVE"), 3_000, "LIVE");
    expect(v.frame()).toMatch(/us-west\s+OF\s+·\s+NM\s+NM/);

    const healed = incidentOverview(Date.now());
    healed.pairs = healed.pairs.map((p) => (p.src === "us-west" && p.dst === "eu-central" ? { ...p, status: "ok", latencyP50Ms: 77, reason: "" } : p));
    server.push({ type: "overview", overview: healed });
    await waitFor(() => /us-west\s+OF\s+·\s+77\s+NM/.test(v.frame()), 2_000, "the SSE overview update");

    server.push({ type: "alert", alert: relayLoopAlert(Date.now()) });
    await waitFor(() => v.frame().includes("RelayLoop eu-central → eu-west → eu-central"), 2_000, "the SSE alert");
    expect(v.frame()).toContain("1 firing (1 critical)");
    expect(server.requests).toEqual(expect.arrayContaining(["/v1/overview", "/v1/alerts", "/v1/tracks", "/v1/stream"]));
  });

  it("loads the selected track's relay graph and follows its SSE updates", async () => {
    const server = await analyzer();
    const source = live(server.url);
    source.selectTrack(LOOP_TRACK);
    source.start();
    view = await renderSized(<App source={source} clock={systemClock} initial={{ view: "graph", track: LOOP_TRACK }} />, 120, 40);
    const v = view;
    await waitFor(() => v.frame().includes("RELAY LOOP  eu-central → eu-west → eu-central"), 3_000, "the graph");
    expect(server.requests).toContain("/v1/tracks/probe/us-west-12");
    // The real analyzer pushes a graph only to streams that name the track (`?track=`).
    expect(server.streamQueries).toEqual(["?track=probe%2Fus-west-12"]);
    const fixed = { ...loopGraph(Date.now()), cycle: null, nodes: loopGraph(0).nodes.map((n) => (n.region === "eu-central" || n.region === "eu-west" ? { ...n, upstream: "us-west", state: "flowing" as const, packetsPerSec: 50 } : n)) };
    server.push({ type: "track", graph: fixed });
    await waitFor(() => !v.frame().includes("RELAY LOOP"), 2_000, "the loop to clear");
    expect(v.frame()).toMatch(/eu-central\s+← us-west\s+flowing\s+50/);
  });

  it("shows 'analyzer unreachable since' when the analyzer dies, and goes LIVE again when it is back", async () => {
    const server = await analyzer();
    const source = live(server.url);
    source.start();
    view = await renderSized(<App source={source} clock={systemClock} />, 120, 40);
    const v = view;
    await waitFor(() => v.frame().includes("● LIVE"), 3_000, "LIVE");
    const downAt = Date.now();
    await server.close();
    await waitFor(() => v.frame().includes("analyzer unreachable since"), 2_000, "unreachable");
    const f = v.frame();
    expect(f).not.toContain("● LIVE");
    expect(f).toContain("NOT LIVE — last known state from");
    // "since" is when the stream dropped, not when the last retry failed.
    const since = /unreachable since (\d\d:\d\d:\d\d)Z/.exec(f)?.[1] ?? "";
    const sinceMs = Date.parse(`${new Date(downAt).toISOString().slice(0, 10)}T${since}Z`);
    expect(Math.abs(sinceMs - downAt)).toBeLessThan(2_000);

    await analyzer(server.port);
    await waitFor(() => v.frame().includes("● LIVE"), 3_000, "LIVE again");
    expect(v.frame()).not.toContain("unreachable");
  });

  it("keeps an alert fired while the snapshot loads (stream opened first)", async () => {
    const server = await analyzer();
    // The injected fetch fires the alert after the stream is open, before the snapshot answers.
    const fetchWithAlertInBetween = async (input: string, init?: RequestInit): Promise<Response> => {
      if (input.endsWith("/v1/overview")) {
        await waitFor(() => server.streams() > 0, 2_000, "the stream");
        server.push({ type: "alert", alert: relayLoopAlert(Date.now()) });
        server.alerts = [];
      }
      return globalThis.fetch(input, init);
    };
    const source = new LiveSource({ url: server.url, token: TOKEN, fetch: fetchWithAlertInBetween, clock: systemClock });
    opened.push(source);
    source.start();
    await waitFor(() => source.getState().alerts.some((a) => a.name === "RelayLoop"), 2_000, "the alert");
    expect(source.getState().connection.kind).toBe("live");
  });

  it("says unreachable from the start when nothing listens, and names a refused token", async () => {
    const server = await analyzer();
    const wrong = live(server.url, "not-the-token-000000");
    wrong.start();
    await waitFor(() => wrong.getState().connection.kind === "unreachable", 2_000, "401");
    const c = wrong.getState().connection;
    expect(c.kind === "unreachable" ? c.error : "").toContain("HTTP 401 (check --token)");

    const nobody = live("http://127.0.0.1:9");
    nobody.start();
    await waitFor(() => nobody.getState().connection.kind === "unreachable", 2_000, "refused");
    expect(nobody.getState().overview).toBeNull();
  });
});
