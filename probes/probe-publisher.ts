// One probe track of one rotation, published into the agent's own region over WHIP. Packets
// carry the probe header (src region, rotation as track seq, index, send time µs) padded
// to `payloadBytes`. The agent's pacing timer calls sendDue(); until the session is
// connected nothing is sent, so index 0 is the first packet that could reach anyone.
import type { Clock } from "../core/clock.js";
import { InvalidStateError, errorMessage } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Region, TrackId } from "../core/region.js";
import { CODEC_PRESETS, WeriftPublisher, type PeerOptions } from "./client/werift-peer.js";
import type { ProbeMetrics } from "./metrics.js";
import { ProbePayloadWriter, headerLength } from "./payload/header.js";
import { probeTrackId } from "./rotation.js";
import type { SetupFailure } from "./stats/observation.js";
import type { ProbeTarget, TargetSession } from "./targets/target.js";

/**
 * Up to 1 s of packets are sent late rather than skipped: a stalled event loop (GC, a DTLS
 * handshake in this process) is the agent's own hiccup, and skipping would report it as
 * network loss on every pair. Each packet carries its real send time, so latency stays
 * right. Beyond 1 s the index skips ahead and receivers see loss (the agent was not probing).
 */
const MAX_CATCH_UP_S = 1;

export type PublisherPhase = "publishing" | "live" | "failed" | "closed";

export interface PublisherDeps {
  /** The SFU the track is published into (probes/targets/). */
  target: ProbeTarget;
  clock: Clock;
  peerOptions: PeerOptions;
  connectTimeoutMs: number;
  payloadBytes: number;
  metrics: ProbeMetrics;
  logger: Logger;
}

export class ProbePublisher {
  readonly region: Region;
  readonly rotation: number;
  readonly track: TrackId;
  private readonly deps: PublisherDeps;
  private state: PublisherPhase = "publishing";
  private failureValue: SetupFailure | null = null;
  private failedAt: number | null = null;
  private publisher: WeriftPublisher | null = null;
  private session: TargetSession | null = null;
  private setup: number | null = null;
  private liveAt: number | null = null;
  private index = 0;
  private writer: ProbePayloadWriter | null = null;
  private running: Promise<void> | null = null;
  private closing: Promise<void> | null = null;

  /** The session resource (on whichever SFU accepted the publish), null until then. */
  get sessionUrl(): string | null {
    return this.session?.url ?? null;
  }

  constructor(region: Region, rotation: number, deps: PublisherDeps) {
    this.region = region;
    this.rotation = rotation;
    this.track = probeTrackId(region, rotation);
    this.deps = deps;
  }

  get phase(): PublisherPhase {
    return this.state;
  }

  get failure(): SetupFailure | null {
    return this.failureValue;
  }

  get failedAtMs(): number | null {
    return this.failedAt;
  }

  get setupMs(): number | null {
    return this.setup;
  }

  get packetsSent(): number {
    return this.index;
  }

  start(): void {
    if (this.running !== null) throw new InvalidStateError("ProbePublisher.start(): already started");
    this.running = this.run().catch((err: unknown) => {
      this.fail({ kind: "setup", stage: "offer", detail: errorMessage(err) });
    });
  }

  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /**
   * Sends the packets due at `pps` since the track went live: timers fire late under load,
   * so this catches up (see MAX_CATCH_UP_S) and the rate stays exact. A connection that
   * died turns the publisher failed.
   */
  sendDue(pps: number): void {
    const maxCatchUp = Math.max(1, Math.ceil(pps * MAX_CATCH_UP_S));
    if (this.state !== "live" || this.publisher === null || this.liveAt === null) return;
    const cs = this.publisher.connectionState;
    if (cs === "failed" || cs === "closed") {
      this.fail({ kind: "setup", stage: "connect", detail: `publish connection ${cs}` });
      return;
    }
    const now = this.deps.clock.now();
    const due = Math.floor(((now - this.liveAt) * pps) / 1000) + 1 - this.index;
    if (due <= 0) return;
    if (due > maxCatchUp) this.index += due - maxCatchUp;
    this.writer ??= new ProbePayloadWriter(this.region, this.rotation, Math.max(this.deps.payloadBytes, headerLength(this.region)));
    // The direct path encrypts before send() returns; werift's track path keeps the buffer.
    const reuse = this.deps.peerOptions.sendPath === "direct";
    const n = Math.min(due, maxCatchUp);
    for (let i = 0; i < n; i++) {
      // Stamped one by one: a packet's send time is when it leaves, not when the burst began.
      const payload = this.writer.write(this.index, Math.round((i === 0 ? now : this.deps.clock.now()) * 1000));
      this.publisher.send(reuse ? payload : Buffer.from(payload));
      this.index++;
    }
    this.deps.metrics.packetsSent.inc(n);
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
    const { target, clock, peerOptions, connectTimeoutMs, metrics, logger } = this.deps;
    const publisher = new WeriftPublisher(CODEC_PRESETS.opus, peerOptions);
    this.publisher = publisher;
    let t0 = clock.now();
    const session = await target.publish(this.track, publisher, () => {
      t0 = clock.now();
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
    try {
      await publisher.waitConnected(connectTimeoutMs);
    } catch (err) {
      if (this.isClosed()) return;
      const cs = publisher.connectionState;
      this.fail(cs === "new" || cs === "connecting" ? { kind: "timeout", stage: "connect", afterMs: connectTimeoutMs } : { kind: "setup", stage: "connect", detail: `${cs}: ${errorMessage(err)}` });
      return;
    }
    if (this.state !== "publishing") return;
    this.setup = clock.now() - t0;
    this.state = "live";
    this.liveAt = clock.now();
    metrics.setup.observe({ kind: "publish" }, this.setup / 1000);
    metrics.publishes.inc({ result: "ok" });
    logger.info({ track: this.track, setupMs: Math.round(this.setup) }, "publish() | probe track live");
  }

  private fail(failure: SetupFailure): void {
    if (this.state === "closed" || this.state === "failed") return;
    this.state = "failed";
    this.failureValue = failure;
    this.failedAt = this.deps.clock.now();
    this.deps.metrics.publishes.inc({ result: failure.kind === "http" ? (failure.status === 503 ? "region_offline" : "http_error") : failure.kind });
    this.deps.logger.warn(
      { track: this.track, failure: failure.kind, status: failure.kind === "http" ? failure.status : undefined, detail: failure.kind === "setup" ? failure.detail : undefined },
      "publish() | probe track not published",
    );
    void this.release();
  }

  private async shutdown(): Promise<void> {
    this.state = "closed";
    await this.release();
    await this.running;
  }

  private async release(): Promise<void> {
    const session = this.session;
    this.session = null;
    const publisher = this.publisher;
    this.publisher = null;
    if (session !== null) await session.release();
    await publisher?.close();
  }
}
