// A relay whose upstream region goes away (here: cut off by the WAN emulator, as a dead or
// partitioned middle region of a cascade A>B>C looks from C). After upstreamLostMs without a
// heartbeat from B, C tears its relay down (counted in relaywatch_sfu_relays_lost_total),
// and a re-subscribe at C pulls from the origin directly (A>C) and gets packets. A cut
// shorter than upstreamLostMs tears nothing down (test/sfu/partition.test.ts: the relay
// resumes).
import { describe, expect, it } from "vitest";
import { cascadeLatencyMs, labScope, metricValue, publish, subscribe, trackIn, waitFor, waitForMesh } from "./sfu-kit.js";

const TRACK = "live/cascade";
const UPSTREAM_LOST_MS = 1500;

describe("a cascade whose middle region is lost", () => {
  const scope = labScope();

  it("tears the relay from the lost upstream down after upstreamLostMs; a re-subscribe pulls from the origin", async () => {
    const lab = await scope.start({ regions: ["a", "b", "c"], wan: { latencyMs: cascadeLatencyMs }, node: () => ({ heartbeatMs: 200, upstreamLostMs: UPSTREAM_LOST_MS }) });
    await waitForMesh(lab, 5000, cascadeLatencyMs);
    const [a, b, c] = [lab.node("a"), lab.node("b"), lab.node("c")];
    const pub = await publish(a, TRACK);
    scope.defer(pub);
    scope.defer(pub.stream(100));
    const subB = await subscribe(b, TRACK);
    scope.defer(subB);
    await waitFor(async () => (await trackIn(b, TRACK))?.announced === true, 5000, "B announcing its copy");
    await waitFor(() => c.holders(TRACK).some((h) => h.region === "b"), 5000, "C learning of B's copy");
    const subC = await subscribe(c, TRACK);
    scope.defer(subC);
    expect(subC.relayPath).toBe("a>b>c");
    await waitFor(() => subC.subscriber.packetsReceived > 10, 5000, "packets at C through B");

    lab.emu!.isolate(["b"]);
    const regC = lab.registries.get("c")!;
    await waitFor(async () => (await metricValue(regC, "relaywatch_sfu_relays_lost_total", { upstream: "b" })) === 1, 10_000, "C tearing down its relay from B");
    expect(await trackIn(c, TRACK)).toBeUndefined();

    const again = await subscribe(c, TRACK);
    scope.defer(again);
    expect(again.status, again.body).toBe(201);
    expect(again.relayPath).toBe("a>c");
    await waitFor(() => again.subscriber.packetsReceived > 10, 5000, "packets at C from A");
  }, 40_000);
});
