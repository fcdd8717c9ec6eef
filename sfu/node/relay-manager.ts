// The stateful half of the relay control plane: holds every track's TrackState and drives
// the pure policies (locator, pull policy, announce policy) and the MediaEngine. This file
// is the pulling side — demand, locate, pull with fallback, first packet, linger, stop,
// teardown; relay-server.ts answers peers' pulls. It never touches packets and never
// decides by itself what the policies decide (which upstream, whether a pull may loop).
import { randomUUID } from "node:crypto";
import { SpanKind, SpanStatusCode, trace, type Context, type Tracer } from "@opentelemetry/api";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { Region, TrackId } from "../../core/region.js";
import type { MediaEngine } from "../media/engine.js";
import type { TrackMedia } from "../media/track-media.js";
import { locateDelayMs } from "../relay/announce-policy.js";
import type { LegacyBehaviours } from "../relay/legacy-behaviours.js";
import { formatRelayPath, locateForRelay, newPullId, PENDING_PULL_TIMEOUT_MS } from "../relay/pull-policy.js";
import type { TrackTable } from "../relay/track-table.js";
import type { SfuMetrics } from "../telemetry/metrics.js";
import type { PeerClient } from "./peer-client.js";
import type { RelayPullResult } from "./relay-protocol.js";
import { sendPull } from "./relay-pull.js";
import { hasDemand, newTrackState, type Relay, type TrackState } from "./track-state.js";
import { RelayWaitError, waitOnTrack } from "./relay-wait.js";
import { RelayWatchdog } from "./relay-watchdog.js";

/** 500 ms: a relay whose candidates all refused tries again this soon while someone waits. */
export const RELAY_RETRY_MS = 500;

export interface RelayManagerOptions {
  self: Region;
  engine: MediaEngine;
  clock: Clock;
  logger: Logger;
  tracer: Tracer;
  metrics: SfuMetrics;
  client: PeerClient;
  table: () => TrackTable;
  rtts: () => ReadonlyMap<Region, number>;
  behaviours: () => LegacyBehaviours;
  /** What this region announces changed, or may have: recompute and send. */
  announce: () => void;
  /** A track's state changed (for /v1/events). */
  onChange: (track: TrackId) => void;
  lingerMs: number;
  /** announce-early's settle wait before locating (legacy only). */
  settleMs?: number;
  retryMs?: number;
  /** How long an upstream region may stay unreachable before its relays are torn down. */
  upstreamLostMs: number;
}

/** Callbacks into the serving side (relay-server.ts) that the pulling side triggers. */
export interface DownstreamSide {
  serveWaiters(t: TrackState): void;
  refuseWaiters(t: TrackState, error: string): void;
  closeDownstreams(t: TrackState): void;
}

export class RelayManager {
  readonly tracks = new Map<TrackId, TrackState>();
  private downstream: DownstreamSide | null = null;
  private readonly watchdog: RelayWatchdog;
  private pullCounter = 0;
  private readonly o: RelayManagerOptions;
  private closed = false;

  constructor(options: RelayManagerOptions) {
    this.o = options;
    this.watchdog = new RelayWatchdog({ clock: options.clock, behaviours: options.behaviours, upstreamLostMs: options.upstreamLostMs });
  }

  setDownstreamSide(side: DownstreamSide): void {
    this.downstream = side;
  }

  ensure(track: TrackId): TrackState {
    let t = this.tracks.get(track);
    if (t === undefined) {
      t = newTrackState(track, this.o.clock.now());
      this.tracks.set(track, t);
    }
    return t;
  }

  /** Media is known here: a subscribe can be answered now. */
  hasMedia(track: TrackId): boolean {
    const t = this.tracks.get(track);
    return t !== undefined && (t.publisher || (t.relay?.media ?? null) !== null);
  }

  /** `Relay-Path` for a track whose media is here: origin first, this region last. */
  relayPath(track: TrackId): string {
    const t = this.tracks.get(track);
    if (t === undefined || t.publisher || t.relay === null) return this.o.self;
    return formatRelayPath(this.o.self, t.relay.chain);
  }

  /**
   * Resolves once the track's media is here (publisher or relay with known media), starting
   * a relay when none runs. The wait counts as demand until it settles.
   */
  waitForMedia(track: TrackId, parent: Context, timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.reject(new RelayWaitError("closed", "region node is closing"));
    if (this.hasMedia(track)) return Promise.resolve();
    const t = this.ensure(track);
    const wait = waitOnTrack(t, track, timeoutMs, this.o.clock, () => { this.maybeStop(t); });
    this.cancelLinger(t);
    if (t.relay === null && !t.publisher) this.startRelay(t, [this.o.self], parent);
    return wait;
  }

