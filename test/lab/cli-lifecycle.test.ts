// Issue 21 for the commands that start whole worlds (`up`, `scenario run`): a failure once
// children run, and SIGTERM while the world starts and while it runs, end the command
// within its bound with every child process gone. Real processes, tiny worlds (2 regions).
// The failure is real: the analyzer's store directory is taken by a regular file, so the
// analyzer child exits after both region nodes have started.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive, waitFor } from "../support/ports.js";
import { descendantPids } from "../support/process-tree.js";
import { startCli, type RunningCli } from "../support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-cli-lifecycle-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The world's close deadline (supervisor grace + 2 s) and the CLI's 500 ms exit grace, plus slack for a loaded machine. */
const WORLD_STOP_MS = 9_000;

const SCENARIO = join(dir, "tiny.yaml");
writeFileSync(SCENARIO, ["name: tiny", "duration: 20s", "probeInterval: 1s", "probeRotate: 5s", "regions: [us-west, eu-central]", ""].join("\n"));

/** Every descendant the command had while it ran (sampled), so we can check they are all gone. */
function trackChildren(run: RunningCli): { seen: Set<number>; stop(): void } {
  const seen = new Set<number>();
  const pid = run.child.pid ?? -1;
  const timer = setInterval(() => { for (const p of descendantPids(pid)) seen.add(p); }, 100);
  return { seen, stop: () => { clearInterval(timer); } };
}

/** Waits for `cond`, but gives up as soon as the command has exited (it failed to get there). */
function reached(run: RunningCli, cond: () => boolean, ms: number): Promise<boolean> {
  return waitFor(() => cond() || run.child.exitCode !== null, ms).then(() => cond());
}

async function expectAllGone(pids: Set<number>): Promise<void> {
  expect(pids.size).toBeGreaterThan(0);
  // Children stop within their SIGTERM grace; none may outlive it.
  expect(await waitFor(() => [...pids].every((p) => !isAlive(p)), 6_000), `still alive: ${[...pids].filter(isAlive).join(", ")}`).toBe(true);
}

function dataDirWithBrokenStore(name: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, "clickhouse"), "not a directory");
  return d;
}

describe("relaywatch up", () => {
  it("fails once its children run (the analyzer cannot open its store): one error line, exit 1, every child gone", async () => {
    const run = startCli(["up", "--no-tui", "--regions", "us-west,eu-central", "--data-dir", dataDirWithBrokenStore("up-broken")]);
    const kids = trackChildren(run);
    const r = await run.exited;
    kids.stop();
    const lines = run.stderr().trimEnd().split("\n");
    expect(r.code, run.stderr()).toBe(1);
    // The analyzer, or on a loaded machine a region node not ready in time: either way children were running.
    expect(lines.filter((l) => l.startsWith("relaywatch: "))).toEqual([expect.stringMatching(/^relaywatch: \S+ (exited before it was ready|not ready)/)]);
    expect(run.stderr()).not.toMatch(/^\s+at /m);
    await expectAllGone(kids.seen);
  }, 180_000);

  it("SIGTERM while the region nodes start: exits 0 within the bound, every child gone", async () => {
    const run = startCli(["up", "--no-tui", "--regions", "us-west,eu-central", "--data-dir", join(dir, "up-starting")]);
    const kids = trackChildren(run);
    expect(await reached(run, () => run.stderr().includes("starting region nodes") && kids.seen.size > 0, 120_000), run.stderr()).toBe(true);
    const sentAt = Date.now();
    run.child.kill("SIGTERM");
    const r = await run.exited;
    kids.stop();
    expect(r.code, run.stderr()).toBe(0);
    expect(r.exitedAt - sentAt).toBeLessThanOrEqual(WORLD_STOP_MS);
    await expectAllGone(kids.seen);
  }, 180_000);

  it("Ctrl-C (SIGINT to its process group) while the world runs: exits 0 within the bound, each child stopped once, every child gone", async () => {
    const dataDir = join(dir, "up-running");
    const run = startCli(["up", "--no-tui", "--regions", "us-west,eu-central", "--rotate", "5s", "--data-dir", dataDir], { ownProcessGroup: true });
    const kids = trackChildren(run);
    expect(await reached(run, () => run.stderr().includes("running; Ctrl-C stops everything"), 150_000), run.stderr()).toBe(true);
    const sentAt = Date.now();
    process.kill(-(run.child.pid ?? 0), "SIGINT");
    const r = await run.exited;
    kids.stop();
    expect(r.code, run.stderr()).toBe(0);
    expect(r.exitedAt - sentAt).toBeLessThanOrEqual(WORLD_STOP_MS);
    expect(run.stderr()).toContain("stopped; logs and data in");
    await expectAllGone(kids.seen);
    // The children are in their own group: only `up` saw the SIGINT, and each child one SIGTERM (a clean close, not "again: exiting now").
    for (const log of readdirSync(join(dataDir, "logs"))) expect(readFileSync(join(dataDir, "logs", log), "utf8"), log).not.toContain("again: exiting now");
  }, 240_000);
});

describe("relaywatch scenario run", () => {
  it("fails once its children run: exit 1, every child gone", async () => {
    const run = startCli(["scenario", "run", SCENARIO, "--data-dir", dataDirWithBrokenStore("scenario-broken")]);
    const kids = trackChildren(run);
    const r = await run.exited;
    kids.stop();
    expect(r.code, run.stderr()).toBe(1);
    // The analyzer, or on a loaded machine a region node not ready in time: either way children were running.
    expect(run.stderr()).toMatch(/^relaywatch: \S+ (exited before it was ready|not ready)/m);
    expect(run.stderr()).not.toMatch(/^\s+at /m);
    await expectAllGone(kids.seen);
  }, 180_000);

  it("SIGTERM while it runs: exits 143 (cut short) within the bound, every child gone", async () => {
    const run = startCli(["scenario", "run", SCENARIO, "--data-dir", join(dir, "scenario-running")]);
    const kids = trackChildren(run);
    expect(await reached(run, () => run.stderr().includes("waiting for every pair"), 150_000), run.stderr()).toBe(true);
    const sentAt = Date.now();
    run.child.kill("SIGTERM");
    const r = await run.exited;
    kids.stop();
    expect(r.code, run.stderr()).toBe(143);
    expect(r.exitedAt - sentAt).toBeLessThanOrEqual(WORLD_STOP_MS);
    await expectAllGone(kids.seen);
  }, 240_000);
});
