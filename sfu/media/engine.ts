// The MediaEngine seam: everything the control plane (signaling, relay, health,
// telemetry) may ask of the media plane. The control plane never touches packets; an
// engine never makes a control decision (which region to pull from, when to stop).
//
// Mapping onto mediasoup (issue 10), so both engines can implement this:
//   publish()   → a Router per room, WebRtcTransport + Producer (SDP offer → RTP parameters)
//   subscribe() → WebRtcTransport + Consumer of that Producer (client-offer WHEP)
//   relayOut()  → PipeTransport/PlainTransport connected to remote ip:port + a pipe Consumer
//   relayIn()   → PipeTransport/PlainTransport bound in `rtpPortRange` + a pipe Producer
//                 built from the TrackMedia carried by the pull response
// Relay pipes are plain RTP over UDP, one port per relay, in both engines, so regions
// running different engines relay to each other.
import type { TrackId } from "../../core/region.js";
import type { PipeDropCounts, PipeDropReason, RelaySourceResolver } from "./pipe-drop.js";
import type { TrackMedia } from "./track-media.js";
import type { TypedEvents } from "../../core/events.js";

export interface UdpEndpoint {
  ip: string;
  port: number;
}

export interface PortRange {
  min: number;
  max: number;
}

export interface PublishResult {
  /** Complete answer: non-trickle ICE, every candidate is in it. */
  answerSdp: string;
  /** What relays of this track will carry (codec, payload type, SSRC). */
  media: TrackMedia;
}

export interface SubscribeResult {
  answerSdp: string;
  subscriptionId: string;
}

export interface RelayOutHandle {
  relayId: string;
  trackId: TrackId;
  /** The local socket packets leave from. */
  local: UdpEndpoint;
  remote: UdpEndpoint;
  /** Exactly what this pipe sends, `sourcePort` included: give it to the receiving engine's relayIn(). */
  media: TrackMedia;
}

export interface RelayInHandle {
  relayId: string;
  trackId: TrackId;
  /** Where the sending region must send plain RTP (inside the engine's rtpPortRange). */
  ip: string;
  port: number;
}

/** Where a track's packets come from in this engine. */
export type TrackSourceKind = "publisher" | "relay";

export type SourceClosedReason = "unpublished" | "peer_gone" | "relay_closed" | "engine_closed";
export type SubscriptionClosedReason = "unsubscribed" | "peer_gone" | "source_gone" | "engine_closed";
export type RelayClosedReason = "closed" | "source_gone" | "engine_closed";

// A type alias (not an interface) so it satisfies TypedEmitter's Record constraint.
export type MediaEngineEvents = {
  /** The first packet of a track arrived from its source: the track is flowing here. */
  firstPacket: [{ trackId: TrackId; source: TrackSourceKind; relayId: string | null; atMs: number }];
  /** The track's publisher or relay-in ended; its subscriptions and relay-outs end with it. */
  sourceClosed: [{ trackId: TrackId; source: TrackSourceKind; relayId: string | null; reason: SourceClosedReason }];
  subscriptionClosed: [{ subscriptionId: string; trackId: TrackId; reason: SubscriptionClosedReason }];
  relayClosed: [{ relayId: string; trackId: TrackId; direction: "in" | "out"; reason: RelayClosedReason }];
  /** A datagram on a relay-in port was not forwarded (one event per datagram). */
  pipeDrop: [{ trackId: TrackId; relayId: string; reason: PipeDropReason }];
  /**
   * A media worker process died (mediasoup engine; werift has none). The tracks it hosted
   * are closed (their sourceClosed/subscriptionClosed/relayClosed events come too) and a
   * replacement worker is starting.
   */
  workerDied: [{ pid: number; error: string; trackIds: TrackId[] }];
  /** The replacement of a dead worker is up: new sessions succeed again. */
  workerRestarted: [{ pid: number; previousPid: number; afterMs: number }];
};

export interface SubscriptionStats {
  subscriptionId: string;
  /** ICE + DTLS are up and packets are being sent to this subscriber. */
  connected: boolean;
  packetsSent: number;
  bytesSent: number;
}

export interface RelayOutStats {
  relayId: string;
  remote: UdpEndpoint;
  packetsSent: number;
  bytesSent: number;
}

export interface RelayInStats {
  relayId: string;
  port: number;
  packetsDropped: PipeDropCounts;
}

