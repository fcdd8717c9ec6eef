// One track inside the werift engine: its media description, its single source and its
// sinks (subscriptions, relay-outs), and the data path between them. Every packet is
// rewritten once on ingest to the track's canonical form — TrackMedia SSRC and payload
// type, no header extensions (their ids are per-connection) — then fanned out.
import { RtpHeader, RtpPacket } from "werift";
import type { TrackId } from "../../../core/region.js";
import type { TrackSourceKind } from "../engine.js";
import type { TrackMedia } from "../track-media.js";

export interface PacketSink {
  readonly id: string;
  /** `wire()` is the serialized canonical packet, built at most once per packet. */
  deliver(packet: RtpPacket, size: number, wire: () => Buffer): void;
}

export interface HubSource {
  kind: TrackSourceKind;
  relayId: string | null;
}

export class TrackHub {
  readonly trackId: TrackId;
  media: TrackMedia | null;
  source: HubSource | null = null;
  packetsReceived = 0;
  bytesReceived = 0;
  firstPacketAtMs: number | null = null;
  lastPacketAtMs: number | null = null;
  readonly sinks = new Map<string, PacketSink>();
  private readonly now: () => number;
  private readonly onFirstPacket: (hub: TrackHub, atMs: number) => void;

  constructor(trackId: TrackId, media: TrackMedia | null, now: () => number, onFirstPacket: (hub: TrackHub, atMs: number) => void) {
    this.trackId = trackId;
    this.media = media;
    this.now = now;
    this.onFirstPacket = onFirstPacket;
  }

  /** Takes one packet from the source; packets of other payload types (RTX, FEC) are ignored. */
  ingest(packet: RtpPacket): void {
    const media = this.media;
    if (media === null || packet.header.payloadType !== media.codec.payloadType) return;
    const h = packet.header;
    const canonical = new RtpPacket(
      new RtpHeader({
        payloadType: media.codec.payloadType,
        ssrc: media.ssrc,
        sequenceNumber: h.sequenceNumber,
        timestamp: h.timestamp,
        marker: h.marker,
        csrc: h.csrc,
        csrcLength: h.csrc.length,
      }),
      packet.payload,
    );
    const size = 12 + 4 * h.csrc.length + packet.payload.length;
    const at = this.now();
    this.packetsReceived++;
    this.bytesReceived += size;
    this.lastPacketAtMs = at;
    if (this.firstPacketAtMs === null) {
      this.firstPacketAtMs = at;
      this.onFirstPacket(this, at);
    }
    let wire: Buffer | undefined;
    const getWire = (): Buffer => (wire ??= canonical.serialize());
    for (const sink of this.sinks.values()) {
      try {
        sink.deliver(canonical, size, getWire);
      } catch {
        // A sink that fails (a peer closing under us) must not starve the others; the
        // sink's own close path reports it.
      }
    }
  }

  /** A new source starts a new flow: the next packet fires firstPacket again. */
  attachSource(source: HubSource): void {
    this.source = source;
    this.firstPacketAtMs = null;
  }
}
