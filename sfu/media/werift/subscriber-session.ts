// A WHEP subscriber inside the werift engine: answers the client's recvonly offer
// sendonly with exactly the track's codec, and sends the hub's packets once ICE + DTLS
// are up. werift's sender rewrites SSRC and payload type to what was negotiated.
import { MediaStreamTrack, RTCPeerConnection, type RtpPacket } from "werift";
import type { Logger } from "../../../core/logger.js";
import { MediaError } from "../errors.js";
import type { PortRange, SubscriptionStats } from "../engine.js";
import type { CheckedOffer } from "../sdp-offer.js";
import { sameCodec, type TrackMedia } from "../track-media.js";
import { completeLocalSdp, fromWeriftCodec, peerConfig, type IceHost, subscribeCodecs } from "./peer-config.js";
import type { PacketSink } from "./track-hub.js";

export interface SubscriberOpenOptions {
  subscriptionId: string;
  offerSdp: string;
  offer: CheckedOffer;
  media: TrackMedia;
  /** Where ICE binds and what its candidate announces. */
  host: IceHost;
  icePortRange: PortRange | undefined;
  logger: Logger;
  /** ICE/DTLS failed or the client closed; not called for close(). */
  onGone: () => void;
}

export class SubscriberSession implements PacketSink {
  readonly id: string;
  private readonly pc: RTCPeerConnection;
  private readonly track: MediaStreamTrack;
  private connected = false;
  private closed = false;
  private packetsSent = 0;
  private bytesSent = 0;

  private constructor(id: string, pc: RTCPeerConnection, track: MediaStreamTrack) {
    this.id = id;
    this.pc = pc;
    this.track = track;
  }

  static async open(opts: SubscriberOpenOptions): Promise<{ session: SubscriberSession; answerSdp: string }> {
    const { media } = opts;
    const pc = new RTCPeerConnection(peerConfig(opts.host, subscribeCodecs(media.kind, media.codec), opts.icePortRange));
    const session = new SubscriberSession(opts.subscriptionId, pc, new MediaStreamTrack({ kind: media.kind }));
    try {
      const answerSdp = await session.negotiate(opts);
      return { session, answerSdp };
    } catch (err) {
      await session.close();
      if (err instanceof MediaError) throw err;
      throw new MediaError("invalid_sdp", `offer rejected: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  private async negotiate(opts: SubscriberOpenOptions): Promise<string> {
    const { pc } = this;
    pc.connectionStateChange.subscribe((state) => {
      if (state === "connected") this.connected = true;
      if (this.closed || (state !== "failed" && state !== "closed")) return;
      opts.logger.debug({ subscriptionId: this.id, state }, "subscriber | peer connection ended");
      this.closed = true;
      this.connected = false;
      opts.onGone();
      void pc.close();
    });
    // Added before the offer is applied so it is matched to the offer's m-section of its kind.
    const sending = pc.addTransceiver(this.track, { direction: "sendonly" });
    await pc.setRemoteDescription({ type: "offer", sdp: opts.offerSdp });
    for (const t of pc.getTransceivers()) if (t !== sending) t.setDirection("inactive");
    await pc.setLocalDescription(await pc.createAnswer());
    const codec = sending.codecs[0];
    if (sending.mid === null || codec === undefined || !sameCodec(fromWeriftCodec(codec), opts.media.codec)) {
      throw new MediaError("unsupported_codec", `the offer does not accept ${opts.media.codec.mimeType}/${opts.media.codec.clockRate}`);
    }
    return completeLocalSdp(pc);
  }

  deliver(packet: RtpPacket, size: number): void {
    if (!this.connected || this.closed) return;
    this.track.writeRtp(packet);
    this.packetsSent++;
    this.bytesSent += size;
  }

  stats(): SubscriptionStats {
    return { subscriptionId: this.id, connected: this.connected, packetsSent: this.packetsSent, bytesSent: this.bytesSent };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.connected = false;
    this.track.stop();
    await this.pc.close();
  }
}
