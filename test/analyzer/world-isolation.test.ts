// Issue 6 through the WAN emulator with real processes: a `naive` region partitioned for
// 3 s goes offline and FalseIsolation fires within 2 s of it going offline, naming it; the
// same partition of a `guarded` region fires neither RegionOffline nor FalseIsolation.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { World } from "../../lab/world/world.js";
import { waitFor } from "../support/ports.js";

const dataDir = mkdtempSync(join(tmpdir(), "relaywatch-isolation-"));
let world: World | null = null;
afterAll(async () => {
  await world?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("false isolation through the WAN emulator", () => {
  it("a naive region partitioned for 3 s is flagged within 2 s of going offline; a guarded one is not flagged", async () => {
    world = await World.start({
      regions: ["us-east", "us-west", "eu-west"],
      behaviours: { "us-east": ["isolation=naive"] },
      latencyMs: () => 10,
      probeRotateMs: 10_000,
      dataDir,
    });
    const w = world;
    const settled = await waitFor(async () => {
      const o = await w.overview();
      return o.pairs.length === 6 && o.pairs.every((p) => p.status === "ok");
    }, 30_000);
    expect(settled, "every pair ok before the cut").toBe(true);

    w.wan.partition(["us-east"], 3000);
    let offlineSince = 0;
    expect(await waitFor(async () => {
      const r = (await w.overview()).regions.find((x) => x.region === "us-east");
      if (r?.status?.state !== "offline") return false;
      offlineSince = r.status.since;
      return true;
    }, 10_000), "us-east (naive) goes offline").toBe(true);
    expect(await waitFor(async () => (await w.alerts()).some((a) => a.name === "FalseIsolation" && a.state === "firing" && a.labels["region"] === "us-east"), 5000), "FalseIsolation fires").toBe(true);
    const alert = (await w.alerts()).find((a) => a.name === "FalseIsolation" && a.labels["region"] === "us-east");
    const detectMs = (alert?.startsAt ?? Infinity) - offlineSince;
    process.stdout.write(`FalseIsolation for us-east ${detectMs} ms after it went offline\n`);
    expect(detectMs).toBeLessThan(2000);
    expect(alert?.summary).toContain("us-east");

    // The same 3 s partition of a guarded region: it stays online and nothing says otherwise.
    const cutAt = Date.now();
    w.wan.partition(["us-west"], 3000);
    await new Promise((r) => setTimeout(r, 8000));
    const westStatus = (await w.overview()).regions.find((x) => x.region === "us-west")?.status;
    expect(westStatus?.state).toBe("online");
    const flagged = (await w.alerts()).filter((a) => (a.name === "FalseIsolation" || a.name === "RegionOffline") && a.labels["region"] === "us-west" && a.startsAt >= cutAt);
    expect(flagged).toEqual([]);
  }, 120_000);
});
