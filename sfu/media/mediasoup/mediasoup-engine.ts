// The MediaEngine on mediasoup workers: a Router per room, WebRtcTransport for WHIP/WHEP
// (ICE-lite, every candidate in the answer), PlainTransport legs behind Node relay pipes
// that speak the same canonical plain RTP as the werift engine. It makes no control
// decisions; it reports worker deaths (workerDied/workerRestarted) and never lets a dead
// worker take the process down.
import { randomUUID } from "node:crypto";
import { systemClock, type Clock } from "../../../core/clock.js";
import { InvalidStateError } from "../../../core/errors.js";
import type { Logger } from "../../../core/logger.js";
import { splitTrackId, type TrackId } from "../../../core/region.js";
import type * as E from "../engine.js";
import { MediaError } from "../errors.js";
import { emptyDropCounts, negotiatedPin, type PipeDropCounts, type RelaySourceResolver } from "../pipe-drop.js";
import { checkOffer } from "../sdp-offer.js";
import { checkMedia, notFound, openPipeSockets } from "./engine-helpers.js";
import { StatsLoop } from "./stats-loop.js";
import type { TrackMedia } from "../track-media.js";
import type { Listener, Unsubscribe, TypedEmitter } from "../../../core/events.js";
import { DEFAULT_PEER_TIMEOUT_MS, DEFAULT_STATS_INTERVAL_MS, type EngineParts, type MediasoupEngineOptions } from "./engine-options.js";
import { MsTrack, type MsRelayOut, type MsSubscription, type PublisherSource } from "./ms-track.js";
import { RelayInPipe } from "./relay-in-pipe.js";
import { RelayOutPipe } from "./relay-out-pipe.js";
import { closeQuietly, openPublisher, openRelayInLeg, openRelayOutLeg, openSubscriber, type WebRtcListen } from "./sessions.js";
import type { WorkerDeath, WorkerPool } from "./worker-pool.js";

export type { MediasoupEngineOptions } from "./engine-options.js";

export class MediasoupEngine implements E.MediaEngine {
  readonly name = "mediasoup";
  readonly selectionReason: string;
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
    const [publicSocket, internal] = await openPipeSockets(this.listen.ip, this.rtpPortRange);
    const pipe = new RelayOutPipe(relayId, publicSocket, internal, media, remote, this.logger.child({ trackId }));
    let leg;
    try {
      leg = await openRelayOutLeg(track.lease.router, producer.id, media, pipe.internalPort);
    } catch (err) {
      await pipe.close();
      throw err;
    }
    if (this.closed || this.tracks_.get(trackId) !== track) {
      closeQuietly(leg.consumer, leg.transport);
      await pipe.close();
      if (this.closed) throw new InvalidStateError("relayOut(): engine closed");
      throw notFound(`track ${trackId} ended while opening the relay`);
    }
    const out: MsRelayOut = { id: relayId, trackId, transport: leg.transport, consumer: leg.consumer, pipe };
    track.relaysOut.set(relayId, out);
    this.outs.set(relayId, { track, out });
    return { relayId, trackId, local: pipe.local, remote: pipe.remote, media: { ...media, sourcePort: pipe.local.port } };
  }

  async relayIn(trackId: TrackId, media?: TrackMedia, upstream?: E.UdpEndpoint): Promise<E.RelayInHandle> {
    this.assertOpen("relayIn");
    const checked = media === undefined ? null : checkMedia(media);
    this.reserve(trackId);
    try {
      const relayId = `rin-${randomUUID()}`;
      const [publicSocket, internal] = await openPipeSockets(this.listen.ip, this.rtpPortRange);
      let track: MsTrack | null = null;
      const pipe = new RelayInPipe(relayId, publicSocket, internal, {
        onPacket: (size) => {
          if (track === null) return;
          track.packetsReceived++;
          track.bytesReceived += size;
          track.lastPacketAtMs = this.clock.now();
          this.firstPacket(track);
        },
        onDrop: (reason) => {
          this.dropTotals[reason]++;
          this.emitter.safeEmit("pipeDrop", { trackId, relayId, reason });
        },
      }, this.logger.child({ trackId }), negotiatedPin(checked, upstream, this.relaySources));
      let lease;
      try {
        lease = await this.pool.acquireRouter(splitTrackId(trackId).room);
      } catch (err) {
        await pipe.close();
        throw err;
      }
      track = new MsTrack(trackId, lease, { kind: "relay", relayId, pipe, transport: null, producer: null }, null);
      try {
        if (checked !== null) await this.attachRelayLeg(track, checked, upstream);
      } catch (err) {
        await pipe.close();
        lease.release();
        throw err;
      }
      if (this.closed) {
        await this.closeSource(track);
        throw new InvalidStateError("relayIn(): engine closed");
      }
      this.tracks_.set(trackId, track);
      this.relayIns.set(relayId, track);
      return { relayId, trackId, ip: pipe.ip, port: pipe.port };
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

  /** Creates the worker leg of a relay-in once its media is known, and starts the pipe. */
  private async attachRelayLeg(track: MsTrack, media: TrackMedia, upstream?: E.UdpEndpoint): Promise<void> {
    const source = track.source;
    if (source.kind !== "relay") return;
    track.media = media;
    try {
      const leg = await openRelayInLeg(track.lease.router, media, source.pipe.internalPort, `relay-${source.relayId}`);
      source.transport = leg.transport;
      source.producer = leg.producer;
      source.pipe.attach(media, leg.transport.tuple.localPort, negotiatedPin(media, upstream, this.relaySources));
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
    if (track.source.kind === "publisher") void track.source.producer.enableTraceEvent([]).catch(() => undefined);
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

  private async closeSource(track: MsTrack): Promise<void> {
    const source = track.source;
    closeQuietly(source.producer, source.transport);
    if (source.kind === "relay") await source.pipe.close();
    track.lease.release();
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

  private async endRelayOut(relayId: string, reason: E.RelayClosedReason): Promise<void> {
    const entry = this.outs.get(relayId);
    if (entry === undefined) return;
    this.outs.delete(relayId);
    entry.track.relaysOut.delete(relayId);
    closeQuietly(entry.out.consumer, entry.out.transport);
    await entry.out.pipe.close();
    this.emitter.safeEmit("relayClosed", { relayId, trackId: entry.track.trackId, direction: "out", reason });
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
