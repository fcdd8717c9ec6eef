import { describe, expect, it } from "vitest";
import type { Region } from "../../core/region.js";
import type { TrackMedia } from "../media/track-media.js";
import { NO_LEGACY_BEHAVIOURS, parseBehaviours, type LegacyBehaviours } from "./legacy-behaviours.js";
import { PENDING_PULL_TIMEOUT_MS } from "./pull-policy.js";
import { initialRelays, RELAY_RETRY_MS, step } from "./relay-machine.js";
import type { RelayEffect, RelayEvent, RelayMachineState } from "./relay-machine-types.js";
import { applyAnnouncement, emptyTrackTable, snapshotAnnouncement, type TrackTable } from "./track-table.js";
import { hasMedia, localCopy } from "./relay-views.js";

const TRACK = "live/cam";
const MEDIA: TrackMedia = { kind: "video", codec: { mimeType: "video/VP8", payloadType: 96, clockRate: 90_000 }, ssrc: 7 };
const CONFIG = { self: "b", instance: "test", lingerMs: 300, retryMs: RELAY_RETRY_MS, upstreamLostMs: 10_000 };

/** A table where `a` originates the track and `c` holds a copy; c is nearer to b than a. */
function table(now = 0): TrackTable {
  let t = emptyTrackTable();
  t = applyAnnouncement(t, snapshotAnnouncement("a", 1, [{ track: TRACK, origin: true, pathLength: 0 }], now, 60_000), now);
  t = applyAnnouncement(t, snapshotAnnouncement("c", 1, [{ track: TRACK, origin: false, pathLength: 1, upstream: "a" }], now, 60_000), now);
  return t;
}

const RTTS = new Map<Region, number>([["a", 100], ["c", 10]]);

/** Feeds events in order; returns the last state and every effect, by kind. */
class Run {
  state: RelayMachineState = initialRelays(CONFIG);
  effects: RelayEffect[] = [];
  now = 0;
  tbl: TrackTable = table();
  behaviours: LegacyBehaviours = NO_LEGACY_BEHAVIOURS;

  feed(...events: RelayEvent[]): RelayEffect[] {
    const out: RelayEffect[] = [];
    for (const e of events) {
      const r = step(this.state, e, { now: this.now, table: this.tbl, rtts: RTTS, behaviours: this.behaviours });
      this.state = r.state;
      out.push(...r.effects);
    }
    this.effects.push(...out);
    return out;
  }

  of<K extends RelayEffect["kind"]>(kind: K, effects = this.effects): Extract<RelayEffect, { kind: K }>[] {
    return effects.filter((e): e is Extract<RelayEffect, { kind: K }> => e.kind === kind);
  }

  /** The effect of `kind` that was emitted last. */
  last<K extends RelayEffect["kind"]>(kind: K): Extract<RelayEffect, { kind: K }> {
    const all = this.of(kind);
    const e = all[all.length - 1];
    if (e === undefined) throw new Error(`no ${kind} effect`);
    return e;
  }

  /** A waiter arrives, the locate timer fires, the relay-in opens: the first pull is out. */
  startPull(): Extract<RelayEffect, { kind: "send-pull" }> {
    this.feed({ kind: "waiter-added", track: TRACK, id: "w1" });
    this.feed({ kind: "timer", timer: this.last("start-timer").timer });
    const open = this.last("open-relay-in");
    this.feed({ kind: "relay-in-opened", track: TRACK, relay: open.relay, id: "in-1", port: 5000 });
    return this.last("send-pull");
  }
}

function behaviours(text: string): LegacyBehaviours {
  const r = parseBehaviours(text);
  if (!r.ok) throw new Error(r.error.value);
  return r.behaviours;
}

function deepFreeze<T>(v: T): T {
  if (typeof v !== "object" || v === null || Object.isFrozen(v)) return v;
  if (v instanceof Map) for (const [k, x] of v) { deepFreeze(k); deepFreeze(x); }
  if (v instanceof Set) for (const x of v) deepFreeze(x);
  for (const x of Object.values(v)) deepFreeze(x);
  return Object.freeze(v);
}

