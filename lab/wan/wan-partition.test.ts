// The acceptance test for region-level cuts: three regions and an observer exchange UDP
// streams and HTTP keep-alive requests through the emulator while one region is
// partitioned for 3 s (real time), and the cut must hit exactly the region↔region links
// into and out of that region, for 3 s.
import { afterEach, describe, expect, it } from "vitest";
import { createServer, request, Agent, type Server } from "node:http";
import { createSocket, type Socket } from "node:dgram";
import { performance } from "node:perf_hooks";
import { ManualClock } from "../../core/clock.js";
import { WanEmulator } from "./wan-emulator.js";
import { bindRegionSockets, sleep, type RegionSockets } from "../../test/support/wan-test-kit.js";
import { LOOPBACK_HOST } from "./topology.js";

const REGIONS = ["us-east", "us-west", "eu-central"] as const;
const OBSERVER = "analyzer";
const CUT_MS = 3000;
const UDP_EVERY_MS = 10;
const HTTP_EVERY_MS = 100;
const HTTP_TIMEOUT_MS = 400;

function get(url: string, agent: Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { agent, timeout: HTTP_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on("end", () => { resolve(res.statusCode === 200); });
      res.on("error", () => { resolve(false); });
    });
    req.on("timeout", () => { req.destroy(new Error("timeout")); });
    req.on("error", () => { resolve(false); });
    req.end();
  });
}

