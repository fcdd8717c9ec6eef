// A relay whose upstream region goes away (here: cut off by the WAN emulator, as a dead or
// partitioned middle region of a cascade A>B>C looks from C). After upstreamLostMs without a
// heartbeat from B, C tears its relay down (counted in relaywatch_sfu_relays_lost_total),
// and a re-subscribe at C pulls from the origin directly (A>C) and gets packets. A cut
// shorter than upstreamLostMs tears nothing down (test/sfu/partition.test.ts: the relay
// resumes).
import { afterEach, describe, expect, it } from "vitest";
import { cascadeLatencyMs, metricValue, publish, startLab, subscribe, trackIn, waitFor, waitForMesh, type Lab } from "./sfu-kit.js";

const TRACK = "live/cascade";
const UPSTREAM_LOST_MS = 1500;

describe("a cascade whose middle region is lost", () => {
  let lab: Lab | null = null;
  const closers: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c.close();
    await lab?.close();
    lab = null;
  });

  it("tears the relay from the lost upstream down after upstreamLostMs; a re-subscribe pulls from the origin", async () => {
    lab = await startLab({ regions: ["a", "b", "c"], wan: { latencyMs: cascadeLatencyMs }, node: () => ({ heartbeatMs: 200, upstreamLostMs: UPSTREAM_LOST_MS }) });
    await waitForMesh(lab);
    const [a, b, c] = [lab.node("a"), lab.node("b"), lab.node("c")];
    const pub = await publish(a, TRACK);
    closers.push(pub);
    closers.push(pub.stream(100));
    const subB = await subscribe(b, TRACK);
    closers.push(subB);
    await waitFor(async () => (await trackIn(b, TRACK))?.announced === true, 5000, "B announcing its copy");
    await waitFor(() => c.holders(TRACK).some((h) => h.region === "b"), 5000, "C learning of B's copy");
    const subC = await subscribe(c, TRACK);
    closers.push(subC);
    expect(subC.relayPath).toBe("a>b>c");
    await waitFor(() => subC.subscriber.packetsReceived > 10, 5000, "packets at C through B");

    lab.emu!.isolate(["b"]);
    const regC = lab.registries.get("c")!;
    await waitFor(async () => (await metricValue(regC, "relaywatch_sfu_relays_lost_total", { upstream: "b" })) === 1, 10_000, "C tearing down its relay from B");
    expect(await trackIn(c, TRACK)).toBeUndefined();

    const again = await subscribe(c, TRACK);
    closers.push(again);
    expect(again.status, again.body).toBe(201);
    expect(again.relayPath).toBe("a>c");
    await waitFor(() => again.subscriber.packetsReceived > 10, 5000, "packets at C from A");
  }, 40_000);
});
