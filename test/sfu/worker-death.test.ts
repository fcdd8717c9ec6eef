// Issue 10: killing a mediasoup worker process. The region counts it (metric) and logs it,
// the engine restarts the worker, the sessions on it end cleanly, and a new publish and
// subscribe succeed within 5 s. Skipped, saying why, without a mediasoup worker.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { mediasoupAvailable } from "../../sfu/media/mediasoup/loader.js";
import { labScope, metricValue, publish, subscribe, waitFor } from "./sfu-kit.js";
import { skipWithout } from "../support/real-part.js";

const found = mediasoupAvailable();

/** mediasoup-worker processes whose parent is this test process. */
function workerPids(): number[] {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid=,comm="], { encoding: "utf8" }).trim().split("\n");
  return rows.map((l) => l.trim().split(/\s+/)).filter(([, ppid, comm]) => Number(ppid) === process.pid && (comm ?? "").startsWith("mediasoup-work")).map(([pid]) => Number(pid));
}

describe.skipIf(skipWithout(found.ok, `the mediasoup worker${found.ok ? "" : ` (${found.reason})`}`))(`a region on mediasoup whose worker is killed${found.ok ? "" : ` (skipped: ${found.reason})`}`, () => {
  const scope = labScope();

  it("counts the death, restarts the worker, and serves new sessions within 5 s", async () => {
    const lab = await scope.start({ regions: ["solo"], engine: "mediasoup" });
    const node = lab.node("solo");
    const registry = lab.registries.get("solo");
    if (registry === undefined) throw new Error("no registry");
    const first = await publish(node, "room/cam");
    scope.defer(first);
    scope.defer(first.stream(50));
    const viewer = await subscribe(node, "room/cam");
    scope.defer(viewer);
    expect(viewer.status).toBe(201);
    await waitFor(() => viewer.subscriber.packetsReceived > 10, 5000, "packets before the kill");

    const [pid] = workerPids();
    expect(pid).toBeDefined();
    process.kill(pid!, "SIGKILL");
    const killedAt = Date.now();
    await waitFor(async () => (await metricValue(registry, "relaywatch_sfu_media_worker_events_total", { event: "died" })) === 1, 5000, "the death counted");
    await waitFor(async () => (await metricValue(registry, "relaywatch_sfu_media_worker_events_total", { event: "restarted" })) === 1, 5000, "the restart counted");
    expect(workerPids()).not.toContain(pid);

    const again = await publish(node, "room/cam2");
    scope.defer(again);
    scope.defer(again.stream(50));
    const viewer2 = await subscribe(node, "room/cam2");
    scope.defer(viewer2);
    expect(viewer2.status).toBe(201);
    expect(Date.now() - killedAt, "kill → new subscription answered").toBeLessThan(5000);
    await waitFor(() => viewer2.subscriber.packetsReceived > 10, 5000, "packets after the restart");
  }, 60_000);
});
