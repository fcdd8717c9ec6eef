// The write-up's reads on the real ClickHouse engine (chdb): alert rows with a muted one,
// action rows (one per state change), probe windows with failures → the incident list and
// its report (analyzer/incidents/load.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ActionRecord } from "../core/actions.js";
import { loadIncidents, loadReport } from "../analyzer/incidents/load.js";
import { makeAlert } from "../test/support/store-fixtures.js";
import { probe } from "../test/support/analyzer-fixtures.js";
import { actionRow, actionsInRange } from "./action-queries.js";
import { ChdbStore } from "./chdb-backend.js";
import { migrate } from "./migrations.js";
import { alertRow, probeResultRow } from "./rows.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-incident-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.parse("2026-12-03T10:00:00Z");

describe("incident queries (chdb)", () => {
  it("lists the incident and reports its detection, page, action with its verification, recovery and per-pair failed media", async () => {
    const store = await ChdbStore.open({ path: join(dir, "data"), database: "incidents" });
    try {
      await migrate(store);
      const loop = { fingerprint: "loop", labels: { severity: "critical", regions: "eu-central,eu-west" }, startsAt: T0 };
      const pair = { fingerprint: "pair", name: "ProbePairFailing" as const, severity: "warning" as const, labels: { src: "us-west", dst: "eu-west" }, startsAt: T0 + 2000, evidence: { inhibitedBy: "loop" } };
      await store.insert("alerts", [
        alertRow(makeAlert({ ...loop, updatedAt: T0 })),
        alertRow(makeAlert({ ...pair, updatedAt: T0 + 2000 })),
        alertRow(makeAlert({ ...loop, state: "resolved", endsAt: T0 + 20_000, updatedAt: T0 + 20_000 })),
        alertRow(makeAlert({ ...pair, state: "resolved", endsAt: T0 + 22_000, updatedAt: T0 + 22_000 })),
      ]);
      const running: ActionRecord = {
        id: "a1", kind: "loop-break", target: "eu-central,eu-west", actor: "oncall", summary: "break the loop", state: "verifying",
        requestedAt: T0 + 10_000, finishedAt: T0 + 10_300, verifiedAt: null, steps: [{ region: "eu-west", says: "reset", ok: true, status: 200, detail: "{}" }], verification: "", alerts: ["loop"],
      };
      await store.insert("actions", [actionRow(running, T0 + 10_300), actionRow({ ...running, state: "verified", verifiedAt: T0 + 21_000, verification: "RelayLoop resolved; 3/3 pairs ok" }, T0 + 21_000)]);
      const windows = Array.from({ length: 25 }, (_, i) => probe("us-west", "eu-west", i >= 3 && i < 15 ? "no_media" : "ok", T0 + i * 1000));
      await store.insert("probe_results", windows.map(probeResultRow));

      expect(await actionsInRange(store, { from: T0, to: T0 + 60_000 })).toMatchObject([{ id: "a1", state: "verified", verifiedAt: T0 + 21_000, steps: [{ region: "eu-west", ok: true }] }]);
      const incidents = await loadIncidents(store, { from: T0 - 60_000, to: T0 + 60_000 });
      expect(incidents.map((i) => [i.id, i.end, i.causes])).toEqual([["INC-20261203-100000", T0 + 22_000, ["RelayLoop{regions=eu-central,eu-west}"]]]);
      const r = await loadReport(store, "INC-20261203-100000", T0 + 60_000);
      expect(r?.timeline.map((e) => [e.kind, e.at - T0])).toEqual([
        ["detection", 0], ["page", 0], ["detection", 2000], ["action", 10_000], ["resolution", 20_000], ["verified", 21_000], ["resolution", 22_000], ["recovery", 22_000],
      ]);
      expect(r?.impact).toEqual({ pairsAffected: 1, failedMinutes: 0.2, pairs: [{ src: "us-west", dst: "eu-west", failedWindows: 12, failedMinutes: 0.2, firstFailedAt: T0 + 3000, recoveredAt: T0 + 15_000 }] });
      expect(await loadReport(store, "INC-20261203-100001", T0 + 60_000)).toBeNull();
      expect(await loadReport(store, "not-an-id", T0 + 60_000)).toBeNull();
    } finally {
      await store.close();
    }
  });
});
