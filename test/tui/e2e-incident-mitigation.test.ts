// Acceptance (issue 18): from page to mitigation to write-up on a real lab world. The
// 2024-02-07 incident is replayed (naive isolation takes us-east offline after a blip; the
// EU regions' legacy behaviours then loop us-west's tracks). From `relaywatch tui` in tmux,
// keys only, on-call overrides the false isolation and breaks the loop (2: Alerts view,
// j/k: select, M: the action panel with its plan, y: run). Both alerts resolve, every pair is
// ok again, both actions are verified, and after the world stops `relaywatch incident
// report` on its store lists the detection, both actions and the recovery with times.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { actionsResponseSchema } from "../../core/actions.js";
import type { IncidentReport } from "../../analyzer/incidents/report.js";
import type { Incident } from "../../analyzer/incidents/incidents.js";
import { startIncidentReplay, type IncidentReplay } from "../support/incident-replay.js";
import { waitFor } from "../support/ports.js";
import { skipWithout } from "../support/real-part.js";
import { runCli } from "../support/run-cli.js";

const ROOT = join(import.meta.dirname, "../..");
const SOCKET = `relaywatch-tui-mitigation-${process.pid}`;
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const dataDir = mkdtempSync(join(tmpdir(), "relaywatch-mitigation-"));
const tmux = (...args: string[]): string => execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
const screen = (): string => tmux("capture-pane", "-p", "-t", "tui");
const keys = (...k: string[]): void => { tmux("send-keys", "-t", "tui", ...k); };

