// What a link does to one packet, as pure functions: lose it, hold it for the bandwidth
// bottleneck, delay it by latency ± jitter. Time (`now`, ms) and randomness are passed in;
// the caller owns timers and sockets. "Down" is decided by the caller before shaping.
import { nextPacketLost, type LossState } from "./loss-model.js";
import type { LinkParams } from "./link-params.js";
import type { RandomSource } from "../../core/random.js";

export type DropReason = "loss" | "down" | "bandwidth";

/**
 * 100 ms of queue at the bottleneck: a common tbf `latency` setting and a modest router
 * buffer. A datagram that would wait longer is tail-dropped, as a full router queue does.
 */
export const MAX_QUEUE_DELAY_MS = 100;

/**
 * 200 ms: Linux's TCP_RTO_MIN. A stream chunk "lost" on a lossy link is not lost (TCP
 * retransmits it) but arrives one minimum retransmission timeout late, and holds up
 * everything behind it (head-of-line blocking), which is what loss does to TCP.
 */
export const TCP_RETRANSMIT_PENALTY_MS = 200;

/** Per-link state shared by everything crossing the link. */
export interface LinkRuntime {
  loss: LossState;
  /** When the bottleneck finishes serialising what it already holds (ms). */
  busyUntil: number;
}

/** Per ordering domain (the link's datagrams; each TCP connection direction) state. */
export interface OrderState {
  lastReleaseAt: number;
}

export type DatagramVerdict = { deliverAt: number } | { dropped: DropReason };

export function newLinkRuntime(): LinkRuntime {
  return { loss: { bad: false }, busyUntil: 0 };
}

export function newOrderState(): OrderState {
  return { lastReleaseAt: 0 };
}

/** Milliseconds a `bytes`-long packet takes to serialise at `bps`. */
export function serialisationMs(bytes: number, bps: number): number {
  return (bytes * 8 * 1000) / bps;
}

/** latency ± uniform jitter, never negative. */
export function sampleDelayMs(params: LinkParams, random: RandomSource): number {
  if (params.jitterMs <= 0) return params.latencyMs;
  return Math.max(0, params.latencyMs + params.jitterMs * (2 * random() - 1));
}

/**
 * Release time of a datagram. Without `reorder` a packet never overtakes the one before it:
 * release = max(previous release, departure + delay), so jitter stretches gaps but keeps order.
 */
export function shapeDatagram(
  params: LinkParams,
  runtime: LinkRuntime,
  order: OrderState,
  now: number,
  bytes: number,
  random: RandomSource,
): DatagramVerdict {
  if (nextPacketLost(runtime.loss, params.loss, params.burst, random)) return { dropped: "loss" };
  let departure = now;
  if (params.bandwidthBps > 0) {
    const start = Math.max(now, runtime.busyUntil);
    if (start - now > MAX_QUEUE_DELAY_MS) return { dropped: "bandwidth" };
    runtime.busyUntil = start + serialisationMs(bytes, params.bandwidthBps);
    departure = runtime.busyUntil;
  }
  let release = departure + sampleDelayMs(params, random);
  if (!params.reorder) release = Math.max(release, order.lastReleaseAt);
  order.lastReleaseAt = Math.max(order.lastReleaseAt, release);
  return { deliverAt: release };
}

/**
 * Release time of a chunk of a TCP byte stream: never dropped and never reordered (TCP
 * delivers in order); loss costs a retransmission delay; the bandwidth cap queues without
 * limit (TCP's congestion control would slow the sender instead of losing data).
 */
export function shapeStreamChunk(
  params: LinkParams,
  runtime: LinkRuntime,
  order: OrderState,
  now: number,
  bytes: number,
  random: RandomSource,
): number {
  let departure = now;
  if (params.bandwidthBps > 0) {
    runtime.busyUntil = Math.max(now, runtime.busyUntil) + serialisationMs(bytes, params.bandwidthBps);
    departure = runtime.busyUntil;
  }
  let release = departure + sampleDelayMs(params, random);
  if (nextPacketLost(runtime.loss, params.loss, params.burst, random)) release += TCP_RETRANSMIT_PENALTY_MS;
  release = Math.max(release, order.lastReleaseAt);
  order.lastReleaseAt = release;
  return release;
}
