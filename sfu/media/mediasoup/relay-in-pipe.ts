// The Node front of a mediasoup relay-in: one public UDP port (inside rtpPortRange, which
// the lab's WAN emulator maps one-to-one) that judges every datagram like the werift
// engine does — drops counted by reason, RTP of other streams or from anyone but the
// pinned upstream (pipe-drop.ts) refused — holds what arrives
// before the track's media is known, and hands the track's RTP, on loopback, to the
// worker's PlainTransport where the pipe Producer lives. Why not let the worker listen
// directly: mediasoup drops bad datagrams silently (no per-reason counts for the
// relaywatch_sfu_pipe_dropped_packets_total metric) and cannot hold packets for a
// Producer that does not exist yet. It never forwards anything but the track's RTP. The
// worker's PlainTransport is connected (comedia off) to this pipe's loopback socket, so the
// worker itself accepts RTP from that one tuple only.
import type { RemoteInfo, Socket } from "node:dgram";
import type { Logger } from "../../../core/logger.js";
import type { RelayInStats, UdpEndpoint } from "../engine.js";
import { emptyDropCounts, judgePipeDatagram, type PipeDropCounts, type PipeDropReason, type SourcePin } from "../pipe-drop.js";
import type { TrackMedia } from "../track-media.js";
import { closeSocket } from "../udp-port.js";
import { canonicalRtpSize } from "./rtp-bytes.js";

/** Same bound as the werift engine's relay-in: ~1 s of 250 pps video, far above one RTT. */
export const MAX_HELD_DATAGRAMS = 256;

export interface RelayInPipeHooks {
  /** A datagram was accepted as the track's RTP and handed to the worker. */
  onPacket(size: number): void;
  onDrop(reason: PipeDropReason): void;
}

export class RelayInPipe {
  readonly id: string;
  readonly ip: string;
  readonly port: number;
  private readonly publicSocket: Socket;
  /** Loopback socket the worker's PlainTransport is connected to (its only remote). */
  private readonly internalSocket: Socket;
  private readonly hooks: RelayInPipeHooks;
  private readonly dropped: PipeDropCounts = emptyDropCounts();
  private media: TrackMedia | null = null;
  private workerPort: number | null = null;
  private held: { msg: Buffer; from: UdpEndpoint }[] = [];
  private pin: SourcePin;
  private closed = false;

  /** `pin`: who this pipe believes (pipe-drop.ts negotiatedPin()). */
  constructor(id: string, publicSocket: Socket, internalSocket: Socket, hooks: RelayInPipeHooks, logger: Logger, pin: SourcePin) {
    this.id = id;
    const addr = publicSocket.address();
    this.ip = addr.address;
    this.port = addr.port;
    this.publicSocket = publicSocket;
    this.internalSocket = internalSocket;
    this.hooks = hooks;
    this.pin = pin;
    publicSocket.on("message", (msg, rinfo: RemoteInfo) => {
      this.receive(msg, { ip: rinfo.address, port: rinfo.port });
    });
    // RTCP receiver reports from the worker: not relayed upstream (pipes carry RTP only).
    internalSocket.on("message", () => undefined);
    for (const s of [publicSocket, internalSocket]) {
      s.on("error", (err) => {
        logger.warn({ relayId: id, err }, "relayIn | socket error");
      });
    }
  }

  /** The loopback address the worker's PlainTransport must connect to. */
  get internalPort(): number {
    return this.internalSocket.address().port;
  }

  get hasMedia(): boolean {
    return this.media !== null;
  }

  /** Starts forwarding to the worker (its PlainTransport port) and replays what was held, in order. */
  attach(media: TrackMedia, workerPort: number, pin: SourcePin): void {
    this.media = media;
    this.workerPort = workerPort;
    // A sender named when the pipe opened stays the one believed.
    if (pin.kind === "fixed" || this.pin.kind !== "fixed") this.pin = pin;
    const held = this.held;
    this.held = [];
    for (const h of held) this.receive(h.msg, h.from);
  }

  private receive(msg: Buffer, from: UdpEndpoint): void {
    if (this.closed) return;
    const media = this.workerPort === null ? null : this.media;
    const judged = judgePipeDatagram(msg, from, this.pin, media === null ? undefined : { ssrc: media.ssrc, payloadType: media.codec.payloadType });
    this.pin = judged.pin;
    if (!judged.verdict.ok) {
      this.drop(judged.verdict.reason);
      return;
    }
    if (media === null || this.workerPort === null) {
      if (this.held.length >= MAX_HELD_DATAGRAMS) this.drop("not_ready");
      else this.held.push({ msg, from });
      return;
    }
    this.internalSocket.send(msg, this.workerPort, "127.0.0.1");
    this.hooks.onPacket(canonicalRtpSize(msg));
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
    await Promise.all([closeSocket(this.publicSocket), closeSocket(this.internalSocket)]);
  }
}
