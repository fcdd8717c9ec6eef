// The Node end of a mediasoup relay-out: the worker's pipe Consumer sends plain RTP over a
// PlainTransport to this pipe's loopback socket; the pipe rewrites each packet to the
// track's canonical form (TrackMedia SSRC and payload type, no header extensions — a
// mediasoup Consumer always picks its own SSRC) and sends it from a port inside
// rtpPortRange to the remote region, exactly as the werift engine's relay-out does. RTCP
// from the worker is not relayed (pipes carry RTP only); datagrams from the remote
// (RTCP of a mediasoup receiver) are ignored.
import type { Socket } from "node:dgram";
import type { Logger } from "../../../core/logger.js";
import type { RelayOutStats, UdpEndpoint } from "../engine.js";
import { classifyPipeDatagram } from "../pipe-drop.js";
import type { TrackMedia } from "../track-media.js";
import { closeSocket } from "../udp-port.js";
import { canonicalRtp, canonicalRtpSize } from "./rtp-bytes.js";

export class RelayOutPipe {
  readonly id: string;
  readonly local: UdpEndpoint;
  readonly remote: UdpEndpoint;
  private readonly publicSocket: Socket;
  private readonly internalSocket: Socket;
  private readonly media: TrackMedia;
  private readonly logger: Logger;
  private packetsSent = 0;
  private bytesSent = 0;
  private sendErrors = 0;
  private closed = false;

  constructor(id: string, publicSocket: Socket, internalSocket: Socket, media: TrackMedia, remote: UdpEndpoint, logger: Logger) {
    this.id = id;
    this.publicSocket = publicSocket;
    this.internalSocket = internalSocket;
    this.media = media;
    this.remote = { ...remote };
    const addr = publicSocket.address();
    this.local = { ip: addr.address, port: addr.port };
    this.logger = logger;
    publicSocket.on("message", () => undefined);
    internalSocket.on("message", (msg) => {
      this.forward(msg);
    });
    for (const s of [publicSocket, internalSocket]) {
      s.on("error", (err) => {
        logger.warn({ relayId: id, err }, "relayOut | socket error");
      });
    }
  }

  /** The loopback port the worker's PlainTransport sends to. */
  get internalPort(): number {
    return this.internalSocket.address().port;
  }

  private forward(msg: Buffer): void {
    if (this.closed) return;
    // Only well-formed RTP leaves (never the worker's RTCP). The leg carries one Consumer
    // whose payload type is the Router's: rewritten to the track's like the SSRC.
    if (!classifyPipeDatagram(msg).ok) return;
    const wire = canonicalRtp(msg, this.media.ssrc, this.media.codec.payloadType);
    this.packetsSent++;
    this.bytesSent += canonicalRtpSize(wire);
    this.publicSocket.send(wire, this.remote.port, this.remote.ip, (err) => {
      // ICMP port unreachable and the like: the receiver is down; count, log the first.
      if (err !== null && !this.closed && this.sendErrors++ === 0) this.logger.warn({ relayId: this.id, err }, "relayOut | send failed");
    });
  }

  stats(): RelayOutStats {
    return { relayId: this.id, remote: { ...this.remote }, packetsSent: this.packetsSent, bytesSent: this.bytesSent };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([closeSocket(this.publicSocket), closeSocket(this.internalSocket)]);
  }
}
