// The embedded MediaEngine on werift (pure TypeScript WebRTC). Owns every peer
// connection and pipe socket of one region node and wires them through TrackHubs. It
// makes no control decisions: which relays exist and when they end is the caller's.
import { randomUUID } from "node:crypto";
import type { RtpPacket } from "werift";
import { systemClock, type Clock } from "../../../core/clock.js";
import { InvalidStateError, RelaywatchError } from "../../../core/errors.js";
import { silentLogger, type Logger } from "../../../core/logger.js";
import { useKeyObjectsForSrtp } from "../../../core/werift-srtp-keys.js";
import type { TrackId } from "../../../core/region.js";
import type {
  MediaEngine,
  MediaEngineEvents,
  PortRange,
  PublishResult,
  RelayClosedReason,
  RelayInHandle,
  RelayOutHandle,
  SourceClosedReason,
  SubscribeResult,
  SubscriptionClosedReason,
  TrackStats,
  UdpEndpoint,
} from "../engine.js";
import { MediaError } from "../errors.js";
import { emptyDropCounts, negotiatedPin, type PipeDropCounts, type RelaySourceResolver } from "../pipe-drop.js";
import { checkOffer } from "../sdp-offer.js";
import { isForwardedCodec, pipeMedia, trackMediaSchema, type TrackMedia } from "../track-media.js";
import { TypedEmitter, type Listener, type Unsubscribe } from "../../../core/events.js";
import { bindUdpInRange } from "../udp-port.js";
import type { IceHost } from "./peer-config.js";
import { PublisherSession } from "./publisher-session.js";
import { RelayIn } from "./relay-in.js";
import { RelayOut } from "./relay-out.js";
import { SubscriberSession } from "./subscriber-session.js";
import { TrackHub, type HubSource } from "./track-hub.js";

export interface WeriftEngineOptions {
  /** Relay pipes (relay-in and relay-out sockets) bind only inside this range. */
  rtpPortRange: PortRange;
  /** ICE sockets of WHIP/WHEP peers; ephemeral ports when absent. */
  webrtcPortRange?: PortRange;
  /** The one address every socket binds to (ICE and relay pipes). */
  bindAddress?: string;
  /** What ICE candidates name (public address behind NAT, or the host's address when binding 0.0.0.0); bindAddress when absent. */
  announcedAddress?: string;
  /** Why this engine was chosen (createEngine()); reported in /v1/state. */
  selectionReason?: string;
  logger?: Logger;
  clock?: Clock;
}

/** DESIGN: bind only loopback unless told otherwise. */
export const DEFAULT_BIND_ADDRESS = "127.0.0.1";

// Every WebRTC session of this engine encrypts SRTP with KeyObjects (a quarter of werift's
// per-packet CPU on Node 24; core/werift-srtp-keys.ts).
useKeyObjectsForSrtp();

export class WeriftEngine implements MediaEngine {
  readonly name = "werift";
  readonly selectionReason: string;
  /** Every relay datagram passes through this process (relay-in.ts, relay-out.ts). */
  readonly relayPlane = "node";
  private readonly emitter: TypedEmitter<MediaEngineEvents>;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly bindAddress: string;
  private readonly iceHost: IceHost;
  private readonly rtpPortRange: PortRange;
  private readonly webrtcPortRange: PortRange | undefined;
  private readonly hubs = new Map<TrackId, TrackHub>();
  private readonly publishers = new Map<TrackId, PublisherSession>();
  private readonly relaysIn = new Map<string, { trackId: TrackId; relay: RelayIn }>();
  private relaySources: RelaySourceResolver | null = null;
  private readonly relaysOut = new Map<string, { trackId: TrackId; relay: RelayOut }>();
  private readonly subscriptions = new Map<string, { trackId: TrackId; session: SubscriberSession }>();
  /** Tracks whose source is being set up (publish/relayIn awaiting I/O). */
  private readonly reserved = new Set<TrackId>();
  private readonly dropTotals: PipeDropCounts = emptyDropCounts();
  private closing: Promise<void> | null = null;