  /** Starts this region's pull of `t` with `pullPath` (this region last). */
  startRelay(t: TrackState, pullPath: Region[], parent: Context): void {
    const span = this.o.tracer.startSpan("relay.setup", { kind: SpanKind.INTERNAL, attributes: this.attrs(t.track, { "relaywatch.path": pullPath.join(">") }) }, parent);
    const relay: Relay = {
      state: "locating", pullPath, upstream: null, chain: [], candidates: [], tried: 0, pullId: "", gen: 0,
      relayInId: null, relayInPort: null, media: null, startedAt: this.o.clock.now(), locateTimer: null, pendingTimer: null,
      span, ctx: trace.setSpan(parent, span), noSource: false,
    };
    t.relay = relay;
    this.cancelLinger(t);
    this.changed(t);
    this.scheduleLocate(t, relay, locateDelayMs(this.o.behaviours(), this.o.settleMs));
  }

  private scheduleLocate(t: TrackState, relay: Relay, delayMs: number): void {
    const gen = ++relay.gen;
    relay.locateTimer?.cancel();
    const run = (): void => {
      relay.locateTimer = null;
      if (t.relay !== relay || relay.gen !== gen || relay.state !== "locating") return;
      this.locate(t, relay);
    };
    if (delayMs <= 0) queueMicrotask(run);
    else relay.locateTimer = this.o.clock.setTimeout(run, delayMs);
  }

  private locate(t: TrackState, relay: Relay): void {
    const span = this.o.tracer.startSpan("relay.locate", { attributes: this.attrs(t.track) }, relay.ctx);
    relay.candidates = locateForRelay(t.track, this.o.self, relay.pullPath, {
      table: this.o.table(), rtts: this.o.rtts(), now: this.o.clock.now(), behaviours: this.o.behaviours(),
    });
    relay.tried = 0;
    span.setAttribute("relaywatch.candidates", relay.candidates.map((c) => c.region).join(","));
    span.end();
    if (relay.candidates.length === 0) relay.noSource = true;
    this.tryNext(t, relay);
  }

  private tryNext(t: TrackState, relay: Relay): void {
    const c = relay.candidates[relay.tried++];
    if (c === undefined) {
      this.fail(t, relay);
      return;
    }
    relay.state = "requested";
    relay.upstream = c.region;
    relay.pullId = newPullId(this.o.clock.now(), this.pullCounter++, randomUUID());
    this.changed(t);
    void this.pull(t, relay, c.region, relay.pullId);
  }

  private async pull(t: TrackState, relay: Relay, upstream: Region, pullId: string): Promise<void> {
    const current = (): boolean => t.relay === relay && relay.pullId === pullId && !this.closed;
    if (relay.relayInId === null) {
      try {
        const h = await this.o.engine.relayIn(t.track);
        if (t.relay !== relay || this.closed) {
          await this.o.engine.closeRelay(h.relayId).catch(() => undefined);
          return;
        }
        relay.relayInId = h.relayId;
        relay.relayInPort = h.port;
      } catch (err) {
        this.o.logger.warn({ track: t.track, err }, "pull() | relay-in failed");
        if (current()) this.fail(t, relay);
        return;
      }
    }
    if (!current()) return;
    const outcome = await sendPull(this.o.client, this.o.tracer, {
      track: t.track, path: relay.pullPath, pullId, port: relay.relayInPort ?? 0, upstream, ctx: relay.ctx, attributes: this.attrs(t.track),
    });
    if (!current()) {
      if (outcome.kind !== "refused") void this.o.client.post(upstream, "/relay/v1/leave", { track: t.track, pullId });
      return;
    }
    if (outcome.kind === "refused") {
      this.o.logger.debug({ track: t.track, upstream, why: outcome.why }, "pull() | refused, trying the next candidate");
      this.tryNext(t, relay);
      return;
    }
    if (outcome.kind === "pending") {
      relay.state = "pulling";
      this.schedulePendingTimeout(t, relay, pullId);
      this.changed(t);
      return;
    }
    await this.accepted(t, relay, outcome.chain, outcome.media);
  }

  /** Loop guard backstop (relay-watchdog.ts): a pull pending without media for too long leaves that upstream. */
  private schedulePendingTimeout(t: TrackState, relay: Relay, pullId: string): void {
    relay.pendingTimer?.cancel();
    relay.pendingTimer = this.watchdog.watchPending(
      () => t.relay === relay && relay.pullId === pullId && relay.media === null && !this.closed,
      () => {
        relay.pendingTimer = null;
        const upstream = relay.upstream;
        this.o.logger.warn({ track: t.track, upstream, waitedMs: PENDING_PULL_TIMEOUT_MS }, "pull() | pending pull got no media in time (a loop?): leaving that upstream, trying the next candidate");
        if (upstream !== null) void this.o.client.post(upstream, "/relay/v1/leave", { track: t.track, pullId });
        this.tryNext(t, relay);
      },
    );
  }

