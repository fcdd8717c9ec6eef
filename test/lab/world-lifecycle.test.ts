// World.start() fails at each of its steps in turn — the WAN emulator, a region node, the
// analyzer, a probe agent — and leaves nothing behind: no child process, no socket of the
// emulator or its control API, no timer, no file descriptor. Real failures: a link to a
// region that is not in the world, a behaviour the region node refuses, an Alertmanager
// URL the analyzer refuses, a probe window the agent refuses. Tiny worlds (2 regions).
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { World, type WorldOptions } from "../../lab/world/world.js";
import { descendantPids } from "../support/process-tree.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-world-lifecycle-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const REGIONS = ["us-west", "eu-central"];

/** What this process holds open: file descriptors and active libuv resources by kind. */
function held(): { fds: number; resources: Record<string, number> } {
  const resources: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
  return { fds: readdirSync("/proc/self/fd").length, resources };
}

async function settled(): Promise<ReturnType<typeof held>> {
  await new Promise((r) => setTimeout(r, 300));
  return held();
}

/** Starts a world that must fail; returns the error and the progress steps it reached. */
async function failingStart(name: string, o: Partial<WorldOptions>): Promise<{ error: unknown; steps: string[] }> {
  const steps: string[] = [];
  try {
    const world = await World.start({ regions: REGIONS, dataDir: join(dir, name), probeIntervalMs: 500, probeRotateMs: 5000, onProgress: (m) => steps.push(m), ...o });
    await world.stop();
  } catch (error) {
    return { error, steps };
  }
  throw new Error(`${name}: the world started`);
}

describe("World.start() leaves nothing running when a step fails", () => {
  it("the WAN emulator refuses a link to a region outside the world: nothing started", async () => {
    const before = await settled();
    const { error } = await failingStart("wan", { links: [{ between: ["us-west", "ap-south"], params: { latencyMs: 10 } }] });
    expect(String(error)).toMatch(/ap-south/);
    expect(descendantPids()).toEqual([]);
    expect(await settled()).toEqual(before);
  });

  it("a region node refuses its behaviour: the other region, the WAN emulator and its control API are stopped", async () => {
    const before = await settled();
    const { error, steps } = await failingStart("region", { behaviours: { "eu-central": ["no-such-behaviour"] } });
    expect(String(error)).toMatch(/eu-central exited before it was ready/);
    expect(steps.some((s) => s.startsWith("region nodes"))).toBe(true);
    expect(descendantPids()).toEqual([]);
    expect(await settled()).toEqual(before);
  }, 60_000);

  it("the analyzer refuses its config: the region nodes are stopped too", async () => {
    const before = await settled();
    const { error, steps } = await failingStart("analyzer", { alertmanager: ["not a url"] });
    expect(String(error)).toMatch(/analyzer exited before it was ready/);
    expect(steps).toContain("analyzer with the embedded store");
    expect(descendantPids()).toEqual([]);
    expect(await settled()).toEqual(before);
  }, 90_000);

  it("a probe agent refuses its window: probes, analyzer and region nodes are stopped", async () => {
    const before = await settled();
    const { error, steps } = await failingStart("probes", { probeIntervalMs: 0 });
    // Exited, or (on a loaded machine, where its start takes seconds) not yet exited at the readiness deadline.
    expect(String(error)).toMatch(/probe-(us-west|eu-central) (exited before it was ready|not ready)/);
    expect(steps.some((s) => s.startsWith("probe agents"))).toBe(true);
    expect(descendantPids()).toEqual([]);
    expect(await settled()).toEqual(before);
  }, 90_000);

  it("an abort while the region nodes start: start() rejects once everything it started is stopped", async () => {
    const before = await settled();
    const abort = new AbortController();
    const started = World.start({
      regions: REGIONS, dataDir: join(dir, "abort"), signal: abort.signal,
      onProgress: (m) => { if (m.startsWith("region nodes")) setTimeout(() => { abort.abort(new Error("stop now")); }, 200); },
    });
    await expect(started).rejects.toThrow("stop now");
    expect(descendantPids()).toEqual([]);
    expect(await settled()).toEqual(before);
  }, 60_000);
});