  constructor(options: WeriftEngineOptions) {
    this.selectionReason = options.selectionReason ?? "constructed directly";
    const { min, max } = options.rtpPortRange;
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1024 || max > 65535 || min > max) {
      throw new RelaywatchError("invalid_config", `rtpPortRange: got ${min}-${max}, expected 1024 <= min <= max <= 65535`);
    }
    this.logger = (options.logger ?? silentLogger).child({ component: "werift-engine" });
    this.emitter = new TypedEmitter(this.logger);
    this.clock = options.clock ?? systemClock;
    this.bindAddress = options.bindAddress ?? DEFAULT_BIND_ADDRESS;
    this.iceHost = { bind: this.bindAddress, announce: options.announcedAddress };
    this.rtpPortRange = { min, max };
    this.webrtcPortRange = options.webrtcPortRange;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  on<K extends keyof MediaEngineEvents>(event: K, listener: Listener<MediaEngineEvents[K]>): Unsubscribe {
    return this.emitter.on(event, listener);
  }

  off<K extends keyof MediaEngineEvents>(event: K, listener: Listener<MediaEngineEvents[K]>): void {
    this.emitter.off(event, listener);
  }

  async publish(trackId: TrackId, offerSdp: string): Promise<PublishResult> {
    this.assertOpen("publish");
    const offer = checkOffer(offerSdp, "publish");
    this.reserve(trackId);
    try {
      const { session, answerSdp, media } = await PublisherSession.open({
        offerSdp,
        offer,
        host: this.iceHost,
        icePortRange: this.webrtcPortRange,
        logger: this.logger.child({ trackId }),
        hooks: {
          onPacket: (packet: RtpPacket) => {
            this.hubs.get(trackId)?.ingest(packet);
          },
          onGone: () => {
            if (this.publishers.get(trackId) === session) void this.endTrack(trackId, "peer_gone");
          },
        },
      });
      if (this.closed) {
        await session.close();
        throw new InvalidStateError("publish(): engine closed");
      }
      this.publishers.set(trackId, session);
      this.createHub(trackId, media, { kind: "publisher", relayId: null });
      this.logger.debug({ trackId, codec: media.codec.mimeType }, "publish() | publisher answered");
      return { answerSdp, media };
    } finally {
      this.reserved.delete(trackId);
    }
  }

  async unpublish(trackId: TrackId): Promise<void> {
    this.assertOpen("unpublish");
    if (!this.publishers.has(trackId)) throw notFound(`no publisher for track ${trackId}`);
    await this.endTrack(trackId, "unpublished");
  }

  async subscribe(trackId: TrackId, offerSdp: string): Promise<SubscribeResult> {
    this.assertOpen("subscribe");
    const hub = this.hubs.get(trackId);
    const media = hub?.media ?? null;
    if (hub === undefined || media === null) throw notFound(`track ${trackId} is not available here`);
    const offer = checkOffer(offerSdp, "subscribe", media.kind);
    const subscriptionId = `sub-${randomUUID()}`;
    const { session, answerSdp } = await SubscriberSession.open({
      subscriptionId,
      offerSdp,
      offer,
      media,
      host: this.iceHost,
      icePortRange: this.webrtcPortRange,
      logger: this.logger.child({ trackId }),
      onGone: () => {
        void this.endSubscription(subscriptionId, "peer_gone");
      },
    });
    if (this.closed || this.hubs.get(trackId) !== hub) {
      await session.close();
      if (this.closed) throw new InvalidStateError("subscribe(): engine closed");
      throw notFound(`track ${trackId} ended while subscribing`);
    }
    this.subscriptions.set(subscriptionId, { trackId, session });
    hub.sinks.set(subscriptionId, session);
    return { answerSdp, subscriptionId };
  }

  async unsubscribe(subscriptionId: string): Promise<void> {
    this.assertOpen("unsubscribe");
    if (!this.subscriptions.has(subscriptionId)) throw notFound(`no subscription ${subscriptionId}`);
    await this.endSubscription(subscriptionId, "unsubscribed");
  }

  async relayOut(trackId: TrackId, remote: UdpEndpoint): Promise<RelayOutHandle> {
    this.assertOpen("relayOut");
    const hub = this.hubs.get(trackId);
    const media = hub?.media ?? null;
    if (hub === undefined || media === null) throw notFound(`track ${trackId} is not available here`);
    const socket = await bindUdpInRange(this.bindAddress, this.rtpPortRange);
    const relayId = `rout-${randomUUID()}`;
    const relay = new RelayOut(relayId, socket, remote, this.logger.child({ trackId }));
    if (this.closed || this.hubs.get(trackId) !== hub) {
      await relay.close();
      if (this.closed) throw new InvalidStateError("relayOut(): engine closed");
      throw notFound(`track ${trackId} ended while opening the relay`);
    }
    this.relaysOut.set(relayId, { trackId, relay });
    hub.sinks.set(relayId, relay);
    return { relayId, trackId, local: relay.local, remote: relay.remote, media: pipeMedia(media, relay.local.port) };
  }

