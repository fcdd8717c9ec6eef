// The relay machine's contract (relay-machine.ts): one region's relay state, the events
// that drive it and the effects it asks for. Plain data only: no handles, no promises,
// no spans. The region node (sfu/node/relay-manager.ts) and the property-test simulator
// (test/support/relay-sim/simulate.ts) both feed these events and perform these effects.
import type { Region, TrackId } from "../../core/region.js";
import type { TrackMedia } from "../media/track-media.js";
import type { LegacyBehaviours } from "./legacy-behaviours.js";
import type { Candidate } from "./locator.js";
import type { PullRefusal } from "./pull-policy.js";
import type { TrackTable } from "./track-table.js";

/** This region's relay-in for a relay: opened before the first pull, kept across candidates. */
export type RelayIn =
  | { kind: "none" }
  | { kind: "opening" }
  | { kind: "open"; id: string; port: number };

/**
 * Where this region's own pull of a track stands.
 *  locating   waiting for the locate timer (announce-early's settle wait, or a retry
 *             after every candidate refused)
 *  requested  a pull is on its way to `upstream` (sent once the relay-in is open)
 *  pending    `upstream` attached us to its own relay still being set up (202): its
 *             pull-result follows, or the pending-pull timeout
 *  accepted   served: chain and media known, waiting for the first packet
 *  flowing    packets arrive
 */
export type RelayPhase =
  | { kind: "locating" }
  | { kind: "requested"; upstream: Region; pullId: string }
  | { kind: "pending"; upstream: Region; pullId: string }
  | { kind: "accepted"; upstream: Region; pullId: string; chain: readonly Region[]; media: TrackMedia; mediaSet: boolean }
  | { kind: "flowing"; upstream: Region; pullId: string; chain: readonly Region[]; media: TrackMedia; mediaSet: boolean };

export interface Relay {
  /** Names this relay in effects and events (relay-in, spans, timers); unique per region. */
  serial: number;
  /** The pull path this relay was started with, this region last. */
  pullPath: readonly Region[];
  startedAt: number;
  relayIn: RelayIn;
  /** The last locate's answer, and the index of the next candidate to try. */
  candidates: readonly Candidate[];
  next: number;
  /** Bumped on every scheduled locate, so a stale locate timer is ignored. */
  round: number;
  phase: RelayPhase;
  /** Pull from the origin only (an operator's reset after a loop: no copy can be trusted). */
  originOnly?: boolean;
}

export type TrackSource = { kind: "none" } | { kind: "publisher" } | { kind: "relay"; relay: Relay };

/** A relay-out this region opens (or will) for a downstream region's pull. */
export type RelayOut =
  | { kind: "none" }
  /** `reply`: the pull request to answer once it is open (null: a pull-result goes out instead). */
  | { kind: "opening"; reply: string | null }
  | { kind: "open"; id: string };

export interface Downstream {
  region: Region;
  pullId: string;
  /** The downstream's relay-in port as it reported it (mapped to an address by the node). */
  port: number;
  relayOut: RelayOut;
}

export interface TrackState {
  track: TrackId;
  source: TrackSource;
  /** Regions this one relays the track to (relay-out open or opening). */
  served: ReadonlyMap<Region, Downstream>;
  /** Regions attached to this region's relay still being set up: served once it flows. */
  attached: ReadonlyMap<Region, Downstream>;
  subscribers: ReadonlySet<string>;
  /** Local subscribe requests waiting for the track's media. */
  waiters: ReadonlySet<string>;
  /** The linger timer runs (demand went away while a relay was up). */
  lingering: boolean;
  firstPacketAt: number | null;
  updatedAt: number;
}

export interface RelayConfig {
  self: Region;
  /** A random string per process start, the tail of this region's pull ids. */
  instance: string;
  lingerMs: number;
  /** announce-early's settle wait before locating (legacy only; default the policy's). */
  settleMs?: number | undefined;
  retryMs: number;
  upstreamLostMs: number;
}

export interface RelayMachineState {
  config: RelayConfig;
  tracks: ReadonlyMap<TrackId, TrackState>;
  /** Peers reported unreachable whose upstream-lost timer runs. */
  suspects: ReadonlySet<Region>;
  nextSerial: number;
  pullCounter: number;
  closed: boolean;
}

/** What the machine reads of the world at each step (time passed in). */
export interface RelayEnv {
  now: number;
  table: TrackTable;
  rtts: ReadonlyMap<Region, number>;
  behaviours: LegacyBehaviours;
}

export type TimerKey =
  | { kind: "locate"; track: TrackId; relay: number; round: number }
  | { kind: "pending-timeout"; track: TrackId; pullId: string }
  | { kind: "linger"; track: TrackId }
  | { kind: "upstream-lost"; region: Region };

