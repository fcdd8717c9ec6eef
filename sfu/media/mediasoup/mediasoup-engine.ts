// The MediaEngine on mediasoup workers: a Router per room, WebRtcTransport for WHIP/WHEP
// (ICE-lite, every candidate in the answer), and relay pipes worker to worker: PlainTransports
// bound in rtpPortRange that speak plain RTP like the werift engine's (relay-legs.ts), so
// relay media never passes through this process. It makes no control
// decisions; it reports worker deaths (workerDied/workerRestarted) and never lets a dead
// worker take the process down.
import { randomUUID } from "node:crypto";
import { systemClock, type Clock } from "../../../core/clock.js";
import { InvalidStateError } from "../../../core/errors.js";
import type { Logger } from "../../../core/logger.js";
import { splitTrackId, type TrackId } from "../../../core/region.js";
import type * as E from "../engine.js";
import { MediaError } from "../errors.js";
import { ANY_IP, emptyDropCounts, negotiatedPin, type PipeDropCounts, type RelaySourceResolver } from "../pipe-drop.js";
import { checkOffer } from "../sdp-offer.js";
import { checkMedia, notFound } from "./engine-helpers.js";
import type { ExtensionOverhead } from "./extension-overhead.js";
import { StatsLoop } from "./stats-loop.js";
import type { TrackMedia } from "../track-media.js";
import type { Listener, Unsubscribe, TypedEmitter } from "../../../core/events.js";
import { DEFAULT_PEER_TIMEOUT_MS, DEFAULT_STATS_INTERVAL_MS, type EngineParts, type MediasoupEngineOptions } from "./engine-options.js";
import { MsTrack, type MsRelayOut, type MsSubscription, type PublisherSource } from "./ms-track.js";
import { openRelayOut, pinRelayIn, plainTransportInRange, produceRelayIn } from "./relay-legs.js";
import { closeQuietly, openPublisher, openSubscriber, type WebRtcListen } from "./sessions.js";
import type { WorkerDeath, WorkerPool } from "./worker-pool.js";

export type { MediasoupEngineOptions } from "./engine-options.js";

export class MediasoupEngine implements E.MediaEngine {
  readonly name = "mediasoup";
  readonly selectionReason: string;
  /** Relay pipes are worker PlainTransports (relay-legs.ts). */
  readonly relayPlane = "worker";
  private readonly overhead: ExtensionOverhead;
  private readonly emitter: TypedEmitter<E.MediaEngineEvents>;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly listen: WebRtcListen;
  private readonly rtpPortRange: E.PortRange;
  private readonly pool: WorkerPool;
  private readonly tracks_ = new Map<TrackId, MsTrack>();
  /** Every sink and relay-in by id, with its track (kept while the track is being ended). */
  private readonly subs = new Map<string, { track: MsTrack; sub: MsSubscription }>();
  private readonly outs = new Map<string, { track: MsTrack; out: MsRelayOut }>();
  private readonly relayIns = new Map<string, MsTrack>();
  private readonly reserved = new Set<TrackId>();
  private readonly dropTotals: PipeDropCounts = emptyDropCounts();
  private relaySources: RelaySourceResolver | null = null;
  private closing: Promise<void> | null = null;
  private readonly statsLoop: StatsLoop;

