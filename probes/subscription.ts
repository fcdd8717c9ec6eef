// One WHEP subscription of a probe agent to one region's probe track of one rotation:
// offer → POST → answer → ICE/DTLS → packets into ReceiverStats. Every outcome is kept as
// state for the window observer; nothing here throws at the caller or schedules windows.
// setupMs and ttfpMs are measured from the WHEP POST (offer creation excluded).
import type { Clock } from "../core/clock.js";
import { InvalidStateError, errorMessage } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Region, TrackId } from "../core/region.js";
import { WeriftSubscriber, type PeerOptions, type ReceivedRtp } from "./client/werift-peer.js";
import type { ProbeMetrics } from "./metrics.js";
import { parseProbeHeader } from "./payload/header.js";
import { probeTrackId } from "./rotation.js";
import type { PairObservation, SetupFailure } from "./stats/observation.js";
import { ReceiverStats } from "./stats/receiver-stats.js";
import type { ProbeTarget, TargetSession } from "./targets/target.js";

export type SubscriptionPhase = "requesting" | "connecting" | "connected" | "failed" | "closed";

export interface SubscriptionDeps {
  /** The SFU subscribed through (probes/targets/). */
  target: ProbeTarget;
  /** Stamps packets and times setup; sub-millisecond (see precise-clock.ts). */
  clock: Clock;
  peerOptions: PeerOptions;
  connectTimeoutMs: number;
  metrics: ProbeMetrics;
  logger: Logger;
}

export class PairSubscription {
  readonly src: Region;
  readonly rotation: number;
  readonly track: TrackId;
  readonly stats = new ReceiverStats();
  private readonly deps: SubscriptionDeps;
  private state: SubscriptionPhase = "requesting";
  private failureValue: SetupFailure | null = null;
  private subscriber: WeriftSubscriber | null = null;
  private session: TargetSession | null = null;
  private requestedAt: number | null = null;
  private connectedAt: number | null = null;
  private firstPacketAt: number | null = null;
  private failedAt: number | null = null;
  private path: Region[] = [];
  /** Packets received since the last observe(): the metric is added once per window, not per packet. */
  private unreported = 0;
  private running: Promise<void> | null = null;
  private closing: Promise<void> | null = null;

  constructor(src: Region, rotation: number, deps: SubscriptionDeps) {
    this.src = src;
    this.rotation = rotation;
    this.track = probeTrackId(src, rotation);
    this.deps = deps;
  }

  get phase(): SubscriptionPhase {
    return this.state;
  }

  get failure(): SetupFailure | null {
    return this.failureValue;
  }

  get failedAtMs(): number | null {
    return this.failedAt;
  }

  get connectedAtMs(): number | null {
    return this.connectedAt;
  }

  get relayPath(): Region[] {
    return this.path;
  }

  get setupMs(): number | null {
    return this.connectedAt === null || this.requestedAt === null ? null : this.connectedAt - this.requestedAt;
  }

  get ttfpMs(): number | null {
    return this.firstPacketAt === null || this.requestedAt === null ? null : this.firstPacketAt - this.requestedAt;
  }

  /** Starts the subscription in the background; its outcome shows in phase/failure. */
  start(): void {
    if (this.running !== null) throw new InvalidStateError("PairSubscription.start(): already started");
    this.running = this.run().catch((err: unknown) => {
      this.fail({ kind: "setup", stage: "offer", detail: errorMessage(err) });
    });
  }

