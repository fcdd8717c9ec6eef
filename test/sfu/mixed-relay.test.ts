// Mixed worlds (issue 17): regions on different engines relay to each other through the WAN
// emulator — plain RTP over UDP is the one wire format, whether the pipe's end is a werift
// socket in Node or a mediasoup worker's PlainTransport. A cascade A>B>C alternates the
// engines both ways; subscribers on B and C get >= 99% of a measured burst, and each
// relay-in refused no RTP (only a werift receiver may refuse a mediasoup sender's RTCP).
import { describe, expect, it } from "vitest";
import { mediasoupAvailable } from "../../sfu/media/mediasoup/loader.js";
import { skipWithout } from "../support/real-part.js";
import { cascadeLatencyMs, labScope, publish, subscribe, trackIn, waitFor, waitForMesh } from "./sfu-kit.js";

const PACKETS = 400;
type Kind = "werift" | "mediasoup";
const CHAINS: readonly [string, Record<string, Kind>][] = [
  ["werift > mediasoup > werift", { a: "werift", b: "mediasoup", c: "werift" }],
  ["mediasoup > werift > mediasoup", { a: "mediasoup", b: "werift", c: "mediasoup" }],
];

describe.skipIf(skipWithout(mediasoupAvailable().ok, "the mediasoup worker (npm run setup:mediasoup)"))("mixed engines relay to each other", () => {
  const scope = labScope();

  it.each(CHAINS)("a cascade %s delivers at least 99 percent to B and C", async (_name, engines) => {
    const lab = await scope.start({ engine: (r) => engines[r] ?? "werift", regions: ["a", "b", "c"], wan: { latencyMs: cascadeLatencyMs } });
    await waitForMesh(lab, 5000, cascadeLatencyMs);
    const track = "live/mixed";
    const pub = scope.defer(await publish(lab.node("a"), track));
    const warm = scope.defer(pub.stream(100));
    const subB = scope.defer(await subscribe(lab.node("b"), track));
    expect(subB.status, subB.body).toBe(201);
    await waitFor(async () => (await trackIn(lab.node("b"), track))?.announced === true, 10_000, "B announcing its flowing copy");
    await waitFor(() => lab.node("c").holders(track).some((h) => h.region === "b"), 5_000, "C learning of B's copy");
    const subC = scope.defer(await subscribe(lab.node("c"), track));
    expect(subC.status, subC.body).toBe(201);
    expect(subC.relayPath).toBe("a>b>c");
    await waitFor(() => subB.subscriber.packetsReceived > 10 && subC.subscriber.packetsReceived > 10, 10_000, "packets at B and C");
    warm.stop();
    await new Promise((r) => setTimeout(r, 150));
    const [baseB, baseC] = [subB.subscriber.packetsReceived, subC.subscriber.packetsReceived];
    await pub.send(PACKETS, 200);
    const need = Math.ceil(PACKETS * 0.99);
    await waitFor(() => subB.subscriber.packetsReceived - baseB >= need && subC.subscriber.packetsReceived - baseC >= need, 5_000, "99% of packets at B and C");
    for (const r of ["b", "c"]) {
      const stats = lab.node(r).engine.stats(track);
      expect(stats.source?.kind).toBe("relay");
      const refused = Object.entries(stats.relayIn?.packetsDropped ?? {}).filter(([reason]) => reason !== "rtcp");
      expect(refused.reduce((n, [, k]) => n + k, 0)).toBe(0);
    }
  });
});
