// What a region node holds per track: its local publisher or its relay (the pull it made),
// the regions it serves, its local subscribers, and the pending subscribe requests that
// wait for the relay. Plain data plus the pure views the policies and /v1/state need.
import type { Context, Span } from "@opentelemetry/api";
import type { TimerHandle } from "../../core/clock.js";
import type { Region, TrackId } from "../../core/region.js";
import type { RelayState } from "../../core/relay-edge.js";
import type { TrackEntry } from "../../core/sfu-state.js";
import type { TrackMedia } from "../media/track-media.js";
import type { LocalTrack } from "../relay/announce-policy.js";
import type { Candidate } from "../relay/locator.js";
import type { LocalCopy } from "../relay/pull-policy.js";

/** A region this one relays the track to (served) or will once its own relay is ready (waiter). */
export interface Downstream {
  region: Region;
  pullId: string;
  /** The downstream's relay-in port as it reported it (mapped at send time). */
  port: number;
  relayOutId: string | null;
  traceparent?: string;
}

/**
 * This region's own pull of a track. `requested`: a pull is in flight to `upstream`;
 * `pulling`: accepted, waiting for media or the first packet; `flowing`: packets arrive.
 */
export interface Relay {
  state: "locating" | "requested" | "pulling" | "flowing";
  /** The pull path this relay was started with, this region last. */
  pullPath: Region[];
  upstream: Region | null;
  /** The upstream's chain, upstream first, origin last (known once served). */
  chain: Region[];
  candidates: Candidate[];
  tried: number;
  pullId: string;
  /** Bumped on every (re)locate so a stale timer or reply is ignored. */
  gen: number;
  relayInId: string | null;
  relayInPort: number | null;
  media: TrackMedia | null;
  startedAt: number;
  locateTimer: TimerHandle | null;
  /** Gives up on a pull still pending without media (relay-watchdog.ts). */
  pendingTimer: TimerHandle | null;
  /** The relay's span (locate → pulls → first packet) and its context for child spans. */
  span: Span;
  ctx: Context;
  /** Whether a locate has found no candidate at all (unknown track). */
  noSource: boolean;
}

export interface MediaWaiter {
  resolve(): void;
  reject(err: Error): void;
}

export interface TrackState {
  track: TrackId;
  /** A publisher in this region is the source. */
  publisher: boolean;
  relay: Relay | null;
  waiters: Map<Region, Downstream>;
  downstreams: Map<Region, Downstream>;
  subscribers: Set<string>;
  /** WHEP requests waiting for this track's relay. */
  mediaWaiters: Set<MediaWaiter>;
  lingerTimer: TimerHandle | null;
  firstPacketAt: number | null;
  updatedAt: number;
}

export function newTrackState(track: TrackId, now: number): TrackState {
  return {
    track,
    publisher: false,
    relay: null,
    waiters: new Map(),
    downstreams: new Map(),
    subscribers: new Set(),
    mediaWaiters: new Set(),
    lingerTimer: null,
    firstPacketAt: null,
    updatedAt: now,
  };
}

/** Subscribers here, regions pulling from here, or subscribe requests waiting. */
export function hasDemand(t: TrackState): boolean {
  return t.subscribers.size > 0 || t.downstreams.size > 0 || t.waiters.size > 0 || t.mediaWaiters.size > 0;
}

/** The pull policy's view of what this region has of the track. */
export function localCopy(t: TrackState): LocalCopy {
  if (t.publisher) return { kind: "origin" };
  const r = t.relay;
  if (r === null) return { kind: "none" };
  if (r.state === "flowing") return { kind: "flowing", chain: r.chain };
  return { kind: "pending", pullPath: r.pullPath, upstream: r.state === "locating" ? null : r.upstream };
}

export function localTrack(t: TrackState): LocalTrack {
  return { track: t.track, copy: localCopy(t), demanded: !t.publisher && t.relay !== null };
}

export function relayState(t: TrackState): RelayState {
  if (t.publisher) return "flowing";
  const r = t.relay;
  if (r === null) return "closed";
  switch (r.state) {
    case "locating":
    case "requested":
      return "locating";
    case "pulling":
      return "pulling";
    case "flowing":
      return "flowing";
  }
}

export interface EntryCounters {
  packets: number;
  bytes: number;
}

/** The /v1/state entry for a track (core/sfu-state.ts TrackEntry). */
export function trackEntry(self: Region, t: TrackState, counters: EntryCounters, announced: boolean): TrackEntry {
  const r = t.relay;
  // A pull still in flight shows no upstream (as in sfu/relay/simulate.ts): only an accepted one is an edge.
  const upstream = t.publisher || r === null || r.state === "locating" || r.state === "requested" ? null : r.upstream;
  const origin = t.publisher ? self : r !== null && r.chain.length > 0 ? (r.chain[r.chain.length - 1] ?? null) : null;
  return {
    track: t.track,
    origin,
    local: t.publisher,
    upstream,
    state: relayState(t),
    path: entryPath(self, t).slice(0, 32),
    packets: counters.packets,
    bytes: counters.bytes,
    subscribers: t.subscribers.size,
    downstream: [...t.downstreams.keys()].sort(),
    announced,
    firstPacketAt: t.firstPacketAt,
    updatedAt: t.updatedAt,
  };
}

/** This region first, then where packets come through: [eu-central, eu-west, us-west]. */
function entryPath(self: Region, t: TrackState): Region[] {
  const r = t.relay;
  if (t.publisher) return [self];
  if (r === null) return [];
  if (r.chain.length > 0) return [self, ...r.chain];
  return r.upstream !== null && (r.state === "pulling" || r.state === "flowing") ? [self, r.upstream] : [self];
}

/** The fields of an entry whose change is worth an event (counters and times are not). */
export function entryKey(e: TrackEntry): string {
  return JSON.stringify([e.origin, e.local, e.upstream, e.state, e.path, e.subscribers, e.downstream, e.announced, e.firstPacketAt !== null]);
}
