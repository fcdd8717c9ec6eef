import { describe, expect, it } from "vitest";
import { initialSessionState, observeSession, type SessionObservation, type SessionState } from "./session-expiry.js";

const LIMITS = { connectTimeoutMs: 15_000, mediaTimeoutMs: 30_000 };
const NOT_CONNECTED: SessionObservation = { connected: false, lastMediaAtMs: null };

function run(state: SessionState, obs: SessionObservation, now: number) {
  return observeSession(state, obs, now, LIMITS);
}

describe("observeSession()", () => {
  it("expires a session that never connected at connectTimeoutMs, not a millisecond before", () => {
    const s0 = initialSessionState(1_000);
    expect(run(s0, NOT_CONNECTED, 1_000 + LIMITS.connectTimeoutMs - 1).expired).toBeNull();
    expect(run(s0, NOT_CONNECTED, 1_000 + LIMITS.connectTimeoutMs).expired).toBe("not_connected");
  });

  it("keeps a publisher whose packets keep coming, and expires it mediaTimeoutMs after its last packet", () => {
    let s = initialSessionState(0);
    s = run(s, { connected: true, lastMediaAtMs: 500 }, 1_000).state;
    s = run(s, { connected: true, lastMediaAtMs: 40_000 }, 40_100).state;
    expect(run(s, { connected: true, lastMediaAtMs: 40_000 }, 40_000 + LIMITS.mediaTimeoutMs - 1).expired).toBeNull();
    expect(run(s, { connected: true, lastMediaAtMs: 40_000 }, 40_000 + LIMITS.mediaTimeoutMs).expired).toBe("media_stopped");
  });

  it("a publisher whose first packet came late (after connectTimeoutMs of waiting) is not expired once it flows", () => {
    const s = initialSessionState(0);
    expect(run(s, { connected: true, lastMediaAtMs: 14_000 }, 20_000).expired).toBeNull();
  });

  it("a subscriber stays while connected and expires mediaTimeoutMs after it was last seen connected", () => {
    let s = initialSessionState(0);
    s = run(s, { connected: true, lastMediaAtMs: null }, 2_000).state;
    s = run(s, { connected: true, lastMediaAtMs: null }, 100_000).state;
    expect(s.aliveAtMs).toBe(100_000);
    const gone = run(s, NOT_CONNECTED, 100_000 + LIMITS.mediaTimeoutMs - 1);
    expect(gone.expired).toBeNull();
    expect(run(gone.state, NOT_CONNECTED, 100_000 + LIMITS.mediaTimeoutMs).expired).toBe("media_stopped");
  });

  it("an older packet time never moves aliveness backwards", () => {
    let s = initialSessionState(0);
    s = run(s, { connected: true, lastMediaAtMs: 9_000 }, 9_100).state;
    s = run(s, { connected: true, lastMediaAtMs: 3_000 }, 9_200).state;
    expect(s.aliveAtMs).toBe(9_000);
  });
});
