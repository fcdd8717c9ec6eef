// A relay-in pipe: one UDP port (inside rtpPortRange) that accepts plain RTP for one
// track. The port is reachable from the network, so every datagram is classified first
// and anything that is not this track's RTP is dropped and counted by reason.
import type { Socket } from "node:dgram";
import { RtpPacket } from "werift";
import type { Logger } from "../../../core/logger.js";
import type { RelayInStats } from "../engine.js";
import { classifyPipeDatagram, emptyDropCounts, type PipeDropCounts, type PipeDropReason } from "../pipe-drop.js";
import type { TrackMedia } from "../track-media.js";
import { closeSocket } from "../udp-port.js";

/**
 * Datagrams held while the TrackMedia is unknown (the pull response is still on its
 * way): ~1 s of 250 pps video, far more than the one RTT the wait lasts.
 */
export const MAX_HELD_DATAGRAMS = 256;

export interface RelayInHooks {
  onPacket(packet: RtpPacket): void;
  onDrop(reason: PipeDropReason): void;
}

export class RelayIn {
  readonly id: string;
  readonly ip: string;
  readonly port: number;
  private media: TrackMedia | null;
  private readonly socket: Socket;
  private readonly hooks: RelayInHooks;
  private readonly dropped: PipeDropCounts = emptyDropCounts();
  private held: Buffer[] = [];
  private closed = false;

  constructor(id: string, socket: Socket, media: TrackMedia | null, hooks: RelayInHooks, logger: Logger) {
    this.id = id;
    const addr = socket.address();
    this.ip = addr.address;
    this.port = addr.port;
    this.socket = socket;
    this.media = media;
    this.hooks = hooks;
    socket.on("message", (msg) => {
      this.receive(msg);
    });
    socket.on("error", (err) => {
      logger.warn({ relayId: id, err }, "relayIn | socket error");
    });
  }

  get hasMedia(): boolean {
    return this.media !== null;
  }

  /** Sets the track's media once and replays what was held, in arrival order. */
  setMedia(media: TrackMedia): void {
    this.media = media;
    const held = this.held;
    this.held = [];
    for (const msg of held) this.receive(msg);
  }

  private receive(msg: Buffer): void {
    if (this.closed) return;
    const media = this.media;
    const verdict = classifyPipeDatagram(msg, media === null ? undefined : { ssrc: media.ssrc, payloadType: media.codec.payloadType });
    if (!verdict.ok) {
      this.drop(verdict.reason);
      return;
    }
    if (media === null) {
      if (this.held.length >= MAX_HELD_DATAGRAMS) this.drop("not_ready");
      else this.held.push(msg);
      return;
    }
    let packet: RtpPacket;
    try {
      packet = RtpPacket.deSerialize(msg);
    } catch {
      // Structurally valid but werift cannot read its extension elements.
      this.drop("malformed");
      return;
    }
    this.hooks.onPacket(packet);
  }

  private drop(reason: PipeDropReason): void {
    this.dropped[reason]++;
    this.hooks.onDrop(reason);
  }

  stats(): RelayInStats {
    return { relayId: this.id, port: this.port, packetsDropped: { ...this.dropped } };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.held = [];
    await closeSocket(this.socket);
  }
}
