import { describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import type { IsolationPolicy } from "../../core/region-health.js";
import {
  EVENT_LOOP_LAG_LIMIT_MS,
  GUARDED_RECOVERY_MS,
  GUARDED_SUSPECT_WINDOW_MS,
  initialIsolation,
  NAIVE_RECOVERY_MS,
  observeIsolation,
  overrideOnline,
  withPolicy,
  type IsolationInput,
  type IsolationState,
  type WitnessState,
} from "./isolation-policy.js";

const PEERS = 4;
const ROUND_MS = 1_000;

interface Round {
  answered: number;
  witness?: WitnessState;
  lagMs?: number;
}

/**
 * Drives a policy one heartbeat round per second of a manual clock, as the node's loop
 * would. Periods are measured between the first and the latest qualifying round, so a
 * 15 s window is crossed on the 16th silent round.
 */
class Harness {
  readonly clock = new ManualClock(1_700_000_000_000);
  state: IsolationState;
  readonly decisions: NonNullable<IsolationState["decision"]>[] = [];

  constructor(policy: IsolationPolicy) {
    this.state = initialIsolation(policy, this.clock.now());
  }

  /** Runs rounds for `ms` of clock time, one every ROUND_MS, each like `round`. */
  run(ms: number, round: Round): this {
    for (let t = 0; t < ms; t += ROUND_MS) {
      this.clock.advance(ROUND_MS);
      const input: IsolationInput = {
        now: this.clock.now(),
        peersAnswered: round.answered,
        peersTotal: PEERS,
        witness: round.witness ?? "reachable",
        eventLoopLagMs: round.lagMs ?? 2,
      };
      this.state = observeIsolation(this.state, input);
      if (this.state.decision !== null) this.decisions.push(this.state.decision);
    }
    return this;
  }

  offlineRounds(): number {
    return this.decisions.filter((d) => d.state === "offline").length;
  }
}

const silent = (witness: WitnessState = "reachable", lagMs = 2): Round => ({ answered: 0, witness, lagMs });
const healthy: Round = { answered: PEERS };

describe("isolation policy naive (legacy)", () => {
  it("goes offline on the first round in which no peer answers (a 3 s blip is enough)", () => {
    const h = new Harness("naive").run(10_000, healthy).run(3_000, silent());
    expect(h.state.state).toBe("offline");
    expect(h.decisions.at(-3)).toMatchObject({ changed: true, state: "offline", reason: "all_peers_unreachable" });
  });

  it("stays offline until every peer has answered for the recovery period", () => {
    const h = new Harness("naive").run(1_000, silent());
    h.run(NAIVE_RECOVERY_MS, healthy);
    expect(h.state.state).toBe("offline");
    expect(h.state.decision?.reason).toBe("recovering");
    h.run(ROUND_MS, healthy);
    expect(h.state.state).toBe("online");
    expect(h.state.decision).toMatchObject({ changed: true, reason: "recovered" });
  });

  it("restarts the recovery period when one peer misses a round", () => {
    const h = new Harness("naive").run(1_000, silent()).run(20_000, healthy).run(1_000, { answered: PEERS - 1 });
    h.run(NAIVE_RECOVERY_MS, healthy);
    expect(h.state.state).toBe("offline");
    h.run(ROUND_MS, healthy);
    expect(h.state.state).toBe("online");
  });

  it("never isolates a region without peers", () => {
    let s = initialIsolation("naive", 0);
    s = observeIsolation(s, { now: 1000, peersAnswered: 0, peersTotal: 0, witness: "unconfigured", eventLoopLagMs: 0 });
    expect(s.state).toBe("online");
    expect(s.decision?.reason).toBe("no_peers");
  });
});

describe("isolation policy guarded (default)", () => {
  it("stays online through a 3 s loss of every peer, even with the witness unreachable", () => {
    const h = new Harness("guarded").run(10_000, healthy).run(3_000, silent("unreachable")).run(5_000, healthy);
    expect(h.offlineRounds()).toBe(0);
    expect(h.decisions.filter((d) => d.reason === "suspect")).toHaveLength(3);
  });

  it("goes offline after every peer and the witness have been unreachable past the window", () => {
    const h = new Harness("guarded").run(5_000, healthy).run(GUARDED_SUSPECT_WINDOW_MS, silent("unreachable"));
    expect(h.state.state).toBe("online");
    h.run(ROUND_MS, silent("unreachable"));
    expect(h.state.state).toBe("offline");
    expect(h.state.decision).toMatchObject({ changed: true, reason: "isolated" });
    expect(h.state.decision?.detail).toContain("witness unreachable");
  });

  it("stays online however long the peers are silent while the witness answers", () => {
    const h = new Harness("guarded").run(120_000, silent("reachable"));
    expect(h.offlineRounds()).toBe(0);
    expect(h.state.decision?.reason).toBe("witness_reachable");
  });

  it("goes offline without a witness configured once the window has passed", () => {
    const h = new Harness("guarded").run(GUARDED_SUSPECT_WINDOW_MS + ROUND_MS, silent("unconfigured"));
    expect(h.state.state).toBe("offline");
    expect(h.state.decision?.detail).toContain("no witness configured");
  });

  it("never self-isolates while its event loop lags, and needs a full healthy window afterwards", () => {
    const h = new Harness("guarded").run(60_000, silent("unreachable", EVENT_LOOP_LAG_LIMIT_MS + 1));
    expect(h.offlineRounds()).toBe(0);
    expect(h.state.decision?.reason).toBe("self_unhealthy");
    h.run(GUARDED_SUSPECT_WINDOW_MS, silent("unreachable"));
    expect(h.state.state).toBe("online");
    h.run(ROUND_MS, silent("unreachable"));
    expect(h.state.state).toBe("offline");
  });

  it("restarts the window when any peer answers", () => {
    const h = new Harness("guarded").run(10_000, silent("unreachable")).run(ROUND_MS, { answered: 1 }).run(10_000, silent("unreachable"));
    expect(h.offlineRounds()).toBe(0);
  });

  it("comes back online only after peers have answered for the hysteresis period", () => {
    const h = new Harness("guarded").run(GUARDED_SUSPECT_WINDOW_MS + ROUND_MS, silent("unreachable"));
    expect(h.state.state).toBe("offline");
    h.run(GUARDED_RECOVERY_MS, { answered: 1 });
    expect(h.state.state).toBe("offline");
    expect(h.state.decision?.reason).toBe("recovering");
    h.run(ROUND_MS, { answered: 1 });
    expect(h.state.state).toBe("online");
    expect(h.state.decision).toMatchObject({ changed: true, reason: "recovered" });
  });

  it("restarts the hysteresis when the peers fall silent again", () => {
    const h = new Harness("guarded").run(GUARDED_SUSPECT_WINDOW_MS + ROUND_MS, silent("unreachable"));
    h.run(GUARDED_RECOVERY_MS, healthy).run(ROUND_MS, silent("unreachable")).run(GUARDED_RECOVERY_MS, healthy);
    expect(h.state.state).toBe("offline");
    h.run(ROUND_MS, healthy);
    expect(h.state.state).toBe("online");
  });
});

describe("the incident's blip (acceptance)", () => {
  it("the same 3 s loss of every peer takes naive offline and leaves guarded online", () => {
    const script = (h: Harness): Harness => h.run(10_000, healthy).run(3_000, silent("reachable")).run(5_000, healthy);
    expect(script(new Harness("naive")).offlineRounds()).toBeGreaterThan(0);
    expect(script(new Harness("guarded")).offlineRounds()).toBe(0);
  });
});

describe("withPolicy()", () => {
  it("switches policy at run time, keeping the state and restarting the clocks", () => {
    const h = new Harness("guarded").run(10_000, silent("unreachable"));
    const s = withPolicy(h.state, "naive");
    expect(s).toMatchObject({ policy: "naive", state: "online", silentSince: null });
    expect(withPolicy(s, "naive")).toBe(s);
  });
});

describe("overrideOnline()", () => {
  it("brings a falsely isolated naive region online at once and hands it back to its policy", () => {
    const h = new Harness("naive").run(5_000, healthy).run(2_000, silent()).run(3_000, healthy);
    expect(h.state.state).toBe("offline");
    h.state = overrideOnline(h.state, h.clock.now(), "operator override");
    expect(h.state).toMatchObject({ state: "online", since: h.clock.now(), silentSince: null, answeringSince: null });
    expect(h.state.decision).toMatchObject({ changed: true, reason: "overridden", state: "online" });
    // The policy decides again from here: answering rounds keep it online…
    h.run(5_000, healthy);
    expect(h.state).toMatchObject({ state: "online", policy: "naive" });
    // …and a fresh silent round takes it offline as the (legacy) policy says.
    h.run(1_000, silent());
    expect(h.state.state).toBe("offline");
  });

  it("on a region already online changes nothing but the clocks", () => {
    const h = new Harness("guarded").run(5_000, silent("unreachable"));
    const s = overrideOnline(h.state, h.clock.now(), "operator override");
    expect(s).toMatchObject({ state: "online", since: h.state.since, silentSince: null });
    expect(s.decision?.changed).toBe(false);
  });
});