  /** The upstream's pull-result for a pending pull. False when it is not for the current pull. */
  async pullResult(from: Region, r: RelayPullResult): Promise<boolean> {
    const t = this.tracks.get(r.track);
    const relay = t?.relay ?? null;
    if (t === undefined || relay === null || relay.upstream !== from || relay.pullId !== r.pullId || relay.state === "flowing") return false;
    if (r.error !== undefined || r.chain === undefined || r.media === undefined) {
      this.tryNext(t, relay);
      return true;
    }
    await this.accepted(t, relay, r.chain, r.media);
    return t.relay === relay;
  }

  private async accepted(t: TrackState, relay: Relay, chain: Region[], media: TrackMedia): Promise<void> {
    relay.chain = chain;
    relay.media = media;
    relay.state = "pulling";
    if (relay.relayInId !== null) {
      try {
        await this.o.engine.setRelayMedia(relay.relayInId, media);
      } catch (err) {
        this.o.logger.warn({ track: t.track, err }, "accepted() | relay media refused");
        relay.media = null;
        if (t.relay === relay) this.tryNext(t, relay);
        return;
      }
    }
    this.changed(t);
    for (const w of [...t.mediaWaiters]) w.resolve();
  }

  /** The engine saw the first packet of a track's source. */
  firstPacket(track: TrackId, relayId: string | null, atMs: number): void {
    const t = this.tracks.get(track);
    if (t === undefined) return;
    t.firstPacketAt = atMs;
    const relay = t.relay;
    if (relay !== null && relay.relayInId === relayId && relay.state !== "flowing") {
      relay.state = "flowing";
      const seconds = Math.max(0, atMs - relay.startedAt) / 1000;
      this.o.metrics.relaySetupSeconds.observe({ hops: String(relay.chain.length) }, seconds);
      this.o.tracer.startSpan("relay.first_packet", { attributes: this.attrs(track) }, relay.ctx).end();
      relay.span.setAttribute("relaywatch.relay_path", formatRelayPath(this.o.self, relay.chain));
      relay.span.end();
      this.downstream?.serveWaiters(t);
    }
    this.changed(t);
  }

  /** The upstream closed the relay of `pullId`. */
  upstreamClosed(from: Region, track: TrackId, pullId: string): boolean {
    const t = this.tracks.get(track);
    const relay = t?.relay ?? null;
    if (t === undefined || relay === null || relay.upstream !== from || relay.pullId !== pullId) return false;
    this.teardown(t, false);
    return true;
  }

  /** The track's source in the engine ended (publisher gone, relay-in closed). */
  sourceClosed(track: TrackId, relayId: string | null): void {
    const t = this.tracks.get(track);
    if (t === undefined) return;
    if (relayId === null && t.publisher) {
      t.publisher = false;
      this.downstream?.refuseWaiters(t, "no_source");
      this.downstream?.closeDownstreams(t);
      this.changed(t);
      this.cleanup(t);
      return;
    }
    if (t.relay !== null && t.relay.relayInId === relayId) {
      t.relay.relayInId = null;
      this.teardown(t, true);
    }
  }

  /** Ends this region's relay of `t`: downstreams are told, and it relocates if someone waits. */
  private teardown(t: TrackState, tellUpstream: boolean): void {
    const relay = t.relay;
    if (relay === null) return;
    this.endRelay(t, relay, tellUpstream, "torn down");
    this.downstream?.refuseWaiters(t, "no_source");
    this.downstream?.closeDownstreams(t);
    if (t.mediaWaiters.size > 0 && !this.closed) this.startRelay(t, [this.o.self], relay.ctx);
    this.changed(t);
    this.cleanup(t);
  }

  /** No candidate accepted: pulls waiting on us are refused; a waiting subscribe retries. */
  private fail(t: TrackState, relay: Relay): void {
    this.downstream?.refuseWaiters(t, "no_source");
    relay.state = "locating";
    relay.upstream = null;
    relay.pullId = "";
    if (relay.noSource && relay.tried <= 1) {
      for (const w of [...t.mediaWaiters]) w.reject(new RelayWaitError("unknown_track", `no region announces ${t.track}`));
    }
    if (t.mediaWaiters.size > 0 && !this.closed) {
      relay.noSource = false;
      this.changed(t);
      this.scheduleLocate(t, relay, this.o.retryMs ?? RELAY_RETRY_MS);
      return;
    }
    this.endRelay(t, relay, false, "no candidate accepted");
    this.changed(t);
    this.cleanup(t);
  }

