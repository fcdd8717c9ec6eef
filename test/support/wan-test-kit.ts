// Helpers for the emulator's tests and bench (not used by the emulator itself): loopback
// UDP "region" sockets on a free contiguous range, an echo, and small waits.
import type { Socket } from "node:dgram";
import { Registry } from "prom-client";
import { WanControlServer } from "../../lab/wan/control-server.js";
import { bindUdpPortRange, closeQuietly } from "../../lab/wan/port-range.js";
import { LOOPBACK_HOST, type PortRange } from "../../lab/wan/topology.js";
import { WanEmulator } from "../../lab/wan/wan-emulator.js";

export interface RegionSockets {
  range: PortRange;
  sockets: Socket[];
  close(): Promise<void>;
}

/** Binds `size` contiguous UDP ports on 127.0.0.1 to play a region's relay ports. */
export async function bindRegionSockets(size: number, avoid: readonly PortRange[] = []): Promise<RegionSockets> {
  const bound = await bindUdpPortRange(size, { host: LOOPBACK_HOST, avoid });
  return {
    range: { min: bound.base, max: bound.base + size - 1 },
    sockets: bound.sockets,
    close: async () => {
      await Promise.all(bound.sockets.map(closeQuietly));
    },
  };
}

/** Makes `socket` send every datagram straight back to its sender. */
export function echo(socket: Socket): void {
  socket.on("message", (msg, rinfo) => {
    socket.send(msg, rinfo.port, rinfo.address);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? Number.NaN) + (s[mid] ?? Number.NaN)) / 2;
}

/** A three-region WAN emulator (us-east with relay sockets, us-west, eu-central; an analyzer observer) and its control API. */
export interface WanControlFixture {
  emu: WanEmulator;
  control: WanControlServer;
  close(): Promise<void>;
}

export async function startWanControl(): Promise<WanControlFixture> {
  const relay = await bindRegionSockets(2);
  const emu = await WanEmulator.start({
    regions: [{ name: "us-east", httpPort: 9, relayPortRange: relay.range }, { name: "us-west" }, { name: "eu-central" }],
    observers: [{ name: "analyzer" }],
    registry: new Registry(),
  });
  const control = await WanControlServer.start({ emulator: emu });
  return {
    emu,
    control,
    close: async () => {
      await control.close();
      await emu.close();
      await relay.close();
    },
  };
}
