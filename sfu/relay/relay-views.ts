// Pure views of the relay machine's per-track state: what the pull and announce policies
// see (localCopy, localTrack), whether a subscribe can be answered (hasMedia), whether
// anyone still wants the track (hasDemand), and the relay as /v1/state and the simulator
// report it (relayView). No I/O.
import type { Region, TrackId } from "../../core/region.js";
import type { RelayState } from "../../core/relay-edge.js";
import type { LocalTrack } from "./announce-policy.js";
import type { LocalCopy } from "./pull-policy.js";
import { formatRelayPath } from "./pull-policy.js";
import type { Relay, TrackState } from "./relay-machine-types.js";

export function newTrackState(track: TrackId, now: number): TrackState {
  return {
    track,
    source: { kind: "none" },
    served: new Map(),
    attached: new Map(),
    subscribers: new Set(),
    waiters: new Set(),
    lingering: false,
    firstPacketAt: null,
    updatedAt: now,
  };
}

export function relayOf(t: TrackState): Relay | null {
  return t.source.kind === "relay" ? t.source.relay : null;
}

/** Subscribers here, regions pulling from here, or subscribe requests waiting. */
export function hasDemand(t: TrackState): boolean {
  return t.subscribers.size > 0 || t.served.size > 0 || t.attached.size > 0 || t.waiters.size > 0;
}

/** The engine has the track's media here: a subscribe can be answered now. */
export function hasMedia(t: TrackState | undefined): boolean {
  if (t === undefined) return false;
  if (t.source.kind === "publisher") return true;
  const p = t.source.kind === "relay" ? t.source.relay.phase : null;
  return (p?.kind === "accepted" || p?.kind === "flowing") && p.mediaSet;
}

/** The pull policy's view of what this region has of the track. */
export function localCopy(t: TrackState | undefined): LocalCopy {
  if (t === undefined || t.source.kind === "none") return { kind: "none" };
  if (t.source.kind === "publisher") return { kind: "origin" };
  const { pullPath, phase } = t.source.relay;
  if (phase.kind === "flowing") return { kind: "flowing", chain: phase.chain };
  return { kind: "pending", pullPath, upstream: phase.kind === "locating" ? null : phase.upstream };
}

export function localTrack(t: TrackState): LocalTrack {
  return { track: t.track, copy: localCopy(t), demanded: t.source.kind === "relay" };
}

/**
 * A relay as /v1/state reports it: `locating` until a candidate has accepted the pull (a
 * pull still in flight shows no upstream), `pulling` once accepted but before packets
 * flow, `flowing` once they do.
 */
export interface RelayView {
  state: "locating" | "pulling" | "flowing";
  upstream: Region | null;
  /** The upstream's chain, upstream first, origin last (known once served). */
  chain: readonly Region[];
}

export function relayView(r: Relay): RelayView {
  switch (r.phase.kind) {
    case "locating":
    case "requested":
      return { state: "locating", upstream: null, chain: [] };
    case "pending":
      return { state: "pulling", upstream: r.phase.upstream, chain: [] };
    case "accepted":
      return { state: "pulling", upstream: r.phase.upstream, chain: r.phase.chain };
    case "flowing":
      return { state: "flowing", upstream: r.phase.upstream, chain: r.phase.chain };
  }
}

export function relayState(t: TrackState): RelayState {
  if (t.source.kind === "publisher") return "flowing";
  if (t.source.kind === "none") return "closed";
  return relayView(t.source.relay).state;
}

/** `Relay-Path` for a track whose media is here: origin first, this region last. */
export function relayPathOf(self: Region, t: TrackState | undefined): string {
  const r = t === undefined ? null : relayOf(t);
  return r === null ? self : formatRelayPath(self, relayView(r).chain);
}
