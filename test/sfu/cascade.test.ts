// Three regions through the WAN emulator: a WHIP publisher in A, WHEP subscribers in B and
// C. With RTT(C,B) < RTT(C,A) and B holding a copy, C cascades through B (A>B>C); every
// packet arrives; when the subscribers leave, the relays stop after the linger period and
// B's copy is retracted. And the trace of C's subscribe spans both C and B. On every
// engine available here (werift, and mediasoup when its worker is built).
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { cascadeLatencyMs, ENGINES, labScope, metricValue, publish, subscribe, trackIn, waitFor, waitForMesh } from "./sfu-kit.js";

const TRACK = "live/cam";
const PACKETS = 400;

describe.each(ENGINES)("a three-region cascade (A publishes, B and C subscribe) (%s engine)", (engine) => {
  const scope = labScope();

  it("delivers ≥ 99% to B and C, cascades A>B>C, and stops + retracts after linger", async () => {
    const lab = await scope.start({ engine, regions: ["a", "b", "c"], wan: { latencyMs: cascadeLatencyMs } });
    await waitForMesh(lab, 5000, cascadeLatencyMs);
    const [a, b, c] = [lab.node("a"), lab.node("b"), lab.node("c")];
    const pub = await publish(a, TRACK);
    scope.defer(pub);
    const warm = pub.stream(100);
    scope.defer(warm);

    const subB = await subscribe(b, TRACK);
    scope.defer(subB);
    expect(subB.status, subB.body).toBe(201);
    expect(subB.relayPath).toBe("a>b");
    await waitFor(async () => (await trackIn(b, TRACK))?.announced === true, 5000, "B announcing its flowing copy");
    await waitFor(() => c.holders(TRACK).some((h) => h.region === "b"), 5000, "C learning of B's copy");

    const subC = await subscribe(c, TRACK);
    scope.defer(subC);
    expect(subC.status, subC.body).toBe(201);
    expect(subC.relayPath).toBe("a>b>c");
    expect((await trackIn(c, TRACK))?.upstream).toBe("b");
    expect((await trackIn(b, TRACK))?.downstream).toEqual(["c"]);
    await waitFor(() => subB.subscriber.packetsReceived > 10 && subC.subscriber.packetsReceived > 10, 5000, "packets at B and C");

    // Measured window: a quiet gap, then exactly PACKETS packets.
    warm.stop();
    await new Promise((r) => setTimeout(r, 150));
    const [baseB, baseC] = [subB.subscriber.packetsReceived, subC.subscriber.packetsReceived];
    await pub.send(PACKETS, 200);
    const need = Math.ceil(PACKETS * 0.99);
    await waitFor(() => subB.subscriber.packetsReceived - baseB >= need && subC.subscriber.packetsReceived - baseC >= need, 3000, "99% of packets at B and C");
    await new Promise((r) => setTimeout(r, 150));
    expect(subB.subscriber.packetsReceived - baseB).toBeLessThanOrEqual(PACKETS);
    expect(subC.subscriber.packetsReceived - baseC).toBeLessThanOrEqual(PACKETS);
    expect(await metricValue(lab.registries.get("c")!, "relaywatch_sfu_relay_setup_seconds", { hops: "2" })).toBeGreaterThan(0);

    // Last subscribers leave: C's relay stops after linger, then B's, and B's copy is retracted.
    await subC.close();
    await subB.close();
    await waitFor(async () => (await trackIn(c, TRACK)) === undefined && (await trackIn(b, TRACK)) === undefined, 5000, "relays at B and C stopped");
    await waitFor(() => !a.holders(TRACK).some((h) => h.region === "b") && !c.holders(TRACK).some((h) => h.region === "b"), 5000, "B's copy retracted");
    expect((await trackIn(a, TRACK))?.downstream).toEqual([]);
    expect(a.engine.stats(TRACK).relaysOut).toEqual([]);
  });

  it("traces one subscribe across two hops as one trace with spans from both regions", async () => {
    const exporters = new Map<string, InMemorySpanExporter>();
    const tracer = (region: string) => {
      const exporter = new InMemorySpanExporter();
      exporters.set(region, exporter);
      return new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer(`sfu-${region}`);
    };
    const lab = await scope.start({ engine, regions: ["a", "b", "c"], wan: { latencyMs: cascadeLatencyMs }, tracer });
    await waitForMesh(lab, 5000, cascadeLatencyMs);
    const pub = await publish(lab.node("a"), TRACK);
    scope.defer(pub);
    const warm = pub.stream(100);
    scope.defer(warm);
    const subB = await subscribe(lab.node("b"), TRACK);
    scope.defer(subB);
    await waitFor(() => lab.node("c").holders(TRACK).some((h) => h.region === "b"), 5000, "C learning of B's copy");
    for (const e of exporters.values()) e.reset();

    const subC = await subscribe(lab.node("c"), TRACK);
    scope.defer(subC);
    expect(subC.relayPath).toBe("a>b>c");
    await waitFor(() => exporters.get("c")!.getFinishedSpans().some((s) => s.name === "relay.first_packet"), 5000, "first packet span at C");

    const root = exporters.get("c")!.getFinishedSpans().find((s) => s.name === "whep.subscribe");
    expect(root).toBeDefined();
    const traceId = root!.spanContext().traceId;
    const inTrace = (region: string): string[] =>
      exporters.get(region)!.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId).map((s) => s.name);
    expect(inTrace("c")).toEqual(expect.arrayContaining(["whep.subscribe", "relay.setup", "relay.locate", "relay.pull", "relay.first_packet"]));
    expect(inTrace("b")).toContain("relay.serve");
  });
});
