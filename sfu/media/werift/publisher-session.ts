// A WHIP publisher inside the werift engine: one RTCPeerConnection that answers the
// client's offer recvonly and hands every received RTP packet to the track's hub.
import { randomInt } from "node:crypto";
import { RTCPeerConnection, type MediaStreamTrack, type RtpPacket } from "werift";
import type { Logger } from "../../../core/logger.js";
import { MediaError } from "../errors.js";
import type { PortRange } from "../engine.js";
import type { CheckedOffer } from "../sdp-offer.js";
import type { TrackMedia } from "../track-media.js";
import { completeLocalSdp, fromWeriftCodec, peerConfig, type IceHost, publishCodecs } from "./peer-config.js";

export interface PublisherHooks {
  onPacket(packet: RtpPacket): void;
  /** ICE/DTLS failed or the client closed; not called for close(). */
  onGone(): void;
}

export interface PublisherOpenOptions {
  offerSdp: string;
  offer: CheckedOffer;
  /** Where ICE binds and what its candidate announces. */
  host: IceHost;
  icePortRange: PortRange | undefined;
  logger: Logger;
  hooks: PublisherHooks;
}

export class PublisherSession {
  private readonly pc: RTCPeerConnection;
  private readonly hooks: PublisherHooks;
  private closed = false;

  private constructor(pc: RTCPeerConnection, hooks: PublisherHooks) {
    this.pc = pc;
    this.hooks = hooks;
  }

  static async open(opts: PublisherOpenOptions): Promise<{ session: PublisherSession; answerSdp: string; media: TrackMedia }> {
    const pc = new RTCPeerConnection(peerConfig(opts.host, publishCodecs(), opts.icePortRange));
    const session = new PublisherSession(pc, opts.hooks);
    try {
      const { answerSdp, media } = await session.negotiate(opts);
      return { session, answerSdp, media };
    } catch (err) {
      await session.close();
      if (err instanceof MediaError) throw err;
      throw new MediaError("invalid_sdp", `offer rejected: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  private async negotiate(opts: PublisherOpenOptions): Promise<{ answerSdp: string; media: TrackMedia }> {
    const { pc } = this;
    pc.onTrack.subscribe((track: MediaStreamTrack) => {
      track.onReceiveRtp.subscribe((packet) => {
        if (!this.closed) this.hooks.onPacket(packet);
      });
    });
    pc.connectionStateChange.subscribe((state) => {
      if (this.closed || (state !== "failed" && state !== "closed")) return;
      opts.logger.debug({ state }, "publisher | peer connection ended");
      this.closed = true;
      this.hooks.onGone();
      void pc.close();
    });
    await pc.setRemoteDescription({ type: "offer", sdp: opts.offerSdp });
    const transceivers = pc.getTransceivers();
    const used = transceivers.find((t) => t.mLineIndex === opts.offer.index) ?? transceivers.find((t) => t.kind === opts.offer.kind);
    if (used === undefined) throw new MediaError("invalid_sdp", "no transceiver for the offered m-section");
    // One track per publish: every other m-section is answered inactive.
    for (const t of transceivers) if (t !== used) t.setDirection("inactive");
    await pc.setLocalDescription(await pc.createAnswer());
    const codec = used.codecs[0];
    if (codec === undefined) throw new MediaError("unsupported_codec", "no codec in common with the offer");
    const answerSdp = await completeLocalSdp(pc);
    const media: TrackMedia = {
      kind: opts.offer.kind,
      codec: fromWeriftCodec(codec),
      // The client's SSRC when announced; otherwise one of ours (ingest rewrites anyway).
      ssrc: opts.offer.ssrc ?? randomInt(1, 0xffff_ffff),
    };
    return { answerSdp, media };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pc.close();
  }
}
