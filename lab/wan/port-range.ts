// Binds a contiguous range of UDP ports on loopback: the proxy range that stands for a
// region's relay ports on one link. Contiguous so that a region can be configured with a
// single base (port p of the peer is reached at base + p - min), like a NAT port block.
import { createSocket, type Socket } from "node:dgram";
import { overlaps, type PortRange } from "./topology.js";

/**
 * Candidate bases are drawn from 20000-32000: below Linux's default ephemeral range
 * (32768-60999), so port-0 sockets elsewhere in the process never land inside a range we
 * are scanning, and above the registered services most machines run.
 */
export const UDP_PROXY_PORT_LOW = 20_000;
export const UDP_PROXY_PORT_HIGH = 32_000;

/** 64 tries: each fails only on a collision, so running out means the band is crowded. */
export const UDP_BIND_ATTEMPTS = 64;

/** 1 MiB receive buffers: a burst of relay media must not overflow the proxy's socket. */
export const UDP_RECV_BUFFER_BYTES = 1 << 20;

export interface BoundUdpRange {
  base: number;
  sockets: Socket[];
}

export interface BindRangeOptions {
  host: string;
  /** Ranges the proxy must not use (the endpoints' own ports). */
  avoid: readonly PortRange[];
  /** Start scanning here, upwards, instead of at random bases (predictable lab ports). */
  firstBase?: number;
  /** Random source for base choice; defaults to Math.random (not the emulator's seeded one,
   *  so parallel test processes with equal seeds do not collide on every try). */
  pick?: () => number;
}

export async function bindUdpPortRange(size: number, options: BindRangeOptions): Promise<BoundUdpRange> {
  const pick = options.pick ?? Math.random;
  let next = options.firstBase;
  let lastError: unknown = null;
  for (let attempt = 0; attempt < UDP_BIND_ATTEMPTS; attempt++) {
    const base = next ?? UDP_PROXY_PORT_LOW + Math.floor(pick() * (UDP_PROXY_PORT_HIGH - UDP_PROXY_PORT_LOW - size));
    const candidate = { min: base, max: base + size - 1 };
    const clash = options.avoid.find((r) => overlaps(r, candidate));
    if (clash !== undefined) {
      if (next !== undefined) next = clash.max + 1;
      continue;
    }
    if (candidate.max > 65535) break;
    const result = await tryBind(base, size, options.host);
    if (result.ok) return { base, sockets: result.sockets };
    lastError = result.error;
    if (next !== undefined) next = result.failedPort + 1;
  }
  throw new Error(`bindUdpPortRange() | no free range of ${size} UDP ports on ${options.host}`, { cause: lastError });
}

type BindResult = { ok: true; sockets: Socket[] } | { ok: false; error: unknown; failedPort: number };

async function tryBind(base: number, size: number, host: string): Promise<BindResult> {
  const sockets: Socket[] = [];
  const outcomes = await Promise.all(
    Array.from({ length: size }, (_, k) => {
      const socket = createSocket({ type: "udp4", recvBufferSize: UDP_RECV_BUFFER_BYTES });
      sockets.push(socket);
      return bindOne(socket, base + k, host);
    }),
  );
  const failedAt = outcomes.findIndex((o) => o !== null);
  if (failedAt === -1) return { ok: true, sockets };
  await Promise.all(sockets.map(closeQuietly));
  return { ok: false, error: outcomes[failedAt], failedPort: base + failedAt };
}

function bindOne(socket: Socket, port: number, host: string): Promise<unknown> {
  return new Promise((resolve) => {
    const onError = (err: Error): void => {
      resolve(err);
    };
    socket.once("error", onError);
    socket.bind({ port, address: host, exclusive: true }, () => {
      socket.off("error", onError);
      resolve(null);
    });
  });
}

export function closeQuietly(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => {
        resolve();
      });
    } catch {
      resolve(); // never bound, or already closed
    }
  });
}
