// One track inside the mediasoup engine: its Router lease, its single source (a WHIP
// publisher's WebRtcTransport + Producer, or a relay-in PlainTransport + pipe Producer),
// its sinks (WHEP subscriptions, relay-out PlainTransport Consumers) and its counters.
// Every packet counter is kept by the worker (no packet passes through Node): snapshots
// refreshed by pollTrack(), since mediasoup's getStats() is asynchronous and TrackStats is
// read synchronously. The first packet comes from the Producer's `trace` event.
import type { TrackId } from "../../../core/region.js";
import type { SubscriptionStats, TrackStats, UdpEndpoint } from "../engine.js";
import { emptyDropCounts } from "../pipe-drop.js";
import type { TrackMedia } from "../track-media.js";
import type { ExtensionOverhead } from "./extension-overhead.js";
import type { MsConsumer, MsPlainTransport, MsProducer, MsStats, MsWebRtcTransport } from "./mediasoup-api.js";
import type { RouterLease } from "./worker-pool.js";

/** Liveness of a client's WebRtcTransport: when bytes (media, RTCP, STUN consent) last grew. */
export interface Liveness {
  bytesReceived: number;
  lastActivityAtMs: number;
}

export interface PublisherSource {
  kind: "publisher";
  transport: MsWebRtcTransport;
  producer: MsProducer;
  liveness: Liveness;
}

export interface RelaySource {
  kind: "relay";
  relayId: string;
  /** Bound in rtpPortRange from relayIn() on; connected to the upstream once it is known. */
  transport: MsPlainTransport;
  /** Null until the TrackMedia is known (relayIn() without media). */
  producer: MsProducer | null;
  /** The sender's per-packet header-extension bytes (its media's headerExtensionBytes). */
  extensionBytes: number;
}

export interface MsSubscription {
  id: string;
  trackId: TrackId;
  transport: MsWebRtcTransport;
  consumer: MsConsumer;
  connected: boolean;
  packetsSent: number;
  bytesSent: number;
  liveness: Liveness;
}

export interface MsRelayOut {
  id: string;
  trackId: TrackId;
  transport: MsPlainTransport;
  consumer: MsConsumer;
  remote: UdpEndpoint;
  packetsSent: number;
  bytesSent: number;
}

export class MsTrack {
  readonly trackId: TrackId;
  readonly lease: RouterLease;
  readonly source: PublisherSource | RelaySource;
  media: TrackMedia | null;
  readonly subscriptions = new Map<string, MsSubscription>();
  readonly relaysOut = new Map<string, MsRelayOut>();
  packetsReceived = 0;
  bytesReceived = 0;
  firstPacketAtMs: number | null = null;
  lastPacketAtMs: number | null = null;

  constructor(trackId: TrackId, lease: RouterLease, source: PublisherSource | RelaySource, media: TrackMedia | null) {
    this.trackId = trackId;
    this.lease = lease;
    this.source = source;
    this.media = media;
  }

  get producer(): MsProducer | null {
    return this.source.producer;
  }

  /** The relay-in's port (inside rtpPortRange), null for a publisher. */
  get relayPort(): number | null {
    return this.source.kind === "relay" ? this.source.transport.tuple.localPort : null;
  }

  get relayId(): string | null {
    return this.source.kind === "relay" ? this.source.relayId : null;
  }

  stats(): TrackStats {
    const subscriptions: SubscriptionStats[] = [...this.subscriptions.values()].map((s) => ({
      subscriptionId: s.id,
      connected: s.connected,
      packetsSent: s.packetsSent,
      bytesSent: s.bytesSent,
    }));
    return {
      trackId: this.trackId,
      media: this.media,
      source: { kind: this.source.kind, relayId: this.relayId },
      packetsReceived: this.packetsReceived,
      bytesReceived: this.bytesReceived,
      firstPacketAtMs: this.firstPacketAtMs,
      lastPacketAtMs: this.lastPacketAtMs,
      packetsForwarded: subscriptions.reduce((n, s) => n + s.packetsSent, 0),
      bytesForwarded: subscriptions.reduce((n, s) => n + s.bytesSent, 0),
      subscriptions,
      relaysOut: [...this.relaysOut.values()].map((r) => ({ relayId: r.id, remote: { ...r.remote }, packetsSent: r.packetsSent, bytesSent: r.bytesSent })),
      // The worker refuses what is not the upstream's RTP without counting it (relayPlane "worker").
      relayIn: this.source.kind === "relay" ? { relayId: this.source.relayId, port: this.source.transport.tuple.localPort, packetsDropped: emptyDropCounts() } : null,
    };
  }
}

