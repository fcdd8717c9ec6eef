// The simulator's contract (simulate.ts): its configuration, actions, messages and result.
import type { Region, TrackId } from "../../core/region.js";
import type { LegacyBehaviours } from "./legacy-behaviours.js";
import type { PullRefusal } from "./pull-policy.js";
import type { TrackAnnouncement } from "./track-table.js";

export interface SimMessageInfo {
  /** Send order of the message across the whole run, from 0. */
  index: number;
  kind: SimMessage["kind"];
  from: Region;
  to: Region;
}

export interface SimConfig {
  regions: readonly Region[];
  /** The RTT each region measures to each other region (symmetric). */
  rttMs(a: Region, b: Region): number;
  /** Where each track is published. */
  origins: ReadonlyMap<TrackId, Region>;
  behaviours?: ReadonlyMap<Region, LegacyBehaviours>;
  /** Delivery delay of a message; default half the RTT. */
  delayMs?(msg: SimMessageInfo): number;
  /** announce-early's settle delay (default the policy's). */
  settleMs?: number;
  retryMs?: number;
}

/** Subscribers arrive (`demand`) or all leave (`undemand`), or the region's relay-in dies (`break`). */
export interface SimAction {
  at: number;
  kind: "demand" | "undemand" | "break";
  region: Region;
  track: TrackId;
}

export type SimMessage =
  | { kind: "announce"; a: TrackAnnouncement }
  | { kind: "pull"; track: TrackId; path: readonly Region[]; id: number }
  /** `pending`: accepted, the server's own relay is still being set up (attach); a final reply follows. */
  | { kind: "reply"; track: TrackId; id: number; chain: readonly Region[] | null; pending: boolean; error: PullRefusal | null }
  /** Upstream → downstream: the relay of pull `id` is closed. */
  | { kind: "close"; track: TrackId; id: number }
  /** Downstream → upstream: release the relay of pull `id` (an id, so a late release never ends a newer relay). */
  | { kind: "leave"; track: TrackId; id: number };

/**
 * A relay as its region would report it in /v1/state: `locating` until a candidate has
 * accepted the pull (a pull still in flight shows no upstream), `pulling` once accepted
 * but before packets flow, `flowing` once they do.
 */
export interface SimRelayView {
  state: "locating" | "pulling" | "flowing";
  upstream: Region | null;
  chain: readonly Region[];
  local: boolean;
}

export interface SimResult {
  /** Each region's relay of each track at the end (origins have none). */
  relays: Map<TrackId, Map<Region, SimRelayView>>;
  /** The first cycle in any track's upstream graph, e.g. [eu-central, eu-west, eu-central]. */
  firstCycle: { at: number; track: TrackId; cycle: Region[] } | null;
  /**
   * The first cycle none of whose members had a `close` for that track on its way to it.
   * A cycle with one is a stale chain healing: a member's upstream re-pulled from
   * elsewhere after closing it, and it served a pull on the old chain meanwhile; the
   * close tears it down within one message delay. (The chain-based guard cannot see a
   * change its own close has not delivered yet.)
   */
  firstUnhealingCycle: { at: number; track: TrackId; cycle: Region[] } | null;
  /** One line per processed event, in order: the interleaving that happened. */
  log: string[];
  /** True when nothing was left to happen before `untilMs`. */
  quiescent: boolean;
}
