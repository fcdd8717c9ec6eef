// A relay-out pipe: the track's canonical RTP, as plain RTP over UDP, from one local
// port (inside rtpPortRange, like a mediasoup PipeTransport) to a remote ip:port.
import type { Socket } from "node:dgram";
import type { Logger } from "../../../core/logger.js";
import type { RelayOutStats, UdpEndpoint } from "../engine.js";
import { closeSocket } from "../udp-port.js";
import type { PacketSink } from "./track-hub.js";

export class RelayOut implements PacketSink {
  readonly id: string;
  readonly local: UdpEndpoint;
  readonly remote: UdpEndpoint;
  private readonly socket: Socket;
  private readonly logger: Logger;
  private closed = false;
  private packetsSent = 0;
  private bytesSent = 0;
  private sendErrors = 0;

  constructor(id: string, socket: Socket, remote: UdpEndpoint, logger: Logger) {
    this.id = id;
    this.socket = socket;
    this.remote = { ...remote };
    const addr = socket.address();
    this.local = { ip: addr.address, port: addr.port };
    this.logger = logger;
    // Incoming datagrams on a relay-out (RTCP from a mediasoup pipe) are not consumed yet.
    socket.on("message", () => undefined);
    socket.on("error", (err) => {
      this.logger.warn({ relayId: id, err }, "relayOut | socket error");
    });
  }

  deliver(_packet: unknown, size: number, wire: () => Buffer): void {
    if (this.closed) return;
    this.packetsSent++;
    this.bytesSent += size;
    this.socket.send(wire(), this.remote.port, this.remote.ip, (err) => {
      if (err !== null && !this.closed) {
        // ICMP port unreachable and the like: the receiver is down; count, log the first.
        if (this.sendErrors++ === 0) this.logger.warn({ relayId: this.id, err }, "relayOut | send failed");
      }
    });
  }

  stats(): RelayOutStats {
    return { relayId: this.id, remote: { ...this.remote }, packetsSent: this.packetsSent, bytesSent: this.bytesSent };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeSocket(this.socket);
  }
}
