// A mixed mesh: one region on the embedded werift engine, one on mediasoup workers,
// relaying each other's probe tracks over plain-RTP pipes through the WAN emulator; the
// probes must report ok for both pairs. Skipped, saying why, without a mediasoup worker.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mediasoupAvailable } from "../../sfu/media/mediasoup/loader.js";
import { World } from "../../lab/world/world.js";
import { waitFor } from "../support/ports.js";
import { skipWithout } from "../support/real-part.js";

const found = mediasoupAvailable();
const dataDir = mkdtempSync(join(tmpdir(), "relaywatch-mixed-"));
let world: World | null = null;
afterAll(async () => {
  await world?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(skipWithout(found.ok, `the mediasoup worker${found.ok ? "" : ` (${found.reason})`}`))(`a werift region and a mediasoup region${found.ok ? "" : ` (skipped: ${found.reason})`}`, () => {
  it("relay each other's tracks and the probes report ok for both pairs", async () => {
    world = await World.start({ regions: ["us-east", "eu-west"], engines: { "us-east": "werift", "eu-west": "mediasoup" }, dataDir, probeRotateMs: 10_000 });
    const w = world;
    const bothOk = async (): Promise<boolean> => {
      const o = await w.overview();
      return o.pairs.length === 2 && o.pairs.every((p) => p.status === "ok" && p.relayPath.length === 2);
    };
    expect(await waitFor(bothOk, 30_000), JSON.stringify((await w.overview()).pairs.map((p) => [p.src, p.dst, p.status, p.reason]))).toBe(true);
    // And they stay ok across a probe rotation (fresh relays both ways).
    await new Promise((r) => setTimeout(r, 11_000));
    expect(await waitFor(bothOk, 5_000)).toBe(true);
  }, 90_000);
});