describe("WanEmulator partition and isolate", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function world(clock?: ManualClock): Promise<{ emu: WanEmulator; relays: Map<string, RegionSockets> }> {
    const relays = new Map<string, RegionSockets>();
    const specs = [];
    for (const name of REGIONS) {
      const server: Server = createServer((_req, res) => { res.end(name); });
      await new Promise<void>((r) => server.listen(0, LOOPBACK_HOST, r));
      cleanups.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => { r(); }); }));
      const addr = server.address();
      if (addr === null || typeof addr !== "object") throw new Error("no address");
      const relay = await bindRegionSockets(1, [...relays.values()].map((x) => x.range));
      cleanups.push(() => relay.close());
      relays.set(name, relay);
      specs.push({ name, httpPort: addr.port, relayPortRange: relay.range });
    }
    const emu = await WanEmulator.start({
      regions: specs,
      observers: [{ name: OBSERVER }],
      latencyMs: () => 0,
      ...(clock === undefined ? {} : { clock }),
    });
    cleanups.push(() => emu.close());
    return { emu, relays };
  }

  it("partition([us-east]) for 3 s cuts exactly us-east's region links, for 3 s, under UDP and HTTP keep-alive load", async () => {
    const { emu, relays } = await world();
    const arrivals = new Map<string, number[]>();
    for (const [name, relay] of relays) {
      relay.sockets[0]!.on("message", (msg) => {
        const key = `${msg.toString()}>${name}`;
        const list = arrivals.get(key) ?? [];
        list.push(performance.now());
        arrivals.set(key, list);
      });
    }
    const observerSocket: Socket = createSocket("udp4");
    await new Promise<void>((r) => observerSocket.bind(0, LOOPBACK_HOST, r));
    cleanups.push(() => { observerSocket.close(); });

    const senders = [...REGIONS, OBSERVER];
    const udpTimer = setInterval(() => {
      for (const from of senders) {
        for (const to of REGIONS) {
          if (from === to) continue;
          const socket = from === OBSERVER ? observerSocket : relays.get(from)!.sockets[0]!;
          socket.send(from, emu.mapRelayPort(from, to, relays.get(to)!.range.min), LOOPBACK_HOST);
        }
      }
    }, UDP_EVERY_MS);
    cleanups.push(() => { clearInterval(udpTimer); });

    const http = new Map<string, Array<{ at: number; ok: boolean }>>();
    const agents: Agent[] = [];
    const run = { stop: false };
    const loops: Array<Promise<void>> = [];
    for (const from of senders) {
      for (const to of REGIONS) {
        if (from === to) continue;
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        agents.push(agent);
        const url = `${emu.route(from, to).httpUrl!}/`;
        const results: Array<{ at: number; ok: boolean }> = [];
        http.set(`${from}>${to}`, results);
        loops.push((async () => {
          while (!run.stop) {
            const ok = await get(url, agent);
            results.push({ at: performance.now(), ok });
            await sleep(HTTP_EVERY_MS);
          }
        })());
      }
    }
    cleanups.push(() => { for (const a of agents) a.destroy(); });

    await sleep(1000);
    const cutAt = performance.now();
    emu.partition(["us-east"], CUT_MS);
    const healAt = cutAt + CUT_MS;
    await sleep(CUT_MS + 1000);
    run.stop = true;
    clearInterval(udpTimer);
    await Promise.all(loops);

    const crossing = (key: string): boolean => {
      const [from, to] = key.split(">");
      return from !== OBSERVER && (from === "us-east") !== (to === "us-east");
    };
    for (const [key, times] of arrivals) {
      let maxGap = 0;
      let gapStart = 0;
      for (let i = 1; i < times.length; i++) {
        const gap = times[i]! - times[i - 1]!;
        if (gap > maxGap) {
          maxGap = gap;
          gapStart = times[i - 1]!;
        }
      }
      if (crossing(key)) {
        expect(maxGap, key).toBeGreaterThan(CUT_MS - 2 * UDP_EVERY_MS);
        // Exactness is the window check below; these bounds leave room for a loaded CI
        // machine's event-loop stalls while still telling a 3 s cut from no cut.
        expect(maxGap, key).toBeLessThan(CUT_MS + 500);
        expect(gapStart, key).toBeLessThanOrEqual(cutAt);
        expect(times.some((t) => t > cutAt + 1 && t < healAt - 1), key).toBe(false);
      } else {
        expect(maxGap, key).toBeLessThan(1000);
      }
    }
    expect(arrivals.size).toBe(REGIONS.length * (REGIONS.length - 1) + REGIONS.length);

    for (const [key, results] of http) {
      const failures = results.filter((r) => !r.ok);
      if (crossing(key)) {
        expect(failures.length, key).toBeGreaterThan(0);
        expect(failures.every((r) => r.at >= cutAt && r.at <= healAt + HTTP_TIMEOUT_MS + 50), key).toBe(true);
        expect(results.at(-1)?.ok, key).toBe(true);
      } else {
        expect(failures, key).toEqual([]);
      }
    }
  }, 15_000);

  it("isolate() also cuts the observer's links, partition() does not (injected clock)", async () => {
    const clock = new ManualClock(0);
    const { emu } = await world(clock);
    const down = (): string[] => emu.listLinks().filter((l) => l.effectiveDown).map((l) => `${l.from}>${l.to}`).sort();
    const p = emu.partition(["us-east"], CUT_MS);
    expect(down()).toEqual(["eu-central>us-east", "us-east>eu-central", "us-east>us-west", "us-west>us-east"]);
    clock.advance(CUT_MS - 1);
    expect(down()).toHaveLength(4);
    clock.advance(1);
    expect(down()).toEqual([]);
    p.heal(); // idempotent after expiry
    emu.isolate(["us-west"], 20_000);
    expect(down()).toEqual(["analyzer>us-west", "eu-central>us-west", "us-east>us-west", "us-west>analyzer", "us-west>eu-central", "us-west>us-east"]);
    expect(emu.activeCuts()).toEqual([{ id: "isolate#2", kind: "isolate", names: ["us-west"] }]);
    emu.heal();
    expect(down()).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("a partition of two regions keeps them connected to each other", async () => {
    const { emu } = await world(new ManualClock(0));
    emu.partition(["us-east", "us-west"]);
    expect(emu.getLink("us-east", "us-west").effectiveDown).toBe(false);
    expect(emu.getLink("us-east", "eu-central").effectiveDown).toBe(true);
    expect(emu.getLink(OBSERVER, "us-east").effectiveDown).toBe(false);
  });
});
