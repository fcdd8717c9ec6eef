import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AlertmanagerSink } from "../../analyzer/alerts/http-sinks.js";
import type { SinkContext } from "../../analyzer/alerts/sink.js";
import type { Alert } from "../../core/alert.js";
import { PageRecorder } from "./page-recorder.js";

let now = 1_000_000;
const ctx: SinkContext = { externalUrl: "http://127.0.0.1:1", now: () => now, resendIntervalMs: 60_000 };
const recorders: PageRecorder[] = [];

beforeEach(() => {
  now = 1_000_000;
});

afterEach(async () => {
  await Promise.all(recorders.splice(0).map((r) => r.close()));
});

async function recorder(): Promise<{ r: PageRecorder; sink: AlertmanagerSink }> {
  const r = await PageRecorder.start({ now: () => now });
  recorders.push(r);
  return { r, sink: new AlertmanagerSink(r.url, ctx) };
}

function alert(over: Partial<Alert> & { severity: Alert["severity"] }): Alert {
  return {
    fingerprint: "fp-loop",
    name: "RelayLoop",
    state: "firing",
    labels: { regions: "eu-central,eu-west", severity: over.severity },
    summary: "loop",
    evidence: {},
    startsAt: 999_000,
    endsAt: null,
    updatedAt: 999_000,
    ...over,
  };
}

describe("PageRecorder (the analyzer's real Alertmanager sink posting to it on loopback)", () => {
  it("a firing critical is one page per episode, however often it is re-sent", async () => {
    const { r, sink } = await recorder();
    await sink.send([alert({ severity: "critical" })]);
    now += 60_000;
    await sink.send([alert({ severity: "critical" })]);
    expect(r.pages(1_000_000)).toEqual([{ name: "RelayLoop", labels: { regions: "eu-central,eu-west", severity: "critical" }, atMs: 0 }]);
    now += 1000;
    await sink.send([alert({ severity: "critical", startsAt: now })]);
    expect(r.pages(1_000_000).map((p) => p.atMs)).toEqual([0, 61_000]);
  });

  it("a warning and a resolved alert page no one; a warning that becomes critical pages then", async () => {
    const { r, sink } = await recorder();
    const pair = { fingerprint: "fp-pair", name: "ProbePairFailing" as const, labels: { src: "a", dst: "b", severity: "warning" } };
    await sink.send([alert({ ...pair, severity: "warning" })]);
    await sink.send([alert({ severity: "critical", state: "resolved", endsAt: now - 1 })]);
    expect(r.pages(0)).toEqual([]);
    now += 5000;
    await sink.send([alert({ ...pair, severity: "critical", labels: { src: "a", dst: "b", severity: "critical" } })]);
    expect(r.pages(1_000_000)).toEqual([{ name: "ProbePairFailing", labels: { src: "a", dst: "b", severity: "critical" }, atMs: 5000 }]);
  });

  it("refuses what is not an Alertmanager v2 alert list", async () => {
    const { r } = await recorder();
    const res = await fetch(`${r.url}/api/v2/alerts`, { method: "POST", body: JSON.stringify({ alerts: [] }) });
    expect(res.status).toBe(400);
    expect((await fetch(`${r.url}/api/v1/alerts`, { method: "POST", body: "[]" })).status).toBe(404);
    expect(r.pages(0)).toEqual([]);
  });
});