  /** Use createMediasoupEngine(): it starts the workers and measures the overhead. */
  constructor(options: MediasoupEngineOptions, parts: EngineParts) {
    const { pool, overhead, emitter, logger } = parts;
    this.selectionReason = options.selectionReason ?? "constructed directly";
    this.overhead = overhead;
    this.pool = pool;
    this.emitter = emitter;
    this.logger = logger;
    this.clock = options.clock ?? systemClock;
    const ip = options.bindAddress ?? "127.0.0.1";
    this.listen = options.announcedIp === undefined ? { ip } : { ip, announcedIp: options.announcedIp };
    this.rtpPortRange = { ...options.rtpPortRange };
    this.statsLoop = new StatsLoop({
      intervalMs: options.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS,
      peerTimeoutMs: options.peerTimeoutMs ?? DEFAULT_PEER_TIMEOUT_MS,
      overhead,
      clock: this.clock,
      tracks: () => [...this.tracks_.values()],
      isCurrent: (t) => this.tracks_.get(t.trackId) === t,
      onPublisherGone: (t) => void this.endTrack(t.trackId, "peer_gone"),
      onSubscriberGone: (id) => void this.endSubscription(id, "peer_gone"),
    });
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  /** Worker process ids (CPU accounting, tests). */
  workerPids(): number[] {
    return this.pool.pids();
  }

  on<K extends keyof E.MediaEngineEvents>(event: K, listener: Listener<E.MediaEngineEvents[K]>): Unsubscribe {
    return this.emitter.on(event, listener);
  }

  off<K extends keyof E.MediaEngineEvents>(event: K, listener: Listener<E.MediaEngineEvents[K]>): void {
    this.emitter.off(event, listener);
  }

  async publish(trackId: TrackId, offerSdp: string): Promise<E.PublishResult> {
    this.assertOpen("publish");
    const checked = checkOffer(offerSdp, "publish");
    this.reserve(trackId);
    try {
      const lease = await this.pool.acquireRouter(splitTrackId(trackId).room);
      let session;
      try {
        session = await openPublisher(lease.router, this.listen, offerSdp, checked);
      } catch (err) {
        lease.release();
        throw err;
      }
      const source: PublisherSource = { kind: "publisher", transport: session.transport, producer: session.producer, liveness: this.freshLiveness() };
      const track = new MsTrack(trackId, lease, source, session.media);
      if (this.closed) {
        closeQuietly(session.producer, session.transport);
        lease.release();
        throw new InvalidStateError("publish(): engine closed");
      }
      this.tracks_.set(trackId, track);
      session.transport.on("dtlsstatechange", (state) => {
        if ((state === "failed" || state === "closed") && this.tracks_.get(trackId) === track) void this.endTrack(trackId, "peer_gone");
      });
      session.producer.on("trace", () => {
        this.firstPacket(track);
      });
      void session.producer.enableTraceEvent(["rtp"]).catch(() => undefined);
      this.logger.debug({ trackId, codec: session.media.codec.mimeType, pid: lease.pid }, "publish() | publisher answered");
      return { answerSdp: session.answerSdp, media: session.media };
    } finally {
      this.reserved.delete(trackId);
    }
  }

  async unpublish(trackId: TrackId): Promise<void> {
    this.assertOpen("unpublish");
    if (this.tracks_.get(trackId)?.source.kind !== "publisher") throw notFound(`no publisher for track ${trackId}`);
    await this.endTrack(trackId, "unpublished");
  }

  async subscribe(trackId: TrackId, offerSdp: string): Promise<E.SubscribeResult> {
    this.assertOpen("subscribe");
    const track = this.tracks_.get(trackId);
    const producer = track?.producer ?? null;
    if (track === undefined || track.media === null || producer === null) throw notFound(`track ${trackId} is not available here`);
    const checked = checkOffer(offerSdp, "subscribe", track.media.kind);
    const id = `sub-${randomUUID()}`;
    const session = await openSubscriber(track.lease.router, this.listen, producer.id, track.media.kind, offerSdp, checked, trackId.replace(/[^\w-]/g, "-"));
    if (this.closed || this.tracks_.get(trackId) !== track) {
      closeQuietly(session.consumer, session.transport);
      if (this.closed) throw new InvalidStateError("subscribe(): engine closed");
      throw notFound(`track ${trackId} ended while subscribing`);
    }
    const sub: MsSubscription = { id, trackId, transport: session.transport, consumer: session.consumer, connected: false, packetsSent: 0, bytesSent: 0, liveness: this.freshLiveness() };
    track.subscriptions.set(id, sub);
    this.subs.set(id, { track, sub });
    session.transport.on("dtlsstatechange", (state) => {
      if (state === "connected") sub.connected = true;
      if (state === "failed" || state === "closed") void this.endSubscription(id, "peer_gone");
    });
    return { answerSdp: session.answerSdp, subscriptionId: id };
  }

  async unsubscribe(subscriptionId: string): Promise<void> {
    this.assertOpen("unsubscribe");
    if (!this.subs.has(subscriptionId)) throw notFound(`no subscription ${subscriptionId}`);
    await this.endSubscription(subscriptionId, "unsubscribed");
  }

  async relayOut(trackId: TrackId, remote: E.UdpEndpoint): Promise<E.RelayOutHandle> {
    this.assertOpen("relayOut");
    const track = this.tracks_.get(trackId);
    const media = track?.media ?? null;
    const producer = track?.producer ?? null;
    if (track === undefined || media === null || producer === null) throw notFound(`track ${trackId} is not available here`);
    const relayId = `rout-${randomUUID()}`;
    const leg = await openRelayOut(track.lease.router, this.listen, this.rtpPortRange, producer.id, media, remote, this.overhead[media.kind]);
    if (this.closed || this.tracks_.get(trackId) !== track) {
      closeQuietly(leg.consumer, leg.transport);
      if (this.closed) throw new InvalidStateError("relayOut(): engine closed");
      throw notFound(`track ${trackId} ended while opening the relay`);
    }
    const out: MsRelayOut = { id: relayId, trackId, transport: leg.transport, consumer: leg.consumer, remote: { ...remote }, packetsSent: 0, bytesSent: 0 };
    track.relaysOut.set(relayId, out);
    this.outs.set(relayId, { track, out });
    const local = { ip: leg.transport.tuple.localIp, port: leg.transport.tuple.localPort };
    return { relayId, trackId, local, remote: { ...remote }, media: leg.media };
  }

  async relayIn(trackId: TrackId, media?: TrackMedia, upstream?: E.UdpEndpoint): Promise<E.RelayInHandle> {
    this.assertOpen("relayIn");
    const checked = media === undefined ? null : checkMedia(media);
    this.reserve(trackId);
    try {
      const relayId = `rin-${randomUUID()}`;
      const lease = await this.pool.acquireRouter(splitTrackId(trackId).room);
      let track: MsTrack;
      try {
        const transport = await plainTransportInRange(lease.router, this.listen, this.rtpPortRange, false);
        track = new MsTrack(trackId, lease, { kind: "relay", relayId, transport, producer: null, extensionBytes: 0 }, null);
        // An address only (a host-name peer's is "any ip"): that pin is applied with the media.
        if (upstream !== undefined && upstream.ip !== ANY_IP) await transport.connect({ ip: upstream.ip, port: upstream.port });
        if (checked !== null) await this.attachRelayLeg(track, checked, upstream);
      } catch (err) {
        lease.release();
        throw err;
      }
      if (this.closed) {
        await this.closeSource(track);
        throw new InvalidStateError("relayIn(): engine closed");
      }
      this.tracks_.set(trackId, track);
      this.relayIns.set(relayId, track);
      const port = track.relayPort ?? 0;
      return { relayId, trackId, ip: this.listen.ip, port };
    } finally {
      this.reserved.delete(trackId);
    }
  }

  async setRelayMedia(relayId: string, media: TrackMedia, upstream?: E.UdpEndpoint): Promise<void> {
    if (this.closed) throw new InvalidStateError("setRelayMedia(): engine closed");
    const track = this.relayIns.get(relayId);
    if (track === undefined) throw notFound(`no relay-in ${relayId}`);
    if (track.media !== null) throw new InvalidStateError(`setRelayMedia(): relay ${relayId} already has its media`);
    await this.attachRelayLeg(track, checkMedia(media), upstream);
  }

  setRelaySources(resolve: RelaySourceResolver | null): void {
    this.relaySources = resolve;
  }

  async closeRelay(relayId: string): Promise<void> {
    this.assertOpen("closeRelay");
    const incoming = this.relayIns.get(relayId);
    if (incoming !== undefined) {
      await this.endTrack(incoming.trackId, "relay_closed");
      return;
    }
    if (!this.outs.has(relayId)) throw notFound(`no relay ${relayId}`);
    await this.endRelayOut(relayId, "closed");
  }

  stats(trackId: TrackId): E.TrackStats {
    this.assertOpen("stats");
    const track = this.tracks_.get(trackId);
    if (track === undefined) throw notFound(`no track ${trackId}`);
    return track.stats();
  }

  tracks(): E.TrackStats[] {
    this.assertOpen("tracks");
    return [...this.tracks_.values()].map((t) => t.stats());
  }

  pipeDropTotals(): PipeDropCounts {
    return { ...this.dropTotals };
  }

  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    this.statsLoop.stop();
    const ids = [...this.tracks_.keys()];
    await Promise.all(ids.map((t) => this.endTrack(t, "engine_closed")));
    await this.pool.close();
    this.emitter.removeAllListeners();
    this.logger.debug({ tracks: ids.length }, "close() | engine closed");
  }

