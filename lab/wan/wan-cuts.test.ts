import { afterEach, describe, expect, it } from "vitest";
import { createServer, connect, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { Registry } from "prom-client";
import { ManualClock } from "../../core/clock.js";
import { WanEmulator } from "./wan-emulator.js";
import { bindRegionSockets, sleep, type RegionSockets } from "../../test/support/wan-test-kit.js";
import { LOOPBACK_HOST } from "./topology.js";

/** A TCP echo server on an ephemeral loopback port. */
async function echoServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK_HOST, resolve));
  const addr = server.address();
  if (addr === null || typeof addr !== "object") throw new Error("no address");
  return { server, port: addr.port, sockets };
}

/** Connects, sends `text`, resolves with the echo or with the way the connection failed. */
function roundTrip(port: number, text: string, timeoutMs: number): { socket: Socket; result: Promise<string> } {
  const socket = connect({ host: LOOPBACK_HOST, port });
  const result = new Promise<string>((resolve) => {
    let got = "";
    const timer = setTimeout(() => { resolve("timeout"); }, timeoutMs);
    socket.on("data", (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        clearTimeout(timer);
        resolve(got);
      }
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code ?? "error");
    });
  });
  socket.write(text);
  return { socket, result };
}

describe("WanEmulator link down/up", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function world(clock?: ManualClock): Promise<{ emu: WanEmulator; a: RegionSockets; b: RegionSockets; registry: Registry }> {
    const echo = await echoServer();
    cleanups.push(() => new Promise<void>((r) => { for (const s of echo.sockets) s.destroy(); echo.server.close(() => { r(); }); }));
    const a = await bindRegionSockets(1);
    const b = await bindRegionSockets(1, [a.range]);
    cleanups.push(() => a.close(), () => b.close());
    const registry = new Registry();
    const emu = await WanEmulator.start({
      regions: [
        { name: "eu-central", relayPortRange: a.range },
        { name: "eu-west", httpPort: echo.port, relayPortRange: b.range },
      ],
      latencyMs: () => 0,
      registry,
      ...(clock === undefined ? {} : { clock }),
    });
    cleanups.push(() => emu.close());
    return { emu, a, b, registry };
  }

  it("drops 100% of datagrams while down and carries them again once up", async () => {
    const { emu, a, b, registry } = await world();
    let received = 0;
    b.sockets[0]!.on("message", () => { received++; });
    const to = emu.mapRelayPort("eu-central", "eu-west", b.range.min);
    emu.linkDown(["eu-central", "eu-west"]);
    expect(emu.getLink("eu-central", "eu-west").effectiveDown).toBe(true);
    expect(emu.getLink("eu-west", "eu-central").effectiveDown).toBe(true);
    for (let i = 0; i < 500; i++) a.sockets[0]!.send("x", to, LOOPBACK_HOST);
    await sleep(100);
    expect(received).toBe(0);
    const drops = (await registry.getSingleMetric("relaywatch_wan_dropped_total")!.get()).values;
    expect(drops.find((v) => v.labels["reason"] === "down")?.value).toBe(500);
    emu.linkUp(["eu-central", "eu-west"]);
    for (let i = 0; i < 50; i++) a.sockets[0]!.send("x", to, LOOPBACK_HOST);
    await sleep(100);
    expect(received).toBe(50);
  });

  it("resets TCP connections through a cut, holds new ones, and carries them once up", async () => {
    const { emu } = await world();
    const port = emu.route("eu-central", "eu-west").httpPort!;
    const before = roundTrip(port, "before", 2000);
    expect(await before.result).toBe("before");
    const closed = new Promise<boolean>((resolve) => before.socket.on("close", resolve));
    emu.linkDown(["eu-central", "eu-west"]);
    expect(await closed).toBe(true); // closed with an error: the reset
    const during = roundTrip(port, "during", 5000);
    cleanups.push(() => { during.socket.destroy(); });
    const early = await Promise.race([during.result, sleep(300).then(() => "still waiting")]);
    expect(early).toBe("still waiting");
    emu.linkUp(["eu-central", "eu-west"]);
    expect(await during.result).toBe("during");
    const after = roundTrip(port, "after", 2000);
    cleanups.push(() => { after.socket.destroy(); });
    expect(await after.result).toBe("after");
    before.socket.destroy();
  });

  it("delays TCP bytes by each direction's latency, in order", async () => {
    const { emu } = await world();
    emu.setLink("eu-central", "eu-west", { latencyMs: 40, jitterMs: 3 });
    emu.setLink("eu-west", "eu-central", { latencyMs: 10 });
    const port = emu.route("eu-central", "eu-west").httpPort!;
    const warm = roundTrip(port, "warm", 2000);
    cleanups.push(() => { warm.socket.destroy(); });
    expect(await warm.result).toBe("warm");
    const rtts: number[] = [];
    let text = "";
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const got = new Promise<string>((resolve) => warm.socket.once("data", (d) => { resolve(d.toString()); }));
      warm.socket.write(`m${i};`);
      text += await got;
      rtts.push(performance.now() - t0);
    }
    expect(text).toBe(Array.from({ length: 10 }, (_, i) => `m${i};`).join(""));
    // Every round trip pays both directions (a lower bound that load cannot break); the
    // median sits close to 50 ms. Single samples may run late on a loaded 2-core machine.
    for (const rtt of rtts) expect(rtt).toBeGreaterThanOrEqual(46);
    const median = [...rtts].sort((a, b) => a - b)[5] ?? 0;
    expect(median).toBeLessThan(58);
  });

  it("brings a linkDown back up after exactly `for` on the injected clock", async () => {
    const clock = new ManualClock(1_000_000);
    const { emu } = await world(clock);
    emu.linkDown(["eu-central", "eu-west"], 5000);
    clock.advance(4999);
    expect(emu.getLink("eu-west", "eu-central").effectiveDown).toBe(true);
    clock.advance(1);
    expect(emu.getLink("eu-west", "eu-central").effectiveDown).toBe(false);
    expect(emu.getLink("eu-central", "eu-west").effectiveDown).toBe(false);
  });

  it("keeps a link down by hand down when a partition over it heals", async () => {
    const clock = new ManualClock(0);
    const { emu } = await world(clock);
    emu.setLink("eu-central", "eu-west", { down: true });
    emu.partition(["eu-central"], 1000);
    expect(emu.getLink("eu-west", "eu-central").cutBy).toEqual(["partition#1"]);
    clock.advance(1000);
    expect(emu.getLink("eu-west", "eu-central").effectiveDown).toBe(false);
    expect(emu.getLink("eu-central", "eu-west").effectiveDown).toBe(true);
    emu.heal();
    expect(emu.listLinks().every((l) => !l.effectiveDown)).toBe(true);
  });
});