/** The answer to one of our pulls, as the caller classified it. */
export type PullOutcome =
  | { kind: "served"; chain: readonly Region[]; media: TrackMedia }
  | { kind: "pending"; chain: readonly Region[] }
  | { kind: "refused"; why: string };

export type PullResultBody = { chain: readonly Region[]; media: TrackMedia } | { error: string };

/** An incoming peer call the machine answers (with a `reply` effect carrying `requestId`). */
export interface PeerCall {
  requestId: string;
  from: Region;
  track: TrackId;
  pullId: string;
}

export type RelayEvent =
  | { kind: "waiter-added"; track: TrackId; id: string }
  | { kind: "waiter-gone"; track: TrackId; id: string }
  | { kind: "subscribe-failed"; track: TrackId }
  | { kind: "subscriber-added"; track: TrackId; id: string }
  | { kind: "subscriber-gone"; track: TrackId; id: string }
  | { kind: "publisher-added"; track: TrackId }
  | { kind: "publisher-gone"; track: TrackId }
  | { kind: "relay-in-opened"; track: TrackId; relay: number; id: string; port: number }
  | { kind: "relay-in-failed"; track: TrackId; relay: number }
  | { kind: "relay-in-closed"; track: TrackId; id: string }
  | { kind: "relay-media-set"; track: TrackId; pullId: string; ok: boolean }
  | { kind: "first-packet"; track: TrackId; relayInId: string | null; at: number }
  | { kind: "relay-out-opened"; track: TrackId; region: Region; pullId: string; id: string; media: TrackMedia }
  | { kind: "relay-out-failed"; track: TrackId; region: Region; pullId: string }
  | { kind: "relay-out-closed"; track: TrackId; id: string }
  | { kind: "pull-answered"; track: TrackId; from: Region; pullId: string; outcome: PullOutcome }
  | ({ kind: "pull-result" } & PeerCall & { result: PullResultBody })
  | ({ kind: "upstream-closed" } & PeerCall)
  | ({ kind: "pull-arrived" } & PeerCall & { path: readonly Region[]; port: number })
  | ({ kind: "leave-arrived" } & PeerCall)
  | { kind: "pull-result-answered"; track: TrackId; to: Region; pullId: string; accepted: boolean }
  | { kind: "peer-reachability"; region: Region; reachable: boolean }
  | { kind: "timer"; timer: TimerKey }
  /** An operator drops this region's relay of the track (admin API, breaking a loop): it re-locates from the origin. */
  | { kind: "relay-reset"; track: TrackId }
  | { kind: "close" };

/** Why a relay was started: the shell parents its span on that request's or relay's. */
export type RelayCause =
  | { kind: "waiter"; id: string }
  | { kind: "pull"; requestId: string }
  | { kind: "restart"; previous: number };

export type PullDecisionLabel = "serve" | "attach" | "pull" | PullRefusal;

export type RelayEffect =
  | { kind: "open-relay-in"; track: TrackId; relay: number }
  /** `upstream`: the region that served the pull (the relay-in believes only its pipe). */
  | { kind: "set-relay-media"; track: TrackId; pullId: string; relayInId: string; media: TrackMedia; upstream: Region }
  | { kind: "open-relay-out"; track: TrackId; region: Region; pullId: string; port: number }
  | { kind: "close-relay"; track: TrackId; id: string }
  | { kind: "send-pull"; track: TrackId; relay: number; to: Region; pullId: string; path: readonly Region[]; port: number }
  | { kind: "send-leave"; track: TrackId; to: Region; pullId: string }
  | { kind: "send-close"; track: TrackId; to: Region; pullId: string }
  | { kind: "send-pull-result"; track: TrackId; to: Region; pullId: string; result: PullResultBody }
  | { kind: "reply"; requestId: string; status: number; body: unknown }
  | { kind: "resolve-waiters"; track: TrackId; ids: readonly string[] }
  | { kind: "reject-waiters"; track: TrackId; ids: readonly string[]; code: "unknown_track" | "closed"; message: string }
  | { kind: "start-timer"; timer: TimerKey; ms: number }
  | { kind: "cancel-timer"; timer: TimerKey }
  | { kind: "changed"; track: TrackId }
  | { kind: "relay-started"; track: TrackId; relay: number; pullPath: readonly Region[]; cause: RelayCause }
  | { kind: "relay-located"; track: TrackId; relay: number; candidates: readonly Candidate[] }
  | { kind: "relay-flowing"; track: TrackId; relay: number; chain: readonly Region[]; setupMs: number }
  | { kind: "relay-ended"; track: TrackId; relay: number; why: string; flowing: boolean }
  | { kind: "pull-decided"; track: TrackId; requestId: string; from: Region; decision: PullDecisionLabel }
  | { kind: "gave-up"; track: TrackId; upstream: Region; why: "pending_timeout" | "upstream_lost"; afterMs: number };

export interface StepResult {
  state: RelayMachineState;
  effects: RelayEffect[];
}