/** Packet and byte counts are of unencrypted RTP (header + payload) as forwarded. */
export interface TrackStats {
  trackId: TrackId;
  /** Null while a relay-in waits for the pull response's TrackMedia. */
  media: TrackMedia | null;
  source: { kind: TrackSourceKind; relayId: string | null } | null;
  packetsReceived: number;
  bytesReceived: number;
  firstPacketAtMs: number | null;
  lastPacketAtMs: number | null;
  /** Sums over subscriptions. */
  packetsForwarded: number;
  bytesForwarded: number;
  subscriptions: SubscriptionStats[];
  relaysOut: RelayOutStats[];
  relayIn: RelayInStats | null;
}

export interface MediaEngine extends TypedEvents<MediaEngineEvents> {
  /** `werift` or `mediasoup`. */
  readonly name: string;
  /**
   * Where relay pipe packets are handled. `node`: every datagram passes through this process
   * (werift) — judged, counted by drop reason, held until setRelayMedia(). `worker`: worker to
   * worker (mediasoup PlainTransports) — the worker pins the upstream and refuses everything
   * else without counting it (packetsDropped stays 0), packets before setRelayMedia() are
   * refused, and relayOut() sends the worker's own SSRC and payload type (in its handle's media).
   */
  readonly relayPlane: "node" | "worker";
  /** Why this engine runs here (createEngine()'s choice, e.g. "auto: mediasoup 3.8.4 worker found at …"). */
  readonly selectionReason: string;
  readonly closed: boolean;

  /**
   * WHIP: answers a client's sendonly offer (one audio or video m-section is used; others
   * are answered inactive). Rejects with MediaError `invalid_sdp`, `unsupported_codec`,
   * or `track_exists` if the track already has a source here.
   */
  publish(trackId: TrackId, offerSdp: string): Promise<PublishResult>;
  /** Ends the publisher (sourceClosed `unpublished`); unknown track → not_found. */
  unpublish(trackId: TrackId): Promise<void>;

  /**
   * WHEP: answers a client's recvonly offer with a sendonly answer and forwards the track
   * (local publisher or relay-in) with SSRC/payload type rewritten to what was negotiated.
   * The track must exist here with known media, else RelaywatchError `not_found`.
   */
  subscribe(trackId: TrackId, offerSdp: string): Promise<SubscribeResult>;
  unsubscribe(subscriptionId: string): Promise<void>;

  /** Sends the track as plain RTP to `remote`, as the handle's media says (SSRC, payload type, source port). */
  relayOut(trackId: TrackId, remote: UdpEndpoint): Promise<RelayOutHandle>;
  /**
   * Binds a port in `rtpPortRange` and makes it the track's source. Without `media` the
   * pipe holds what arrives (bounded) until setRelayMedia() — for a pull whose response,
   * carrying the TrackMedia, comes after the port had to be named in the request.
   * The pipe believes one sender: `upstream` when the caller names it; else the addresses
   * setRelaySources()'s resolver gives for the `sourcePort` the sending pipe announced in its
   * media (relayOut() fills it in); else the first source of the track's RTP (latched).
   * Datagrams from any other address are dropped as `wrong_source` (pipe-drop.ts).
   */
  relayIn(trackId: TrackId, media?: TrackMedia, upstream?: UdpEndpoint): Promise<RelayInHandle>;
  setRelayMedia(relayId: string, media: TrackMedia, upstream?: UdpEndpoint): Promise<void>;
  /**
   * How a sending pipe's announced port maps to the addresses its packets can arrive from
   * (the region's peer routes: a WAN proxy or NAT in between shows another address). Set by
   * the region node once its peers are known; relay-ins set up later use it.
   */
  setRelaySources(resolve: RelaySourceResolver | null): void;
  /** Closes a relay-in or relay-out by id; closing a relay-in ends the track's source. */
  closeRelay(relayId: string): Promise<void>;

  /** One track's counters; unknown track → not_found. */
  stats(trackId: TrackId): TrackStats;
  /** Every track this engine holds (for /v1/state). */
  tracks(): TrackStats[];
  /** Datagrams dropped on relay-in pipes since start, by reason (survives closed relays). */
  pipeDropTotals(): PipeDropCounts;

  /** Idempotent; releases every socket; later calls reject with InvalidStateError. */
  close(): Promise<void>;
}
