// Replay from a real embedded ClickHouse (chdb) store: the dashboard at a past moment,
// then stepped and played forward through the seeded incident. Its own file: chdb allows
// one data directory per process, and vitest runs each file in its own fork.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import { ChdbStore } from "../../store/chdb-backend.js";
import { migrate } from "../../store/migrations.js";
import { App } from "../../tui/components/App.js";
import { formatDateTime } from "../../tui/model/format.js";
import { ReplaySource } from "../../tui/source/replay-source.js";
import { LOOP_AT_S, REPLAY_TRACK, seedIncidentHistory } from "./support/incident-history.js";
import { renderSized, waitFor } from "./support/render-sized.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-tui-replay-"));
// An hour ago, whole minute: inside the tables' TTL, and readable positions.
const T0 = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;
let store: ChdbStore;

beforeAll(async () => {
  store = await ChdbStore.open({ path: join(dir, "data"), database: "tui_replay" });
  await migrate(store);
  await seedIncidentHistory(store, T0);
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("ReplaySource over the store", () => {
  it("rebuilds the state at a past time: pairs, regions, alerts and the track as they stood", async () => {
    const source = new ReplaySource({ store, at: T0 + 50_000, speed: 10, clock: new ManualClock(0), label: "chdb test" });
    source.start();
    await source.settled();
    const s = source.getState();
    expect(s.connection).toMatchObject({ kind: "replay", at: T0 + 50_000, loading: false, error: null });
    expect(s.overview?.pairs).toHaveLength(20);
    expect(s.overview?.pairs.find((p) => p.src === "us-west" && p.dst === "eu-central")).toMatchObject({ status: "ok", latencyP50Ms: 57 });
    expect(s.overview?.pairs[0]?.recent).toEqual(Array<string>(30).fill("ok"));
    expect(s.overview?.regions.find((r) => r.region === "us-east")?.status).toMatchObject({ state: "offline", isolation: "naive", since: T0 + 30_000 });
    expect(s.alerts.map((a) => a.name)).toEqual(["FalseIsolation"]);
    expect(s.tracks).toEqual([{ track: REPLAY_TRACK, origin: "us-west", regions: 3, cycle: false }]);
    await source.close();
  });

  it("renders the state at a past time, then steps forward into the relay loop", async () => {
    const clock = new ManualClock(T0 + 50_000);
    const source = new ReplaySource({ store, at: T0 + 50_000, speed: 10, clock, label: "chdb test" });
    source.start();
    const v = await renderSized(<App source={source} clock={clock} />, 120, 40);
    try {
      // Replay knows no analyzer order: regions come alphabetically (ap-south … us-west).
      await waitFor(() => v.frame().includes(`⏪ REPLAY ${formatDateTime(T0 + 50_000)}`) && /us-west\s+55\s+57\s+54\s+54\s+·/.test(v.frame()), 5_000, "the state at +50 s");
      expect(v.frame()).not.toContain("RelayLoop");
      expect(v.frame()).toContain("DOWN: us-east");

      // ] ] : twenty seconds forward, past the loop's start.
      await v.press("]");
      await v.press("]");
      await waitFor(() => v.frame().includes(formatDateTime(T0 + 70_000)) && !v.frame().includes("loading"), 5_000, "the state at +70 s");
      await source.settled();
      await waitFor(() => v.frame().includes("RelayLoop eu-central → eu-west → eu-central"), 5_000, "the loop alert");
      expect(v.frame()).toMatch(/us-west\s+55\s+NM\s+NM\s+54\s+·/);
      // Ages count from the replay position: the alert fired at +62 s, we stand at +70 s.
      expect(v.frame()).toMatch(/RelayLoop eu-central → eu-west → eu-central {2}track probe\/us-west-12 {2}8\.0s/);

      await v.press("3");
      await waitFor(() => v.frame().includes("RELAY LOOP  eu-central → eu-west → eu-central"), 5_000, "the loop in the graph");
      expect(v.frame()).toMatch(/ap-south\s+← us-west\s+flowing\s+50/);

      // , : one second back; space plays at 10x on the injected clock.
      await v.press(",");
      await waitFor(() => v.frame().includes(formatDateTime(T0 + 69_000)), 5_000, "one second back");
      await v.press(" ");
      clock.advance(1_000);
      await waitFor(() => v.frame().includes(formatDateTime(T0 + 79_000)) && v.frame().includes("▶ 10x"), 5_000, "played 10 s");
    } finally {
      v.unmount();
      await source.close();
    }
  });

  it("steps back before the loop and the alert is gone again", async () => {
    const source = new ReplaySource({ store, at: T0 + (LOOP_AT_S + 10) * 1000, speed: 10, clock: new ManualClock(0), label: "chdb test" });
    source.start();
    await source.settled();
    expect(source.getState().tracks[0]?.cycle).toBe(true);
    source.step(-30_000);
    await source.settled();
    expect(source.getState().alerts.map((a) => a.name)).toEqual(["FalseIsolation"]);
    expect(source.getState().tracks[0]?.cycle).toBe(false);
    await source.close();
  });
});