  /**
   * A relay-in's media is known: pins the sender (the explicit upstream, else the address
   * the resolver gives for the sender's announced port, else the first sender: comedia) and
   * creates the pipe Producer. Its first packet comes as a `trace` event.
   */
  private async attachRelayLeg(track: MsTrack, media: TrackMedia, upstream?: E.UdpEndpoint): Promise<void> {
    const source = track.source;
    if (source.kind !== "relay") return;
    track.media = media;
    try {
      if (source.transport.tuple.remotePort === undefined) {
        const pin = negotiatedPin(media, upstream, this.relaySources);
        source.transport = await pinRelayIn(track.lease.router, this.listen, source.transport, pin, (from) => {
          // A forger sent first: the pipe is useless; ending it makes the relay plane pull again.
          this.logger.warn({ trackId: track.trackId, relayId: source.relayId, from }, "relayIn | first sender is not the upstream; closing the pipe");
          void this.endTrack(track.trackId, "relay_closed");
        });
      }
      source.extensionBytes = media.headerExtensionBytes ?? 0;
      const producer = await produceRelayIn(source.transport, media, `relay-${source.relayId}`);
      source.producer = producer;
      producer.on("trace", () => {
        this.firstPacket(track);
      });
      void producer.enableTraceEvent(["rtp"]).catch(() => undefined);
    } catch (err) {
      track.media = null;
      throw err;
    }
  }