describe("step(): the pulling side", () => {
  it("a waiting subscribe starts a relay that pulls the cheapest candidate with path [self] once the relay-in is open", () => {
    const run = new Run();
    expect(run.feed({ kind: "waiter-added", track: TRACK, id: "w1" }).map((e) => e.kind)).toEqual(["relay-started", "start-timer", "changed"]);
    expect(run.last("start-timer")).toMatchObject({ ms: 0, timer: { kind: "locate" } });
    run.feed({ kind: "timer", timer: run.last("start-timer").timer });
    expect(run.of("send-pull")).toEqual([]);
    const pull = run.startPull();
    expect(pull).toMatchObject({ to: "c", path: ["b"], port: 5000 });
  });

  it("falls back through the candidates on refusal; when all refused it retries while a subscribe waits", () => {
    const run = new Run();
    const first = run.startPull();
    run.feed({ kind: "pull-answered", track: TRACK, from: "c", pullId: first.pullId, outcome: { kind: "refused", why: "relay_loop" } });
    const second = run.last("send-pull");
    expect(second.to).toBe("a");
    expect(second.pullId > first.pullId).toBe(true);
    const tail = run.feed({ kind: "pull-answered", track: TRACK, from: "a", pullId: second.pullId, outcome: { kind: "refused", why: "no_source" } });
    expect(run.of("start-timer", tail).map((e) => [e.ms, e.timer.kind])).toEqual([[RELAY_RETRY_MS, "locate"]]);
    expect(localCopy(run.state.tracks.get(TRACK))).toEqual({ kind: "pending", pullPath: ["b"], upstream: null });
  });

  it("refuses waiting subscribes as unknown_track when no region announces the track, and ends the relay", () => {
    const run = new Run();
    run.tbl = emptyTrackTable();
    run.feed({ kind: "waiter-added", track: TRACK, id: "w1" });
    const out = run.feed({ kind: "timer", timer: run.last("start-timer").timer });
    expect(run.of("reject-waiters", out)).toEqual([expect.objectContaining({ ids: ["w1"], code: "unknown_track" })]);
    expect(run.of("relay-ended", out)).toHaveLength(1);
    expect(run.state.tracks.has(TRACK)).toBe(false);
  });

  it("serves subscribes once the relay media is set, and flows on the first packet of its relay-in", () => {
    const run = new Run();
    const pull = run.startPull();
    run.feed({ kind: "pull-answered", track: TRACK, from: "c", pullId: pull.pullId, outcome: { kind: "served", chain: ["c", "a"], media: MEDIA } });
    // The engine pins the relay-in to the region that served the pull.
    expect(run.last("set-relay-media")).toMatchObject({ relayInId: "in-1", media: MEDIA, upstream: "c" });
    expect(hasMedia(run.state.tracks.get(TRACK))).toBe(false);
    expect(run.of("resolve-waiters", run.feed({ kind: "relay-media-set", track: TRACK, pullId: pull.pullId, ok: true }))).toEqual([expect.objectContaining({ ids: ["w1"] })]);
    const out = run.feed({ kind: "first-packet", track: TRACK, relayInId: "in-1", at: 40 });
    expect(run.of("relay-flowing", out)).toEqual([expect.objectContaining({ chain: ["c", "a"], setupMs: 0 })]);
    expect(localCopy(run.state.tracks.get(TRACK))).toEqual({ kind: "flowing", chain: ["c", "a"] });
  });

  it("leaves a pending pull that brings no media within PENDING_PULL_TIMEOUT_MS (loop guard); with no-loop-guard it waits on", () => {
    for (const [set, givesUp] of [[NO_LEGACY_BEHAVIOURS, true], [behaviours("no-loop-guard"), false]] as const) {
      const run = new Run();
      run.behaviours = set;
      const pull = run.startPull();
      run.feed({ kind: "pull-answered", track: TRACK, from: "c", pullId: pull.pullId, outcome: { kind: "pending", chain: ["c"] } });
      const armed = run.last("start-timer");
      expect(armed).toMatchObject({ ms: PENDING_PULL_TIMEOUT_MS, timer: { kind: "pending-timeout", pullId: pull.pullId } });
      run.now = PENDING_PULL_TIMEOUT_MS;
      const out = run.feed({ kind: "timer", timer: armed.timer });
      if (givesUp) {
        expect(run.of("send-leave", out)).toEqual([expect.objectContaining({ to: "c", pullId: pull.pullId })]);
        expect(run.of("send-pull", out)).toEqual([expect.objectContaining({ to: "a" })]);
      } else {
        expect(out).toEqual([{ kind: "start-timer", timer: armed.timer, ms: PENDING_PULL_TIMEOUT_MS }]);
      }
    }
  });

  it("releases a pull that got no answer, and an answer to a pull it has given up on", () => {
    const run = new Run();
    const first = run.startPull();
    const timedOut = run.feed({ kind: "pull-answered", track: TRACK, from: "c", pullId: first.pullId, outcome: { kind: "refused", why: "timeout" } });
    // No answer is not a refusal: c may have served the pull, so it is released before falling back to a.
    expect(run.of("send-leave", timedOut)).toEqual([{ kind: "send-leave", track: TRACK, to: "c", pullId: first.pullId }]);
    expect(run.of("send-pull", timedOut)).toEqual([expect.objectContaining({ to: "a" })]);
    const late = run.feed({ kind: "pull-answered", track: TRACK, from: "c", pullId: first.pullId, outcome: { kind: "pending", chain: ["c"] } });
    expect(late).toEqual([{ kind: "send-leave", track: TRACK, to: "c", pullId: first.pullId }]);
  });

  it("tears down on the upstream's close: relay-in closed, downstreams told, and it starts again while a subscribe waits", () => {
    const run = new Run();
    const pull = run.startPull();
    run.feed({ kind: "pull-answered", track: TRACK, from: "c", pullId: pull.pullId, outcome: { kind: "served", chain: ["c", "a"], media: MEDIA } });
    run.feed({ kind: "first-packet", track: TRACK, relayInId: "in-1", at: 1 });
    run.feed({ kind: "pull-arrived", requestId: "r1", from: "d", track: TRACK, pullId: "p-d", path: ["d"], port: 6000 });
    run.feed({ kind: "relay-out-opened", track: TRACK, region: "d", pullId: "p-d", id: "out-d", media: MEDIA });
    const out = run.feed({ kind: "upstream-closed", requestId: "r2", from: "c", track: TRACK, pullId: pull.pullId });
    expect(out).toEqual(expect.arrayContaining([
      { kind: "close-relay", track: TRACK, id: "in-1" },
      { kind: "close-relay", track: TRACK, id: "out-d" },
      { kind: "send-close", track: TRACK, to: "d", pullId: "p-d" },
      { kind: "reply", requestId: "r2", status: 200, body: { closed: true } },
      expect.objectContaining({ kind: "relay-started", cause: { kind: "restart", previous: pull.relay } }),
    ]));
    expect(run.of("send-leave", out)).toEqual([]);
  });

  it("tears down relays from an upstream unreachable for upstreamLostMs; reachable again in time changes nothing", () => {
    const run = new Run();
    const pull = run.startPull();
    run.feed({ kind: "pull-answered", track: TRACK, from: "c", pullId: pull.pullId, outcome: { kind: "served", chain: ["c", "a"], media: MEDIA } });
    run.feed({ kind: "peer-reachability", region: "c", reachable: false });
    expect(run.last("start-timer")).toMatchObject({ ms: 10_000, timer: { kind: "upstream-lost", region: "c" } });
    expect(run.feed({ kind: "peer-reachability", region: "c", reachable: true })).toEqual([{ kind: "cancel-timer", timer: { kind: "upstream-lost", region: "c" } }]);
    expect(run.feed({ kind: "timer", timer: { kind: "upstream-lost", region: "c" } })).toEqual([]);
    run.feed({ kind: "peer-reachability", region: "c", reachable: false });
    const out = run.feed({ kind: "timer", timer: { kind: "upstream-lost", region: "c" } });
    expect(run.of("gave-up", out)).toEqual([expect.objectContaining({ upstream: "c", why: "upstream_lost" })]);
    expect(run.of("close-relay", out)).toEqual([{ kind: "close-relay", track: TRACK, id: "in-1" }]);
  });
});

