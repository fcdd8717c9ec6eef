// The simulator's contract (simulate.ts): its configuration, actions, messages and result.
import type { Region, TrackId } from "../../../core/region.js";
import type { LegacyBehaviours } from "../../../sfu/relay/legacy-behaviours.js";

export interface SimMessageInfo {
  /** Send order of the message across the whole run, from 0. */
  index: number;
  kind: SimMessageKind;
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
  /** The relay machine's retry delay after every candidate refused (default RELAY_RETRY_MS). */
  retryMs?: number;
  /** How long a relay outlives its last demand (default SIM_LINGER_MS). */
  lingerMs?: number;
}

/**
 * A region's subscriber client starts wanting the track (`demand`: it subscribes, and
 * subscribes again whenever its subscription or wait ends) or stops (`undemand`), or the
 * region's relay-in dies in its engine (`break`).
 */
export interface SimAction {
  at: number;
  kind: "demand" | "undemand" | "break";
  region: Region;
  track: TrackId;
}

/**
 * The messages between regions: `pull` (a pull request), `reply` (its answer, or an
 * upstream's pull-result for an attached pull), `answer` (the downstream's answer to a
 * pull-result), `close` (upstream → downstream: the relay of a pull id ended), `leave`
 * (downstream → upstream: release it) and `announce` (track table snapshots).
 */
export type SimMessageKind = "announce" | "pull" | "reply" | "answer" | "close" | "leave";

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