  /** Called by the worker pool (wired by createMediasoupEngine()): closes the dead worker's tracks. */
  handleWorkerDied(death: WorkerDeath): void {
    const rooms = new Set(death.rooms);
    const lost = [...this.tracks_.values()].filter((t) => rooms.has(splitTrackId(t.trackId).room) && t.lease.pid === death.pid);
    for (const t of lost) void this.endTrack(t.trackId, t.source.kind === "publisher" ? "peer_gone" : "relay_closed");
    this.emitter.safeEmit("workerDied", { pid: death.pid, error: death.error.message, trackIds: lost.map((t) => t.trackId) });
  }

  private firstPacket(track: MsTrack): void {
    if (track.firstPacketAtMs !== null || this.tracks_.get(track.trackId) !== track) return;
    const atMs = this.clock.now();
    track.firstPacketAtMs = atMs;
    track.lastPacketAtMs ??= atMs;
    // The trace event is a packet the worker took in; its counters arrive with the next stats
    // poll. Count it now, as werift does, so the first-packet state a node reports says the
    // copy has media (the analyzer dates a copy's last packet from its packet count).
    track.packetsReceived = Math.max(track.packetsReceived, 1);
    void track.source.producer?.enableTraceEvent([]).catch(() => undefined);
    this.emitter.safeEmit("firstPacket", { trackId: track.trackId, source: track.source.kind, relayId: track.relayId, atMs });
  }

  private async endTrack(trackId: TrackId, reason: E.SourceClosedReason): Promise<void> {
    const track = this.tracks_.get(trackId);
    if (track === undefined) return;
    this.tracks_.delete(trackId);
    const sinkReason = reason === "engine_closed" ? "engine_closed" : "source_gone";
    await Promise.all([
      ...[...track.subscriptions.keys()].map((id) => this.endSubscription(id, sinkReason)),
      ...[...track.relaysOut.keys()].map((id) => this.endRelayOut(id, sinkReason)),
    ]);
    await this.closeSource(track);
    const relayId = track.relayId;
    if (relayId !== null) {
      this.relayIns.delete(relayId);
      this.emitter.safeEmit("relayClosed", { relayId, trackId, direction: "in", reason: reason === "engine_closed" ? "engine_closed" : "closed" });
    }
    this.emitter.safeEmit("sourceClosed", { trackId, source: track.source.kind, relayId, reason });
  }

  private closeSource(track: MsTrack): Promise<void> {
    const source = track.source;
    closeQuietly(source.producer, source.transport);
    track.lease.release();
    return Promise.resolve();
  }

  private endSubscription(subscriptionId: string, reason: E.SubscriptionClosedReason): Promise<void> {
    const entry = this.subs.get(subscriptionId);
    if (entry === undefined) return Promise.resolve();
    this.subs.delete(subscriptionId);
    entry.track.subscriptions.delete(subscriptionId);
    closeQuietly(entry.sub.consumer, entry.sub.transport);
    this.emitter.safeEmit("subscriptionClosed", { subscriptionId, trackId: entry.track.trackId, reason });
    return Promise.resolve();
  }

  private endRelayOut(relayId: string, reason: E.RelayClosedReason): Promise<void> {
    const entry = this.outs.get(relayId);
    if (entry === undefined) return Promise.resolve();
    this.outs.delete(relayId);
    entry.track.relaysOut.delete(relayId);
    closeQuietly(entry.out.consumer, entry.out.transport);
    this.emitter.safeEmit("relayClosed", { relayId, trackId: entry.track.trackId, direction: "out", reason });
    return Promise.resolve();
  }

  private freshLiveness(): { bytesReceived: number; lastActivityAtMs: number } {
    return { bytesReceived: 0, lastActivityAtMs: this.clock.now() };
  }

  private reserve(trackId: TrackId): void {
    if (this.tracks_.has(trackId) || this.reserved.has(trackId)) throw new MediaError("track_exists", `track ${trackId} already has a source here`);
    this.reserved.add(trackId);
  }

  private assertOpen(method: string): void {
    if (this.closed) throw new InvalidStateError(`${method}(): engine closed`);
  }
}

