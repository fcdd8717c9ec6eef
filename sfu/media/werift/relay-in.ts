// A relay-in pipe: one UDP port (inside rtpPortRange) that accepts plain RTP for one
// track from its upstream only. The port is reachable from the network, so every datagram
// is judged first (pipe-drop.ts) and anything that is not this track's RTP from the pinned
// upstream is dropped and counted by reason.
import type { RemoteInfo, Socket } from "node:dgram";
import { RtpPacket } from "werift";
import type { Logger } from "../../../core/logger.js";
import type { RelayInStats, UdpEndpoint } from "../engine.js";
import { emptyDropCounts, judgePipeDatagram, type PipeDropCounts, type PipeDropReason, type SourcePin } from "../pipe-drop.js";
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
  private held: { msg: Buffer; from: UdpEndpoint }[] = [];
  private pin: SourcePin;
  private closed = false;

  /** `pin`: who this pipe believes (pipe-drop.ts negotiatedPin()). */
  constructor(id: string, socket: Socket, media: TrackMedia | null, hooks: RelayInHooks, logger: Logger, pin: SourcePin) {
    this.id = id;
    const addr = socket.address();
    this.ip = addr.address;
    this.port = addr.port;
    this.socket = socket;
    this.media = media;
    this.hooks = hooks;
    this.pin = pin;
    socket.on("message", (msg, rinfo: RemoteInfo) => {
      this.receive(msg, { ip: rinfo.address, port: rinfo.port });
    });
    socket.on("error", (err) => {
      logger.warn({ relayId: id, err }, "relayIn | socket error");
    });
  }

  get hasMedia(): boolean {
    return this.media !== null;
  }

  /**
   * Sets the track's media once (and the negotiated sender, now that it is known) and
   * replays what was held, in arrival order.
   */
  setMedia(media: TrackMedia, pin: SourcePin): void {
    this.media = media;
    // A sender named when the pipe opened stays the one believed.
    if (pin.kind === "fixed" || this.pin.kind !== "fixed") this.pin = pin;
    const held = this.held;
    this.held = [];
    for (const h of held) this.receive(h.msg, h.from);
  }

  private receive(msg: Buffer, from: UdpEndpoint): void {
    if (this.closed) return;
    const media = this.media;
    const judged = judgePipeDatagram(msg, from, this.pin, media === null ? undefined : { ssrc: media.ssrc, payloadType: media.codec.payloadType });
    this.pin = judged.pin;
    if (!judged.verdict.ok) {
      this.drop(judged.verdict.reason);
      return;
    }
    if (media === null) {
      if (this.held.length >= MAX_HELD_DATAGRAMS) this.drop("not_ready");
      else this.held.push({ msg, from });
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