  async relayIn(trackId: TrackId, media?: TrackMedia, upstream?: UdpEndpoint): Promise<RelayInHandle> {
    this.assertOpen("relayIn");
    const checked = media === undefined ? null : checkMedia(media);
    this.reserve(trackId);
    try {
      const socket = await bindUdpInRange(this.bindAddress, this.rtpPortRange);
      const relayId = `rin-${randomUUID()}`;
      const relay = new RelayIn(
        relayId,
        socket,
        checked,
        {
          onPacket: (packet) => {
            this.hubs.get(trackId)?.ingest(packet);
          },
          onDrop: (reason) => {
            this.dropTotals[reason]++;
            this.emitter.safeEmit("pipeDrop", { trackId, relayId, reason });
          },
        },
        this.logger.child({ trackId }),
        negotiatedPin(checked, upstream, this.relaySources),
      );
      if (this.closed) {
        await relay.close();
        throw new InvalidStateError("relayIn(): engine closed");
      }
      this.relaysIn.set(relayId, { trackId, relay });
      this.createHub(trackId, checked, { kind: "relay", relayId });
      return { relayId, trackId, ip: relay.ip, port: relay.port };
    } finally {
      this.reserved.delete(trackId);
    }
  }

  setRelayMedia(relayId: string, media: TrackMedia, upstream?: UdpEndpoint): Promise<void> {
    if (this.closed) return Promise.reject(new InvalidStateError("setRelayMedia(): engine closed"));
    const entry = this.relaysIn.get(relayId);
    if (entry === undefined) return Promise.reject(notFound(`no relay-in ${relayId}`));
    const hub = this.hubs.get(entry.trackId);
    if (entry.relay.hasMedia || hub === undefined) {
      return Promise.reject(new InvalidStateError(`setRelayMedia(): relay ${relayId} already has its media`));
    }
    let checked: TrackMedia;
    try {
      checked = checkMedia(media);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    hub.media = checked;
    entry.relay.setMedia(checked, negotiatedPin(checked, upstream, this.relaySources));
    return Promise.resolve();
  }

  setRelaySources(resolve: RelaySourceResolver | null): void {
    this.relaySources = resolve;
  }

  async closeRelay(relayId: string): Promise<void> {
    this.assertOpen("closeRelay");
    const incoming = this.relaysIn.get(relayId);
    if (incoming !== undefined) {
      await this.endTrack(incoming.trackId, "relay_closed");
      return;
    }
    if (!this.relaysOut.has(relayId)) throw notFound(`no relay ${relayId}`);
    await this.endRelayOut(relayId, "closed");
  }

  stats(trackId: TrackId): TrackStats {
    this.assertOpen("stats");
    const hub = this.hubs.get(trackId);
    if (hub === undefined) throw notFound(`no track ${trackId}`);
    return this.trackStats(hub);
  }

  tracks(): TrackStats[] {
    this.assertOpen("tracks");
    return [...this.hubs.values()].map((hub) => this.trackStats(hub));
  }

  pipeDropTotals(): PipeDropCounts {
    return { ...this.dropTotals };
  }

  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    const tracks = [...new Set([...this.hubs.keys(), ...this.publishers.keys()])];
    await Promise.all(tracks.map((t) => this.endTrack(t, "engine_closed")));
    this.emitter.removeAllListeners();
    this.logger.debug({ tracks: tracks.length }, "close() | engine closed");
  }

