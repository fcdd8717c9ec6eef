// A 3 s WAN partition of one region, on the real clock: both sides see it in their
// peer-reachability metrics and /v1/state, it is gone after the heal, the guarded region
// stays online throughout, and a relay whose path crosses the cut resumes.
import { describe, expect, it } from "vitest";
import { labScope, metricValue, publish, state, subscribe, waitFor, waitForMesh } from "./sfu-kit.js";

const TRACK = "live/cut";

describe("a 3 s partition through the WAN emulator", () => {
  const scope = labScope();

  it("shows on both sides, leaves the guarded region online, and the crossing relay resumes", async () => {
    const lab = await scope.start({ regions: ["a", "b", "c"], wan: { latencyMs: () => 5 } });
    await waitForMesh(lab);
    const [a, c] = [lab.node("a"), lab.node("c")];
    const pub = await publish(a, TRACK);
    scope.defer(pub);
    const flow = pub.stream(100);
    scope.defer(flow);
    const sub = await subscribe(c, TRACK);
    scope.defer(sub);
    expect(sub.relayPath).toBe("a>c");
    await waitFor(() => sub.subscriber.packetsReceived > 20, 5000, "packets at C");

    const [regA, regC] = [lab.registries.get("a")!, lab.registries.get("c")!];
    lab.emu!.partition(["a"], 3000);
    await waitFor(async () =>
      (await metricValue(regA, "relaywatch_sfu_peer_reachable", { peer: "c" })) === 0 &&
      (await metricValue(regC, "relaywatch_sfu_peer_reachable", { peer: "a" })) === 0, 2500, "both sides marking the other unreachable");
    const [sa, sc] = [await state(a), await state(c)];
    expect(sa.peers.filter((p) => !p.reachable).map((p) => p.region)).toEqual(["b", "c"]);
    expect(sc.peers.find((p) => p.region === "a")?.reachable).toBe(false);
    expect(sc.peers.find((p) => p.region === "b")?.reachable).toBe(true);
    const duringCut = sub.subscriber.packetsReceived;

    await waitFor(async () =>
      (await metricValue(regA, "relaywatch_sfu_peer_reachable", { peer: "c" })) === 1 &&
      (await metricValue(regC, "relaywatch_sfu_peer_reachable", { peer: "a" })) === 1, 5000, "reachability back after the heal");
    expect((await state(a)).peers.every((p) => p.reachable)).toBe(true);
    expect(a.state.state).toBe("online");
    expect(await metricValue(regA, "relaywatch_sfu_region_state")).toBe(1);
    await waitFor(() => sub.subscriber.packetsReceived > duringCut + 50, 3000, "packets flowing again at C");
    expect((await state(c)).tracks.find((t) => t.track === TRACK)).toMatchObject({ upstream: "a", state: "flowing" });
  });
});
