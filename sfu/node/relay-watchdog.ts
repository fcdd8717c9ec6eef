// The relay manager's two give-up timers, for relays waiting on something that is not coming:
//  - a pull the upstream accepted as pending but that brings no media within
//    PENDING_PULL_TIMEOUT_MS (pull-policy.ts; typically a relay loop, each region waiting
//    for the other): the puller leaves that upstream and tries its next candidate. Part of the loop guard —
//    with the legacy `no-loop-guard` a looped pull waits forever, as in the incident, until
//    the behaviour is switched off;
//  - an upstream region no heartbeat has reached for upstreamLostMs: every relay pulling
//    from it is torn down so its subscribers re-locate. A shorter blip changes nothing.
// Timing policy only: what giving up means is the manager's (callbacks).
import type { Clock, TimerHandle } from "../../core/clock.js";
import type { Region } from "../../core/region.js";
import { loopGuardOn, type LegacyBehaviours } from "../relay/legacy-behaviours.js";
import { PENDING_PULL_TIMEOUT_MS } from "../relay/pull-policy.js";


export interface RelayWatchdogOptions {
  clock: Clock;
  behaviours: () => LegacyBehaviours;
  upstreamLostMs: number;
}

export class RelayWatchdog {
  private readonly o: RelayWatchdogOptions;
  /** Peers reported unreachable, each with the timer that declares them lost. */
  private readonly lostPeers = new Map<Region, TimerHandle>();
  private closed = false;

  constructor(o: RelayWatchdogOptions) {
    this.o = o;
  }

  /**
   * Calls `giveUp` once the pull has been pending for PENDING_PULL_TIMEOUT_MS, while
   * `stillPending()` holds and the loop guard is on (re-armed while it is off).
   */
  watchPending(stillPending: () => boolean, giveUp: () => void): TimerHandle {
    const handle = { timer: null as TimerHandle | null, cancelled: false };
    const arm = (): void => {
      handle.timer = this.o.clock.setTimeout(() => {
        if (handle.cancelled || this.closed || !stillPending()) return;
        if (!loopGuardOn(this.o.behaviours())) arm();
        else giveUp();
      }, PENDING_PULL_TIMEOUT_MS);
    };
    arm();
    return {
      cancel: () => {
        handle.cancelled = true;
        handle.timer?.cancel();
      },
    };
  }

  /** A peer's reachability changed; `lost` runs after upstreamLostMs of unreachability. */
  peerReachability(region: Region, reachable: boolean, lost: (region: Region) => void): void {
    if (reachable || this.closed) {
      this.lostPeers.get(region)?.cancel();
      this.lostPeers.delete(region);
      return;
    }
    if (this.lostPeers.has(region)) return;
    this.lostPeers.set(region, this.o.clock.setTimeout(() => {
      this.lostPeers.delete(region);
      if (!this.closed) lost(region);
    }, this.o.upstreamLostMs));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.lostPeers.values()) timer.cancel();
    this.lostPeers.clear();
  }
}
