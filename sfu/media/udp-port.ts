// Binds a UDP socket on one address inside a port range. Relay pipes must stay inside
// the configured range: the lab's WAN emulator maps each region's relay range
// one-to-one onto proxy ports, so a port outside it would be unreachable.
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import { MediaError } from "./errors.js";
import type { PortRange } from "./engine.js";

function tryBind(address: string, port: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: isIPv6(address) ? "udp6" : "udp4" });
    const onError = (): void => {
      socket.close();
      resolve(null);
    };
    socket.once("error", onError);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off("error", onError);
      resolve(socket);
    });
  });
}

/**
 * Binds the first free port of `range`, scanning from a random start so concurrent
 * engines sharing a range rarely contend for the same port.
 */
export async function bindUdpInRange(address: string, range: PortRange, random: () => number = Math.random): Promise<Socket> {
  const size = range.max - range.min + 1;
  const start = Math.floor(random() * size);
  for (let i = 0; i < size; i++) {
    const port = range.min + ((start + i) % size);
    const socket = await tryBind(address, port);
    if (socket !== null) return socket;
  }
  throw new MediaError("no_ports", `no free UDP port on ${address} in ${range.min}-${range.max}`);
}

/** Closes a dgram socket and resolves once it is released (idempotent). */
export function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => {
        resolve();
      });
    } catch {
      // ERR_SOCKET_DGRAM_NOT_RUNNING: already closed.
      resolve();
    }
  });
}
