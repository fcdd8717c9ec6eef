// End to end in a real pseudo-terminal: tmux runs the `relaywatch tui` entry at 120×40
// against the scriptedAnalyzerServer stand-in (until the real analyzer and regions can be
// launched here). A RelayLoop alert pushed over SSE must be on screen, naming both
// regions, within 2 s; `q` must exit 0 and give the terminal back (alternate screen
// left, cursor shown). tmux runs on its own socket, killed in teardown.
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidentOverview, incidentTracks, loopGraph, relayLoopAlert } from "../support/tui-fixtures.js";
import { scriptedAnalyzerServer, type ScriptedAnalyzer } from "./support/scripted-analyzer-server.js";
import { skipWithout } from "../support/real-part.js";

const ROOT = join(import.meta.dirname, "../..");
/** The lead wires tuiCommand() into cli/main.ts; until then this entry runs the same command. */
const ENTRY = "cli/bin.mjs tui";
const SOCKET = `relaywatch-tui-e2e-${process.pid}`;
const TOKEN = "e2e-read-token-0123456789";
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;

const tmux = (...args: string[]): string => execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
const screen = (): string => tmux("capture-pane", "-p", "-t", "tui");
const flags = (): { alternate: boolean; cursor: boolean } => {
  const [alt, cur] = tmux("display-message", "-p", "-t", "tui", "#{alternate_on} #{cursor_flag}").trim().split(" ");
  return { alternate: alt === "1", cursor: cur === "1" };
};

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; screen:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return performance.now() - start;
}

describe.skipIf(skipWithout(hasTmux, "tmux"))("relaywatch tui in a pseudo-terminal (tmux)", () => {
  let analyzer: ScriptedAnalyzer;

  beforeAll(async () => {
    const now = Date.now();
    analyzer = await scriptedAnalyzerServer({ overview: incidentOverview(now), tracks: incidentTracks(now).tracks, graphs: [loopGraph(now)] }, { token: TOKEN, overviewEveryMs: 500 });
    // `node --import tsx` on the Node running the tests (the pinned 24), never the system one.
    const cmd = `'${process.execPath}' ${ENTRY} --analyzer ${analyzer.url}; echo "EXIT=$?"; sleep 600`;
    tmux("new-session", "-d", "-s", "tui", "-x", "120", "-y", "40", "-c", ROOT, "-e", `RELAYWATCH_ANALYZER_TOKEN=${TOKEN}`, "sh", "-c", cmd);
  });

  afterAll(async () => {
    if (hasTmux) spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
    await analyzer.close();
  });

  it("shows an injected RelayLoop within 2 s naming both regions, and q exits 0 restoring the terminal", async () => {
    await until(() => screen().includes("● LIVE"), 20_000, "the dashboard to go LIVE");
    expect(flags()).toEqual({ alternate: true, cursor: false });
    expect(screen()).not.toContain("RelayLoop");

    // Pushed as soon as LIVE shows: LIVE must imply the stream is open (it once meant only
    // "snapshot loaded", and an alert fired in between waited for the 15 s resync).
    analyzer.push({ type: "alert", alert: relayLoopAlert(Date.now()) });
    const shownAfterMs = await until(() => /RelayLoop eu-central → eu-west → eu-central/.test(screen()), 2_000, "the RelayLoop alert");
    expect(shownAfterMs).toBeLessThan(2_000);
    expect(screen()).toContain("1 firing (1 critical)");

    tmux("send-keys", "-t", "tui", "q");
    await until(() => screen().includes("EXIT="), 5_000, "the process to exit");
    expect(screen()).toContain("EXIT=0");
    expect(screen()).not.toContain("relaywatch  ● LIVE");
    expect(flags()).toEqual({ alternate: false, cursor: true });
  });
});