  /** Until the subscription settles (tests, once-mode). */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /**
   * What this subscription looked like over the window that just ended. For a connected
   * one this cuts the window out of its stats. A connection that died is reported failed.
   */
  observe(now: number): PairObservation {
    this.flushMetrics();
    if (this.state === "connected" && this.subscriber !== null) {
      const cs = this.subscriber.connectionState;
      if (cs === "failed" || cs === "closed") {
        this.fail({ kind: "setup", stage: "connect", detail: `connection ${cs} after ${Math.round(now - (this.connectedAt ?? now))} ms connected` });
      }
    }
    switch (this.state) {
      case "connected":
        return { phase: "connected", figures: this.stats.takeWindow(), connectedForMs: now - (this.connectedAt ?? now), totalReceived: this.stats.packetsReceived };
      case "failed":
        if (this.failureValue !== null) return { phase: "failed", failure: this.failureValue };
        return { phase: "pending", elapsedMs: 0 };
      default:
        return { phase: "pending", elapsedMs: this.requestedAt === null ? 0 : now - this.requestedAt };
    }
  }

  /** Discards what arrived so far in the current window (packets received while warming up). */
  resetWindow(): void {
    this.stats.takeWindow();
  }

  /** A method, not a field test, so TypeScript does not narrow `state` across awaits. */
  private isClosed(): boolean {
    return this.state === "closed";
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async run(): Promise<void> {
    const { target, clock, peerOptions, connectTimeoutMs, metrics } = this.deps;
    const subscriber = new WeriftSubscriber("audio", peerOptions);
    this.subscriber = subscriber;
    subscriber.onPacket((p) => {
      this.onPacket(p);
    });
    const session = await target.subscribe(this.track, subscriber, () => {
      this.requestedAt = clock.now();
    });
    if (this.isClosed()) {
      if (session.ok) void session.value.release();
      return;
    }
    if (!session.ok) {
      this.fail(session.error);
      return;
    }
    this.session = session.value;
    this.path = session.value.relayPath;
    this.state = "connecting";
    try {
      await subscriber.waitConnected(connectTimeoutMs);
    } catch (err) {
      if (this.isClosed()) return;
      const cs = subscriber.connectionState;
      this.fail(cs === "failed" || cs === "closed" ? { kind: "setup", stage: "connect", detail: `ICE/DTLS ${cs}: ${errorMessage(err)}` } : { kind: "timeout", stage: "connect", afterMs: connectTimeoutMs });
      return;
    }
    if (this.isClosed()) return;
    this.connectedAt = clock.now();
    this.state = "connected";
    metrics.setup.observe({ kind: "subscribe" }, (this.setupMs ?? 0) / 1000);
  }

  private onPacket(p: ReceivedRtp): void {
    const h = parseProbeHeader(p.payload);
    if (!h.ok) {
      this.deps.metrics.packetsIgnored.inc({ reason: h.error.code });
      return;
    }
    if (h.value.src !== this.src || h.value.trackSeq !== this.rotation) {
      this.deps.metrics.packetsIgnored.inc({ reason: "wrong_track" });
      return;
    }
    this.firstPacketAt ??= p.receivedAtMs;
    this.stats.record(h.value.index, h.value.sendTimeUs / 1000, p.receivedAtMs);
    this.unreported++;
  }

  private flushMetrics(): void {
    if (this.unreported === 0) return;
    this.deps.metrics.packetsReceived.inc({ src: this.src }, this.unreported);
    this.unreported = 0;
  }

  private fail(failure: SetupFailure): void {
    if (this.state === "closed" || this.state === "failed") return;
    this.state = "failed";
    this.failureValue = failure;
    this.failedAt = this.deps.clock.now();
    this.deps.logger.debug({ track: this.track, failure: failure.kind, stage: "stage" in failure ? failure.stage : undefined, status: "status" in failure ? failure.status : undefined }, "subscribe() | failed");
    void this.releaseSession();
  }

  private async shutdown(): Promise<void> {
    this.flushMetrics();
    this.state = "closed";
    await this.releaseSession();
    await this.running;
  }

  private async releaseSession(): Promise<void> {
    const session = this.session;
    this.session = null;
    const subscriber = this.subscriber;
    this.subscriber = null;
    if (session !== null) {
      const released = await session.release();
      if (!released) this.deps.logger.debug({ track: this.track }, "unsubscribe() | DELETE failed; the SFU ends the session when ICE goes");
    }
    await subscriber?.close();
  }
}