  private trackStats(hub: TrackHub): TrackStats {
    const subscriptions = [];
    const relaysOut = [];
    for (const id of hub.sinks.keys()) {
      const sub = this.subscriptions.get(id);
      if (sub !== undefined) subscriptions.push(sub.session.stats());
      const out = this.relaysOut.get(id);
      if (out !== undefined) relaysOut.push(out.relay.stats());
    }
    const relayInId = hub.source?.kind === "relay" ? hub.source.relayId : null;
    const relayIn = relayInId === null ? undefined : this.relaysIn.get(relayInId);
    return {
      trackId: hub.trackId,
      media: hub.media,
      source: hub.source === null ? null : { ...hub.source },
      packetsReceived: hub.packetsReceived,
      bytesReceived: hub.bytesReceived,
      firstPacketAtMs: hub.firstPacketAtMs,
      lastPacketAtMs: hub.lastPacketAtMs,
      packetsForwarded: subscriptions.reduce((n, s) => n + s.packetsSent, 0),
      bytesForwarded: subscriptions.reduce((n, s) => n + s.bytesSent, 0),
      subscriptions,
      relaysOut,
      relayIn: relayIn === undefined ? null : relayIn.relay.stats(),
    };
  }

  private createHub(trackId: TrackId, media: TrackMedia | null, source: HubSource): void {
    const hub = new TrackHub(trackId, media, () => this.clock.now(), (h, atMs) => {
      const src = h.source;
      if (src === null) return;
      this.emitter.safeEmit("firstPacket", { trackId, source: src.kind, relayId: src.relayId, atMs });
    });
    hub.attachSource(source);
    this.hubs.set(trackId, hub);
  }

  /** Ends a track's source and, with it, every subscription and relay-out of the track. */
  private async endTrack(trackId: TrackId, reason: SourceClosedReason): Promise<void> {
    const hub = this.hubs.get(trackId);
    this.hubs.delete(trackId);
    const publisher = this.publishers.get(trackId);
    this.publishers.delete(trackId);
    const closing: Promise<void>[] = [];
    if (publisher !== undefined) closing.push(publisher.close());
    const source = hub?.source ?? null;
    if (source?.relayId != null) {
      const entry = this.relaysIn.get(source.relayId);
      this.relaysIn.delete(source.relayId);
      if (entry !== undefined) closing.push(entry.relay.close());
    }
    const sinkReason = reason === "engine_closed" ? "engine_closed" : "source_gone";
    for (const id of hub?.sinks.keys() ?? []) {
      closing.push(this.subscriptions.has(id) ? this.endSubscription(id, sinkReason) : this.endRelayOut(id, sinkReason));
    }
    await Promise.all(closing);
    if (source === null) return;
    if (source.relayId !== null) {
      this.emitter.safeEmit("relayClosed", { relayId: source.relayId, trackId, direction: "in", reason: reason === "engine_closed" ? "engine_closed" : "closed" });
    }
    this.emitter.safeEmit("sourceClosed", { trackId, source: source.kind, relayId: source.relayId, reason });
  }

  private async endSubscription(subscriptionId: string, reason: SubscriptionClosedReason): Promise<void> {
    const entry = this.subscriptions.get(subscriptionId);
    if (entry === undefined) return;
    this.subscriptions.delete(subscriptionId);
    this.hubs.get(entry.trackId)?.sinks.delete(subscriptionId);
    await entry.session.close();
    this.emitter.safeEmit("subscriptionClosed", { subscriptionId, trackId: entry.trackId, reason });
  }

  private async endRelayOut(relayId: string, reason: RelayClosedReason): Promise<void> {
    const entry = this.relaysOut.get(relayId);
    if (entry === undefined) return;
    this.relaysOut.delete(relayId);
    this.hubs.get(entry.trackId)?.sinks.delete(relayId);
    await entry.relay.close();
    this.emitter.safeEmit("relayClosed", { relayId, trackId: entry.trackId, direction: "out", reason });
  }

  private reserve(trackId: TrackId): void {
    if (this.hubs.has(trackId) || this.reserved.has(trackId)) {
      throw new MediaError("track_exists", `track ${trackId} already has a source here`);
    }
    this.reserved.add(trackId);
  }

  private assertOpen(method: string): void {
    if (this.closed) throw new InvalidStateError(`${method}(): engine closed`);
  }
}

function notFound(message: string): RelaywatchError {
  return new RelaywatchError("not_found", message);
}

/** TrackMedia from another region: re-validated, and only codecs this engine forwards. */
function checkMedia(media: TrackMedia): TrackMedia {
  const parsed = trackMediaSchema.safeParse(media);
  if (!parsed.success) throw new RelaywatchError("invalid_payload", `media: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  if (!isForwardedCodec(parsed.data.codec)) throw new MediaError("unsupported_codec", `media: ${parsed.data.codec.mimeType} is not forwarded`);
  return parsed.data;
}