  /** A peer's reachability changed (heartbeats): relays from a lost upstream are torn down (relay-watchdog.ts). */
  peerReachability(region: Region, reachable: boolean): void {
    this.watchdog.peerReachability(region, reachable, (lost) => {
      for (const t of [...this.tracks.values()]) {
        const relay = t.relay;
        if (relay === null || relay.upstream !== lost || relay.state === "locating") continue;
        this.o.logger.warn({ track: t.track, upstream: lost, state: relay.state, afterMs: this.o.upstreamLostMs }, "peerReachability() | upstream unreachable: tearing the relay down");
        this.o.metrics.relaysLost.inc({ upstream: lost });
        this.teardown(t, false);
      }
    });
  }

  /** Subscriber bookkeeping (signaling calls these around engine.subscribe()). */
  subscribed(track: TrackId, subscriptionId: string): void {
    const t = this.ensure(track);
    t.subscribers.add(subscriptionId);
    this.cancelLinger(t);
    this.changed(t);
  }

  subscriptionClosed(track: TrackId, subscriptionId: string): void {
    const t = this.tracks.get(track);
    if (t === undefined || !t.subscribers.delete(subscriptionId)) return;
    this.changed(t);
    this.maybeStop(t);
  }

  publisherAdded(track: TrackId): void {
    const t = this.ensure(track);
    if (t.relay !== null) this.endRelay(t, t.relay, true, "local publisher");
    t.publisher = true;
    this.changed(t);
    for (const w of [...t.mediaWaiters]) w.resolve();
  }

  /** Demand is gone: stop the relay after the linger period unless demand returns. */
  maybeStop(t: TrackState): void {
    if (hasDemand(t) || t.lingerTimer !== null) {
      this.cleanup(t);
      return;
    }
    if (t.relay === null) {
      this.cleanup(t);
      return;
    }
    t.lingerTimer = this.o.clock.setTimeout(() => {
      t.lingerTimer = null;
      if (!hasDemand(t) && t.relay !== null) {
        this.endRelay(t, t.relay, true, "linger over");
        this.changed(t);
      }
      this.cleanup(t);
    }, this.o.lingerMs);
  }

  private cancelLinger(t: TrackState): void {
    t.lingerTimer?.cancel();
    t.lingerTimer = null;
  }

  /** Releases the relay: leave to the upstream, relay-in closed, span ended. */
  private endRelay(t: TrackState, relay: Relay, tellUpstream: boolean, why: string): void {
    t.relay = null;
    this.cancelLinger(t);
    relay.gen++;
    relay.locateTimer?.cancel();
    relay.pendingTimer?.cancel();
    relay.pendingTimer = null;
    if (tellUpstream && relay.upstream !== null && relay.state !== "locating") {
      void this.o.client.post(relay.upstream, "/relay/v1/leave", { track: t.track, pullId: relay.pullId });
    }
    const relayInId = relay.relayInId;
    relay.relayInId = null;
    if (relayInId !== null && !this.o.engine.closed) void this.o.engine.closeRelay(relayInId).catch(() => undefined);
    if (relay.state !== "flowing") {
      relay.span.setStatus({ code: SpanStatusCode.ERROR, message: why });
      relay.span.end();
    }
    this.o.logger.debug({ track: t.track, upstream: relay.upstream, why }, "endRelay() | relay ended");
  }

  /** Forgets a track nothing refers to any more. */
  cleanup(t: TrackState): void {
    if (t.publisher || t.relay !== null || hasDemand(t) || t.lingerTimer !== null) return;
    if (this.tracks.get(t.track) === t) this.tracks.delete(t.track);
    this.changed(t);
  }

  changed(t: TrackState): void {
    t.updatedAt = this.o.clock.now();
    this.o.announce();
    this.o.onChange(t.track);
  }

  private attrs(track: TrackId, extra: Record<string, string> = {}): Record<string, string> {
    return { "relaywatch.region": this.o.self, "relaywatch.track": track, ...extra };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watchdog.close();
    for (const t of this.tracks.values()) {
      this.cancelLinger(t);
      for (const w of [...t.mediaWaiters]) w.reject(new RelayWaitError("closed", "region node is closing"));
      if (t.relay !== null) {
        t.relay.locateTimer?.cancel();
        t.relay.pendingTimer?.cancel();
        t.relay.span.end();
      }
    }
  }
}