/** The one refusal among `effects`. */
function run409(effects: RelayEffect[]): Extract<RelayEffect, { kind: "reply" }> | undefined {
  return effects.find((e): e is Extract<RelayEffect, { kind: "reply" }> => e.kind === "reply" && e.status === 409);
}

describe("step(): the serving side", () => {
  function flowing(): Run {
    const run = new Run();
    const pull = run.startPull();
    run.feed({ kind: "pull-answered", track: TRACK, from: "c", pullId: pull.pullId, outcome: { kind: "served", chain: ["c", "a"], media: MEDIA } });
    run.feed({ kind: "first-packet", track: TRACK, relayInId: "in-1", at: 1 });
    return run;
  }

  it("refuses a pull whose path holds a region of its chain as relay_loop (409)", () => {
    const out = flowing().feed({ kind: "pull-arrived", requestId: "r1", from: "c", track: TRACK, pullId: "p", path: ["c"], port: 6000 });
    expect(run409(out)).toMatchObject({ requestId: "r1", status: 409, body: { error: "relay_loop" } });
  });

  it("answers a serve only once the relay-out is open, with its chain and the media", () => {
    const run = flowing();
    const out = run.feed({ kind: "pull-arrived", requestId: "r1", from: "d", track: TRACK, pullId: "000000001aaaaa-x", path: ["d"], port: 6000 });
    expect(run.of("reply", out)).toEqual([]);
    expect(run.of("open-relay-out", out)).toEqual([{ kind: "open-relay-out", track: TRACK, region: "d", pullId: "000000001aaaaa-x", port: 6000 }]);
    const opened = run.feed({ kind: "relay-out-opened", track: TRACK, region: "d", pullId: "000000001aaaaa-x", id: "out-d", media: MEDIA });
    expect(run.of("reply", opened)).toEqual([{ kind: "reply", requestId: "r1", status: 200, body: { chain: ["b", "c", "a"], pending: false, media: MEDIA } }]);
    // An older pull of d's arriving late is stale: it must not replace the newer one.
    const stale = run.feed({ kind: "pull-arrived", requestId: "r2", from: "d", track: TRACK, pullId: "000000000aaaaa-x", path: ["d"], port: 6000 });
    expect(run409(stale)).toMatchObject({ requestId: "r2", status: 409, body: { error: "stale_pull" } });
  });

  it("pulls for a peer it cannot serve yet (202), serves it with a pull-result once flowing, and undoes that if refused", () => {
    const run = new Run();
    const attach = run.feed({ kind: "pull-arrived", requestId: "r1", from: "d", track: TRACK, pullId: "pd", path: ["d"], port: 6000 });
    expect(run.of("reply", attach)).toEqual([{ kind: "reply", requestId: "r1", status: 202, body: { chain: ["b"], pending: true } }]);
    run.feed({ kind: "timer", timer: run.last("start-timer").timer });
    run.feed({ kind: "relay-in-opened", track: TRACK, relay: run.last("open-relay-in").relay, id: "in-1", port: 5000 });
    const pull = run.last("send-pull");
    expect(pull.path).toEqual(["d", "b"]);
    run.feed({ kind: "pull-answered", track: TRACK, from: "c", pullId: pull.pullId, outcome: { kind: "served", chain: ["c", "a"], media: MEDIA } });
    run.feed({ kind: "first-packet", track: TRACK, relayInId: "in-1", at: 1 });
    const out = run.feed({ kind: "relay-out-opened", track: TRACK, region: "d", pullId: "pd", id: "out-d", media: MEDIA });
    expect(run.of("send-pull-result", out)).toEqual([{ kind: "send-pull-result", track: TRACK, to: "d", pullId: "pd", result: { chain: ["b", "c", "a"], media: MEDIA } }]);
    const undone = run.feed({ kind: "pull-result-answered", track: TRACK, to: "d", pullId: "pd", accepted: false });
    expect(undone).toContainEqual({ kind: "close-relay", track: TRACK, id: "out-d" });
  });

  it("stops a relay nobody wants after the linger period, telling its upstream", () => {
    const run = flowing();
    run.feed({ kind: "relay-media-set", track: TRACK, pullId: run.last("send-pull").pullId, ok: true });
    run.feed({ kind: "subscriber-added", track: TRACK, id: "s1" });
    run.feed({ kind: "subscriber-gone", track: TRACK, id: "s1" });
    const linger = run.last("start-timer");
    expect(linger).toMatchObject({ ms: 300, timer: { kind: "linger" } });
    const out = run.feed({ kind: "timer", timer: linger.timer });
    expect(run.of("send-leave", out)).toEqual([expect.objectContaining({ to: "c" })]);
    expect(run.state.tracks.has(TRACK)).toBe(false);
  });
});

describe("step() is pure", () => {
  it("never mutates the state it is given", () => {
    const run = new Run();
    const pull = run.startPull();
    const before = deepFreeze(run.state);
    const json = JSON.stringify([...before.tracks]);
    run.feed(
      { kind: "pull-answered", track: TRACK, from: "c", pullId: pull.pullId, outcome: { kind: "served", chain: ["c", "a"], media: MEDIA } },
      { kind: "pull-arrived", requestId: "r1", from: "d", track: TRACK, pullId: "pd", path: ["b", "d"], port: 6000 },
      { kind: "first-packet", track: TRACK, relayInId: "in-1", at: 1 },
      { kind: "upstream-closed", requestId: "r2", from: "c", track: TRACK, pullId: pull.pullId },
    );
    expect(JSON.stringify([...before.tracks])).toBe(json);
    expect(run.state).not.toBe(before);
  });
});