function sumRtp(stats: MsStats[], type: "inbound-rtp" | "outbound-rtp"): { packets: number; bytes: number } {
  let packets = 0;
  let bytes = 0;
  for (const s of stats) {
    if (s.type !== type) continue;
    packets += s.packetCount ?? 0;
    bytes += s.byteCount ?? 0;
  }
  return { packets, bytes };
}

function transportBytes(stats: MsStats[]): number {
  return stats.find((s) => s.type === "webrtc-transport")?.bytesReceived ?? 0;
}

/** Liveness update from a transport's received-byte counter. */
function touch(liveness: Liveness, bytesReceived: number, now: number): void {
  if (bytesReceived !== liveness.bytesReceived) {
    liveness.bytesReceived = bytesReceived;
    liveness.lastActivityAtMs = now;
  }
}

/** Worker-kept RTP counters, with `perPacket` extension bytes taken off (canonical bytes). */
function rtpCounts(stats: MsStats[], type: "inbound-rtp" | "outbound-rtp", perPacket: number): { packets: number; bytes: number } {
  const { packets, bytes } = sumRtp(stats, type);
  return { packets, bytes: Math.max(0, bytes - packets * perPacket) };
}

/**
 * Refreshes the worker-kept counters of one track in one round of concurrent getStats()
 * requests, then applies them together so a snapshot is internally consistent. Objects
 * closed meanwhile answer with an error: that round is skipped for them.
 */
export async function pollTrack(track: MsTrack, now: () => number, overhead: ExtensionOverhead): Promise<void> {
  const ignore = (): MsStats[] => [];
  const source = track.source;
  const subs = [...track.subscriptions.values()];
  const outs = [...track.relaysOut.values()];
  const [producerStats, sourceTransportStats, outStats, ...perSub] = await Promise.all([
    source.producer === null ? Promise.resolve(null) : source.producer.getStats().catch(ignore),
    source.kind === "publisher" ? source.transport.getStats().catch(ignore) : Promise.resolve(null),
    Promise.all(outs.map((o) => o.consumer.getStats().catch(ignore))),
    ...subs.map((s) => Promise.all([s.consumer.getStats().catch(ignore), s.transport.getStats().catch(ignore)])),
  ]);
  const at = now();
  // Canonical bytes: without the extension block the worker writes into each packet it sends.
  const perPacket = track.media === null ? 0 : overhead[track.media.kind];
  if (producerStats !== null && producerStats.length > 0) {
    const { packets, bytes } = rtpCounts(producerStats, "inbound-rtp", source.kind === "relay" ? source.extensionBytes : 0);
    if (packets > track.packetsReceived) track.lastPacketAtMs = at;
    track.packetsReceived = Math.max(track.packetsReceived, packets);
    track.bytesReceived = Math.max(track.bytesReceived, bytes);
  }
  if (source.kind === "publisher" && sourceTransportStats !== null && sourceTransportStats.length > 0) {
    touch(source.liveness, transportBytes(sourceTransportStats), at);
  }
  outs.forEach((out, i) => {
    const stats = outStats[i];
    if (stats === undefined || stats.length === 0) return;
    const { packets, bytes } = rtpCounts(stats, "outbound-rtp", perPacket);
    out.packetsSent = Math.max(out.packetsSent, packets);
    out.bytesSent = Math.max(out.bytesSent, bytes);
  });
  subs.forEach((sub, i) => {
    const pair = perSub[i];
    if (pair === undefined) return;
    const [consumerStats, transportStats] = pair;
    if (consumerStats.length > 0) {
      const { packets, bytes } = rtpCounts(consumerStats, "outbound-rtp", perPacket);
      sub.packetsSent = Math.max(sub.packetsSent, packets);
      sub.bytesSent = Math.max(sub.bytesSent, bytes);
    }
    if (transportStats.length > 0) touch(sub.liveness, transportBytes(transportStats), at);
  });
}
