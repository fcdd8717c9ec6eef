// The operator's relay reset (admin API, breaking a loop): the relay of a track is dropped
// and re-located from the origin only, even when a nearer copy is announced.
import { describe, expect, it } from "vitest";
import type { Region } from "../../core/region.js";
import { NO_LEGACY_BEHAVIOURS } from "./legacy-behaviours.js";
import { initialRelays, RELAY_RETRY_MS, step } from "./relay-machine.js";
import type { RelayEffect, RelayEvent, RelayMachineState } from "./relay-machine-types.js";
import { applyAnnouncement, emptyTrackTable, snapshotAnnouncement, type TrackTable } from "./track-table.js";
import { relayOf } from "./relay-views.js";

const TRACK = "live/cam";
const CONFIG = { self: "b", instance: "reset", lingerMs: 300, retryMs: RELAY_RETRY_MS, upstreamLostMs: 10_000 };
/** `a` originates the track; `c` announces a copy and is much nearer to `b` (the loop's partner). */
const RTTS = new Map<Region, number>([["a", 100], ["c", 10]]);

function table(): TrackTable {
  let t = emptyTrackTable();
  t = applyAnnouncement(t, snapshotAnnouncement("a", 1, [{ track: TRACK, origin: true, pathLength: 0 }], 0, 60_000), 0);
  t = applyAnnouncement(t, snapshotAnnouncement("c", 1, [{ track: TRACK, origin: false, pathLength: 1, upstream: "b" }], 0, 60_000), 0);
  return t;
}

function feed(state: RelayMachineState, e: RelayEvent): { state: RelayMachineState; effects: RelayEffect[] } {
  return step(state, e, { now: 0, table: table(), rtts: RTTS, behaviours: NO_LEGACY_BEHAVIOURS });
}

function only<K extends RelayEffect["kind"]>(effects: RelayEffect[], kind: K): Extract<RelayEffect, { kind: K }>[] {
  return effects.filter((e): e is Extract<RelayEffect, { kind: K }> => e.kind === kind);
}

/** A waiting subscribe, its locate and relay-in: the pull goes to the nearest holder (c). */
function pulling(): RelayMachineState {
  let r = feed(initialRelays(CONFIG), { kind: "waiter-added", track: TRACK, id: "w1" });
  const locateTimer = only(r.effects, "start-timer")[0];
  if (locateTimer === undefined) throw new Error("no locate timer");
  r = feed(r.state, { kind: "timer", timer: locateTimer.timer });
  const open = only(r.effects, "open-relay-in")[0];
  if (open === undefined) throw new Error("no relay-in");
  r = feed(r.state, { kind: "relay-in-opened", track: TRACK, relay: open.relay, id: "in-1", port: 5000 });
  expect(only(r.effects, "send-pull")[0]?.to).toBe("c");
  return r.state;
}

describe("step(): relay-reset", () => {
  it("drops the relay (leave to the upstream, relay-in closed) and re-locates from the origin only", () => {
    const before = pulling();
    let r = feed(before, { kind: "relay-reset", track: TRACK });
    expect(only(r.effects, "send-leave")[0]?.to).toBe("c");
    expect(only(r.effects, "close-relay")[0]?.id).toBe("in-1");
    expect(only(r.effects, "relay-ended")[0]?.why).toBe("reset by operator");
    const started = only(r.effects, "relay-started")[0];
    expect(started?.cause).toMatchObject({ kind: "restart" });
    const t = r.state.tracks.get(TRACK);
    expect(t === undefined ? null : relayOf(t)?.originOnly).toBe(true);
    const locateTimer = only(r.effects, "start-timer")[0];
    if (locateTimer === undefined) throw new Error("no locate timer");
    r = feed(r.state, { kind: "timer", timer: locateTimer.timer });
    expect(only(r.effects, "relay-located")[0]?.candidates.map((c) => c.region)).toEqual(["a"]);
    const open = only(r.effects, "open-relay-in")[0];
    if (open === undefined) throw new Error("no relay-in");
    r = feed(r.state, { kind: "relay-in-opened", track: TRACK, relay: open.relay, id: "in-2", port: 5002 });
    expect(only(r.effects, "send-pull")[0]?.to).toBe("a");
  });

  it("without local demand the relay only ends; an unknown track changes nothing", () => {
    const before = pulling();
    const gone = feed(before, { kind: "waiter-gone", track: TRACK, id: "w1" });
    const r = feed(gone.state, { kind: "relay-reset", track: TRACK });
    expect(only(r.effects, "relay-started")).toEqual([]);
    expect(r.state.tracks.get(TRACK)?.source.kind ?? "none").toBe("none");
    expect(feed(before, { kind: "relay-reset", track: "live/other" }).effects).toEqual([]);
  });
});
