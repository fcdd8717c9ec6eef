// The TUI against the real thing: region processes behind the WAN emulator, probe agents
// and the analyzer (a lab world), with `relaywatch tui` in tmux at 120×40. The incident's
// legacy behaviours are switched on in eu-central and eu-west; when the loop forms (the
// next fresh probe track) the screen must show the RelayLoop alert naming both regions
// within 2 s of the analyzer firing it. `q` exits 0 and restores the terminal.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { World } from "../../lab/world/world.js";
import { waitFor } from "../support/ports.js";
import { skipWithout } from "../support/real-part.js";

const ROOT = join(import.meta.dirname, "../..");
const SOCKET = `relaywatch-tui-real-${process.pid}`;
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const dataDir = mkdtempSync(join(tmpdir(), "relaywatch-tui-real-"));
const tmux = (...args: string[]): string => execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
const screen = (): string => tmux("capture-pane", "-p", "-t", "tui");
const EU = ["eu-central", "eu-west"] as const;
const latency = (a: string, b: string): number => (EU.includes(a as (typeof EU)[number]) && EU.includes(b as (typeof EU)[number]) ? 8 : 70);

let world: World | null = null;
afterAll(async () => {
  if (hasTmux) spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
  await world?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(skipWithout(hasTmux, "tmux"))("relaywatch tui on a real lab world", () => {
  it("shows the incident's RelayLoop naming both regions within 2 s of it firing, and q exits 0", async () => {
    world = await World.start({ regions: ["us-west", ...EU], latencyMs: latency, probeRotateMs: 10_000, dataDir });
    const w = world;
    tmux("new-session", "-d", "-s", "tui", "-x", "120", "-y", "40", "-c", ROOT, "sh", "-c", `RELAYWATCH_ANALYZER_TOKEN=${w.analyzerToken} '${process.execPath}' cli/bin.mjs tui --analyzer ${w.analyzerUrl}; echo "EXIT=$?"; sleep 600`);
    expect(await waitFor(() => screen().includes("● LIVE"), 30_000), `TUI never went live:\n${screen()}`).toBe(true);

    for (const r of EU) await w.setBehaviours(r, ["announce-early", "no-loop-guard"]);
    const fired = await waitFor(async () => (await w.alerts()).some((a) => a.name === "RelayLoop" && a.state === "firing"), 30_000);
    expect(fired, "the analyzer fires RelayLoop at the next probe rotation").toBe(true);
    const alert = (await w.alerts()).find((a) => a.name === "RelayLoop" && a.state === "firing");
    expect(alert?.labels["regions"]).toBe("eu-central,eu-west");
    const shown = await waitFor(() => /RelayLoop eu-(central|west) → eu-(central|west) → eu-(central|west)/.test(screen()), 2000);
    const shownAfterMs = Date.now() - (alert?.startsAt ?? 0);
    expect(shown, `not on screen 2 s after firing:\n${screen()}`).toBe(true);
    process.stdout.write(`RelayLoop on screen ${shownAfterMs} ms after the analyzer fired it\n`);
    expect(shownAfterMs).toBeLessThan(2000);

    tmux("send-keys", "-t", "tui", "q");
    expect(await waitFor(() => screen().includes("EXIT="), 5000)).toBe(true);
    expect(screen()).toContain("EXIT=0");
    const [alt, cursor] = tmux("display-message", "-p", "-t", "tui", "#{alternate_on} #{cursor_flag}").trim().split(" ");
    expect([alt, cursor]).toEqual(["0", "1"]);
  }, 120_000);
});