let replay: IncidentReplay | null = null;
// After each attempt (CI retries once): its world and TUI are gone before a retry starts
// its own, in a fresh directory.
afterEach(async () => {
  if (hasTmux) spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
  await replay?.stop();
  replay = null;
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

/** 300 ms between keys: an Escape followed at once by a key reads as Alt+key. */
async function press(...k: string[]): Promise<void> {
  for (const one of k) {
    keys(one);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The Alerts view's selected row (marked ▸). */
const selected = (): string => screen().split("\n").find((l) => l.includes("▸")) ?? "";

/** Selects the firing `name` in the Alerts view (k up, then j down, until it is the selected row), opens its action panel and runs the plan shown. */
async function mitigate(name: string, plan: RegExp): Promise<void> {
  // Esc closes an open action panel; 2 is the Alerts view (its footer names ack/silence).
  await press("Escape", "2");
  expect(await waitFor(() => screen().includes("ack/silence"), 5000), `not in the Alerts view:\n${screen()}`).toBe(true);
  const found = (): boolean => selected().includes(name) && selected().includes("CRIT");
  for (let i = 0; i < 30 && !found(); i++) await press("k");
  for (let i = 0; i < 30 && !found(); i++) await press("j");
  expect(selected(), `${name} not selectable:\n${screen()}`).toContain(name);
  await press("M");
  expect(await waitFor(() => plan.test(screen()) && screen().includes("y run it"), 10_000), `no plan for ${name}:\n${screen()}`).toBe(true);
  await press("y");
  expect(await waitFor(() => screen().includes("Result: "), 15_000), `no result for ${name}:\n${screen()}`).toBe(true);
  expect(screen()).not.toContain("FAILED");
}

describe.skipIf(skipWithout(hasTmux, "tmux"))("the incident mitigated from the TUI on a real lab world", () => {
  it("overrides the false isolation and breaks the loop with keys only; both alerts resolve, every pair is ok; the report lists detection, both actions and recovery", async () => {
    const worldDir = mkdtempSync(join(dataDir, "world-"));
    replay = await startIncidentReplay(worldDir, (m) => { process.stderr.write(`${m}\n`); });
    const { world } = replay;
    tmux("new-session", "-d", "-s", "tui", "-x", "120", "-y", "40", "-c", ROOT, "sh", "-c", `RELAYWATCH_ANALYZER_TOKEN=${world.analyzerToken} '${process.execPath}' cli/bin.mjs tui --analyzer ${world.analyzerUrl} --user oncall; echo "EXIT=$?"; sleep 600`);
    expect(await waitFor(() => screen().includes("● LIVE"), 30_000), `TUI never went live:\n${screen()}`).toBe(true);
    const firing = async (name: string): Promise<boolean> => (await world.alerts()).some((a) => a.name === name && a.state === "firing");

    // 1. The false isolation (blip at 6 s): bring us-east back at once.
    expect(await waitFor(() => firing("FalseIsolation"), 30_000), "FalseIsolation fires").toBe(true);
    await mitigate("FalseIsolation", /override-isolation us-east/);
    // 2. The loop (the first fresh track after 17 s): break it.
    const state = async (): Promise<string> => {
      const o = await world.overview();
      return `t=${Date.now() - (replay?.t0 ?? 0)} ms; behaviours ${JSON.stringify(Object.fromEntries(o.regions.map((r) => [r.region, r.behaviours])))}; alerts ${JSON.stringify((await world.alerts()).map((a) => `${a.name} ${a.state}`))}`;
    };
    // Every fresh track after 17 s loops (each probe rotation): 60 s covers several.
    expect(await waitFor(() => firing("RelayLoop"), 60_000), `RelayLoop fires: ${await state()}`).toBe(true);
    await mitigate("RelayLoop", /loop-break eu-central,eu-west/);
    expect(await waitFor(() => screen().includes("VERIFIED"), 60_000), `the loop-break is not verified on screen:\n${screen()}`).toBe(true);
    await press("Escape");

    // Both alerts resolved, every pair ok, both actions verified (the analyzer's record).
    const allOk = async (): Promise<boolean> => {
      const o = await world.overview();
      return o.pairs.length === 12 && o.pairs.every((p) => p.status === "ok") && !(await firing("RelayLoop")) && !(await firing("FalseIsolation"));
    };
    expect(await waitFor(allOk, 60_000), `not every pair ok:\n${JSON.stringify((await world.overview()).pairs.map((p) => `${p.src}>${p.dst} ${p.status}`))}`).toBe(true);
    const actions = async () => actionsResponseSchema.parse(await (await fetch(`${world.analyzerUrl}/v1/actions`, { headers: { authorization: `Bearer ${world.analyzerToken}` } })).json()).actions;
    expect(await waitFor(async () => (await actions()).every((a) => a.state === "verified"), 90_000)).toBe(true);
    expect((await actions()).map((a) => [a.kind, a.target, a.actor, a.state])).toEqual([["override-isolation", "us-east", "oncall", "verified"], ["loop-break", "eu-central,eu-west", "oncall", "verified"]]);

    // Every alert of the incident resolved (the pair alerts follow the pairs), so the write-up has its end.
    expect(await waitFor(async () => (await world.alerts()).every((a) => a.state !== "firing"), 60_000), JSON.stringify((await world.alerts()).filter((a) => a.state === "firing").map((a) => a.name))).toBe(true);
    await press("q");
    expect(await waitFor(() => screen().includes("EXIT=0"), 5000), screen()).toBe(true);
    await replay.stop();
    replay = null;

    // The write-up, from the store the analyzer wrote.
    const store = join(worldDir, "clickhouse");
    const listed = await runCli(["incident", "list", "--store", store, "--since", "1h", "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    const incidents = JSON.parse(listed.stdout) as Incident[];
    const incident = incidents.find((i) => i.episodes.some((e) => e.name === "RelayLoop") && i.episodes.some((e) => e.name === "FalseIsolation"));
    expect(incident, listed.stdout).toBeDefined();
    const out = await runCli(["incident", "report", incident?.id ?? "", "--store", store, "--format", "json"]);
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as IncidentReport;
    const at = (kind: string, text: string): number | undefined => report.timeline.find((e) => e.kind === kind && e.text.includes(text))?.at;
    for (const [kind, text] of [["detection", "FalseIsolation"], ["detection", "RelayLoop"], ["page", "RelayLoop"], ["action", "override-isolation us-east"], ["action", "loop-break eu-central,eu-west"], ["recovery", "all alerts resolved"]] as const) {
      expect(at(kind, text), `${kind} ${text} in ${JSON.stringify(report.timeline, null, 1)}`).toBeGreaterThan(0);
    }
    expect(at("action", "loop-break")).toBeGreaterThan(at("detection", "RelayLoop") ?? Infinity);
    expect(at("recovery", "all alerts")).toBeGreaterThan(at("action", "loop-break") ?? Infinity);
    expect(report.statusUpdates.map((u) => u.stage)).toEqual(["Investigating", "Identified", "Monitoring", "Resolved"]);
    const md = await runCli(["incident", "report", incident?.id ?? "", "--store", store]);
    expect(md.stdout).toContain(`# Incident ${incident?.id ?? ""}`);
    process.stdout.write(`${md.stdout}\n`);
  }, 300_000);
});
