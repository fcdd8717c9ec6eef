import { describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import type { LegacyBehaviour } from "../relay/legacy-behaviours.js";
import { PENDING_PULL_TIMEOUT_MS } from "../relay/pull-policy.js";
import { RelayWatchdog } from "./relay-watchdog.js";

function setup(behaviours: LegacyBehaviour[] = []) {
  const clock = new ManualClock(0);
  const current = new Set<LegacyBehaviour>(behaviours);
  const dog = new RelayWatchdog({ clock, behaviours: () => current, upstreamLostMs: 10_000 });
  return { clock, current, dog };
}

describe("RelayWatchdog", () => {
  it("gives up on a pull still pending after PENDING_PULL_TIMEOUT_MS, not before, and not once it got media", () => {
    const { clock, dog } = setup();
    let pending = true;
    let gaveUp = 0;
    dog.watchPending(() => pending, () => gaveUp++);
    clock.advance(PENDING_PULL_TIMEOUT_MS - 1);
    expect(gaveUp).toBe(0);
    clock.advance(1);
    expect(gaveUp).toBe(1);
    dog.watchPending(() => pending, () => gaveUp++);
    pending = false;
    clock.advance(PENDING_PULL_TIMEOUT_MS);
    expect(gaveUp).toBe(1);
  });

  it("with no-loop-guard a looped pull waits forever; switched off, it gives up within one more period", () => {
    const { clock, current, dog } = setup(["no-loop-guard"]);
    let gaveUp = 0;
    dog.watchPending(() => true, () => gaveUp++);
    clock.advance(PENDING_PULL_TIMEOUT_MS * 10);
    expect(gaveUp).toBe(0);
    current.clear();
    clock.advance(PENDING_PULL_TIMEOUT_MS);
    expect(gaveUp).toBe(1);
  });

  it("a cancelled watch never fires", () => {
    const { clock, dog } = setup();
    let gaveUp = 0;
    dog.watchPending(() => true, () => gaveUp++).cancel();
    clock.advance(PENDING_PULL_TIMEOUT_MS * 2);
    expect(gaveUp).toBe(0);
  });

  it("declares a peer lost after upstreamLostMs of unreachability; a blip (reachable again before) changes nothing", () => {
    const { clock, dog } = setup();
    const lost: string[] = [];
    dog.peerReachability("eu-west", false, (r) => lost.push(r));
    clock.advance(9_999);
    dog.peerReachability("eu-west", true, (r) => lost.push(r));
    clock.advance(10_000);
    expect(lost).toEqual([]);
    dog.peerReachability("eu-west", false, (r) => lost.push(r));
    clock.advance(5_000);
    dog.peerReachability("eu-west", false, (r) => lost.push(r)); // repeated reports do not restart the timer
    clock.advance(5_000);
    expect(lost).toEqual(["eu-west"]);
    dog.peerReachability("us-west", false, (r) => lost.push(r));
    dog.close();
    clock.advance(10_000);
    expect(lost).toEqual(["eu-west"]);
  });
});
