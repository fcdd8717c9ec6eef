import { afterEach, describe, expect, it } from "vitest";
import { performance } from "node:perf_hooks";
import { Registry } from "prom-client";
import { WanEmulator } from "./wan-emulator.js";
import { seededRandom } from "../../core/random.js";
import { bindRegionSockets, echo, median, sleep, type RegionSockets } from "../../test/support/wan-test-kit.js";
import { LOOPBACK_HOST } from "./topology.js";

describe("WanEmulator UDP relay links", () => {
  let emu: WanEmulator | null = null;
  let a: RegionSockets | null = null;
  let b: RegionSockets | null = null;

  afterEach(async () => {
    await emu?.close();
    await a?.close();
    await b?.close();
    emu = a = b = null;
  });

  async function world(registry = new Registry()): Promise<{ emu: WanEmulator; a: RegionSockets; b: RegionSockets }> {
    a = await bindRegionSockets(2);
    b = await bindRegionSockets(2, [a.range]);
    emu = await WanEmulator.start({
      regions: [
        { name: "us-east", relayPortRange: a.range },
        { name: "eu-west", relayPortRange: b.range },
      ],
      random: seededRandom(42),
      registry,
    });
    return { emu, a, b };
  }

  it("maps relay ports symmetrically: each end sees the address it was configured to send to", async () => {
    const w = await world();
    const a0 = w.a.sockets[0]!;
    const b1 = w.b.sockets[1]!;
    const aPort = w.a.range.min;
    const bPort = w.b.range.min + 1;
    const seenByB = new Promise<number>((resolve) => b1.once("message", (_m, r) => { resolve(r.port); }));
    a0.send("ping", w.emu.mapRelayPort("us-east", "eu-west", bPort), LOOPBACK_HOST);
    expect(await seenByB).toBe(w.emu.mapRelayPort("eu-west", "us-east", aPort));
    const seenByA = new Promise<number>((resolve) => a0.once("message", (_m, r) => { resolve(r.port); }));
    b1.send("pong", w.emu.mapRelayPort("eu-west", "us-east", aPort), LOOPBACK_HOST);
    expect(await seenByA).toBe(w.emu.mapRelayPort("us-east", "eu-west", bPort));
    const route = w.emu.route("us-east", "eu-west");
    expect(route.relay).toEqual({ host: LOOPBACK_HOST, targetMin: w.b.range.min, targetMax: w.b.range.max, proxyBase: route.relay!.proxyBase });
  });

  it.each([10, 50, 150])("delays datagrams by the configured one-way latency (%i ms, ±2 ms median)", async (latencyMs) => {
    const w = await world();
    w.emu.setLink("us-east", "eu-west", { latencyMs });
    w.emu.setLink("eu-west", "us-east", { latencyMs: 0 });
    echo(w.b.sockets[0]!);
    const a0 = w.a.sockets[0]!;
    const sentAt = new Map<number, number>();
    const rtts: number[] = [];
    const count = 30;
    const done = new Promise<void>((resolve) => {
      a0.on("message", (msg) => {
        const seq = msg.readUInt32BE(0);
        const t = sentAt.get(seq);
        if (t !== undefined) rtts.push(performance.now() - t);
        if (rtts.length === count) resolve();
      });
    });
    const to = w.emu.mapRelayPort("us-east", "eu-west", w.b.range.min);
    for (let seq = 0; seq < count; seq++) {
      const buf = Buffer.alloc(64);
      buf.writeUInt32BE(seq, 0);
      sentAt.set(seq, performance.now());
      a0.send(buf, to, LOOPBACK_HOST);
      await sleep(3);
    }
    await done;
    expect(Math.abs(median(rtts) - latencyMs)).toBeLessThanOrEqual(2);
  });

  it("loses the configured share of 20,000 datagrams (±0.5%) and counts every drop", async () => {
    const registry = new Registry();
    const w = await world(registry);
    const loss = 0.05;
    w.emu.setLink("us-east", "eu-west", { latencyMs: 0, loss });
    let received = 0;
    w.b.sockets[0]!.on("message", () => { received++; });
    const a0 = w.a.sockets[0]!;
    const to = w.emu.mapRelayPort("us-east", "eu-west", w.b.range.min);
    const total = 20_000;
    const payload = Buffer.alloc(200);
    const lossDropped = async (): Promise<number> => {
      const values = (await registry.getSingleMetric("relaywatch_wan_dropped_total")!.get()).values;
      return values.find((v) => v.labels["reason"] === "loss" && v.labels["from"] === "us-east")?.value ?? 0;
    };
    // Windowed: sender, proxy and receiver share one event loop here, so a free-running
    // sender would overflow the proxy's socket and measure the kernel, not the emulator.
    for (let sent = 0; sent < total; ) {
      for (let k = 0; k < 100; k++, sent++) a0.send(payload, to, LOOPBACK_HOST);
      for (let wait = 0; received + (await lossDropped()) < sent && wait < 200; wait++) await sleep(1);
    }
    await sleep(50);
    const measured = 1 - received / total;
    expect(Math.abs(measured - loss)).toBeLessThanOrEqual(0.005);
    expect(await lossDropped()).toBe(total - received);
    const passed = (await registry.getSingleMetric("relaywatch_wan_packets_total")!.get()).values;
    expect(passed.find((v) => v.labels["from"] === "us-east" && v.labels["proto"] === "udp")?.value).toBe(received);
  });

  it("never reorders jittered datagrams unless asked", async () => {
    const w = await world();
    w.emu.setLink("us-east", "eu-west", { latencyMs: 5, jitterMs: 4 });
    const seqs: number[] = [];
    const got = new Promise<void>((resolve) => {
      w.b.sockets[0]!.on("message", (m) => {
        seqs.push(m.readUInt32BE(0));
        if (seqs.length === 200) resolve();
      });
    });
    const to = w.emu.mapRelayPort("us-east", "eu-west", w.b.range.min);
    for (let i = 0; i < 200; i++) {
      const buf = Buffer.alloc(4);
      buf.writeUInt32BE(i, 0);
      w.a.sockets[0]!.send(buf, to, LOOPBACK_HOST);
      if (i % 20 === 19) await sleep(1);
    }
    await got;
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  });

  it("carries datagrams from ports outside the sender's range and routes the replies back (NAT)", async () => {
    const w = await world();
    echo(w.b.sockets[0]!);
    const { createSocket } = await import("node:dgram");
    const client = createSocket("udp4");
    await new Promise<void>((resolve) => client.bind(0, LOOPBACK_HOST, resolve));
    try {
      const reply = new Promise<string>((resolve) => client.once("message", (m) => { resolve(m.toString()); }));
      client.send("hello", w.emu.mapRelayPort("us-east", "eu-west", w.b.range.min), LOOPBACK_HOST);
      expect(await reply).toBe("hello");
      expect(w.emu.getLink("eu-west", "us-east").from).toBe("eu-west");
    } finally {
      client.close();
    }
  });
});
