import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { WanEmulator } from "./wan-emulator.js";
import { bindRegionSockets, type RegionSockets } from "../../test/support/wan-test-kit.js";
import { LOOPBACK_HOST } from "./topology.js";

describe("WanEmulator stays on loopback", () => {
  let emu: WanEmulator | null = null;
  const relays: RegionSockets[] = [];
  afterEach(async () => {
    await emu?.close();
    emu = null;
    for (const r of relays.splice(0)) await r.close();
  });

  it("listens on 127.0.0.1 only, for every TCP and UDP proxy socket", async () => {
    const a = await bindRegionSockets(3);
    const b = await bindRegionSockets(3, [a.range]);
    relays.push(a, b);
    emu = await WanEmulator.start({
      regions: [
        { name: "us-east", httpPort: 1, relayPortRange: a.range },
        { name: "ap-south", httpPort: 2, relayPortRange: b.range },
      ],
      observers: [{ name: "analyzer", httpPort: 3 }],
    });
    const sockets = emu.listeningSockets();
    // TCP: us-east↔ap-south, each region→analyzer, analyzer→each region. UDP: 3 ports per link into a region.
    expect(sockets.filter((s) => s.proto === "tcp")).toHaveLength(6);
    expect(sockets.filter((s) => s.proto === "udp")).toHaveLength(4 * 3);
    expect(sockets.every((s) => s.address === LOOPBACK_HOST)).toBe(true);
    expect(new Set(sockets.map((s) => `${s.proto}:${s.port}`)).size).toBe(sockets.length);
  });

  it.each(["10.0.0.5", "0.0.0.0", "::1", "example.com"])("refuses a target host of %s with a clear error", async (host) => {
    const start = WanEmulator.start({ regions: [{ name: "us-east", host, httpPort: 8080 }] });
    await expect(start).rejects.toBeInstanceOf(ConfigError);
    await expect(start).rejects.toThrow(`regions[0].host: got "${host}", expected 127.0.0.1: the WAN emulator never sends traffic off loopback`);
  });

  it("refuses to listen anywhere but 127.0.0.1", async () => {
    await expect(WanEmulator.start({ regions: [{ name: "us-east" }], listenHost: "0.0.0.0" })).rejects.toThrow(/listenHost: got "0.0.0.0", expected 127.0.0.1/);
  });

  it("refuses overlapping relay ranges, oversized ranges and duplicate names", async () => {
    await expect(
      WanEmulator.start({ regions: [{ name: "a", relayPortRange: { min: 40000, max: 40010 } }, { name: "b", relayPortRange: { min: 40010, max: 40020 } }] }),
    ).rejects.toThrow(/regions\[1\]\.relayPortRange: .*not overlapping a's/);
    await expect(WanEmulator.start({ regions: [{ name: "a", relayPortRange: { min: 10000, max: 59999 } }] })).rejects.toThrow(/at most 1024 ports/);
    await expect(WanEmulator.start({ regions: [{ name: "a" }], observers: [{ name: "a" }] })).rejects.toThrow(/observers\[0\]\.name/);
  });

  it("rejects calls after close() and closes idempotently", async () => {
    emu = await WanEmulator.start({ regions: [{ name: "us-east" }, { name: "us-west" }] });
    await emu.close();
    await emu.close();
    expect(() => emu?.setLink("us-east", "us-west", { latencyMs: 5 })).toThrow(/closed/);
    expect(emu.listeningSockets()).toEqual([]);
  });
});
