import { describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import { alertFingerprint } from "../../core/fingerprint.js";
import type { Finding } from "../detectors/finding.js";
import { AlertBook, RESTORE_GRACE_MS } from "./alert-book.js";

const loop = (regions = "eu-central,eu-west"): Finding => ({
  name: "RelayLoop",
  severity: "critical",
  labels: { track: "probe/us-west-1", regions },
  summary: `loop ${regions}`,
  evidence: { cycle: [...regions.split(","), regions.split(",")[0]], origin: "us-west" },
  forMs: 0,
  observedAt: 5,
});

const pairs = (track = "probe/us-west-1"): Finding => ({
  name: "ProbePairFailing",
  severity: "warning",
  labels: { src: "us-west", dst: "eu-central" },
  summary: "us-west → eu-central fails",
  evidence: { pairs: [{ src: "us-west", dst: "eu-central", track }] },
  forMs: 0,
});

describe("AlertBook", () => {
  it("fires at once with forMs 0, with the core fingerprint, and resolves when the scope stops reporting it", () => {
    const clock = new ManualClock(1000);
    const book = new AlertBook();
    const [fired] = book.sync("track:t", [loop()], clock.now());
    expect(fired).toMatchObject({ kind: "fired", observedAt: 5, alert: { state: "firing", startsAt: 1000, endsAt: null } });
    expect(fired?.alert.fingerprint).toBe(alertFingerprint("RelayLoop", { track: "probe/us-west-1", regions: "eu-central,eu-west" }));
    expect(fired?.alert.labels["severity"]).toBe("critical");
    expect(book.sync("track:t", [loop()], 1500)).toEqual([]);
    clock.advance(2000);
    const [resolved] = book.sync("track:t", [], clock.now());
    expect(resolved).toMatchObject({ kind: "resolved", alert: { state: "resolved", endsAt: 3000, startsAt: 1000 } });
    expect(book.firing()).toEqual([]);
    expect(book.resolved(clock.now())).toHaveLength(1);
  });

  it("holds a finding pending for its forMs and fires on tick; one that clears before is never fired", () => {
    const clock = new ManualClock(0);
    const book = new AlertBook();
    const f: Finding = { ...loop(), name: "RegionOffline", labels: { region: "us-east" }, forMs: 3000 };
    expect(book.sync("region:us-east", [f], clock.now())).toEqual([]);
    clock.advance(2999);
    expect(book.tick(clock.now())).toEqual([]);
    clock.advance(1);
    expect(book.tick(clock.now())).toMatchObject([{ kind: "fired", alert: { name: "RegionOffline", startsAt: 3000 } }]);

    const book2 = new AlertBook();
    book2.sync("region:x", [{ ...f, labels: { region: "x" } }], 0);
    book2.sync("region:x", [], 1000);
    expect(book2.tick(10_000)).toEqual([]);
  });

  it("emits updated (not a second fire) when a firing alert's summary changes", () => {
    const book = new AlertBook();
    book.sync("s", [loop()], 0);
    const out = book.sync("s", [{ ...loop(), summary: "new text" }], 10);
    expect(out).toMatchObject([{ kind: "updated", alert: { summary: "new text", startsAt: 0 } }]);
  });

  it("a RelayLoop mutes the ProbePairFailing it explains: active and marked, but not for sinks; released (and paged) once the loop resolves", () => {
    const book = new AlertBook();
    const [loopFired] = book.sync("track:t", [loop()], 0);
    expect(loopFired).toMatchObject({ kind: "fired", notify: true });
    const loopFp = loopFired!.alert.fingerprint;
    const [muted] = book.sync("pairs", [pairs()], 100);
    expect(muted).toMatchObject({ kind: "fired", notify: false, alert: { name: "ProbePairFailing", state: "firing", evidence: { inhibitedBy: loopFp } } });
    expect(book.firing().map((a) => a.name).sort()).toEqual(["ProbePairFailing", "RelayLoop"]);
    expect(book.notifiable().map((a) => a.name)).toEqual(["RelayLoop"]);
    expect(book.tick(1000)).toEqual([]);
    book.sync("track:t", [], 1100);
    const [released] = book.tick(1200);
    expect(released).toMatchObject({ kind: "updated", notify: true, alert: { name: "ProbePairFailing", startsAt: 100 } });
    expect(released?.alert.evidence["inhibitedBy"]).toBeUndefined();
    expect(book.notifiable().map((a) => a.name)).toEqual(["ProbePairFailing"]);
  });

  it("a muted alert that resolves while muted never reaches sinks (resolved with notify: false)", () => {
    const book = new AlertBook();
    book.sync("track:t", [loop()], 0);
    book.sync("pairs", [pairs()], 100);
    expect(book.sync("pairs", [], 500)).toMatchObject([{ kind: "resolved", notify: false, alert: { name: "ProbePairFailing", evidence: { inhibitedBy: expect.any(String) as string } } }]);
  });

  it("a RelayLoop does not inhibit pair failures it does not explain", () => {
    const book = new AlertBook();
    book.sync("track:t", [loop()], 0);
    const f = { ...pairs("probe/ap-south-1"), labels: { src: "ap-south", dst: "us-east" }, evidence: { pairs: [{ src: "ap-south", dst: "us-east", track: "probe/ap-south-1" }] } };
    expect(book.sync("pairs", [f], 100)).toMatchObject([{ kind: "fired", notify: true }]);
  });

  it.each(["RegionUnreachable", "RegionOffline", "FalseIsolation"] as const)("a %s mutes pair alerts of that region, not others", (cause) => {
    const book = new AlertBook();
    book.sync("region:eu-central", [{ ...loop(), name: cause, labels: { region: "eu-central" }, evidence: {} }], 0);
    expect(book.sync("pairs", [{ ...pairs("probe/x-1"), labels: { region: "eu-central" } }], 10)).toMatchObject([{ kind: "fired", notify: false }]);
    expect(book.sync("latency:us-west>eu-central", [{ ...pairs("probe/x-1"), name: "RelayLatencyHigh" }], 10)).toMatchObject([{ kind: "fired", notify: false }]);
    expect(book.sync("latency:us-west>eu-west", [{ ...pairs("probe/x-1"), name: "RelayLatencyHigh", labels: { src: "us-west", dst: "eu-west" } }], 10)).toMatchObject([{ kind: "fired", notify: true }]);
  });

  it("an alert that already paged is not muted by a cause that fires later", () => {
    const book = new AlertBook();
    book.sync("pairs", [pairs()], 0);
    book.sync("track:t", [loop()], 100);
    expect(book.tick(1000)).toEqual([]);
    expect(book.notifiable().map((a) => a.name).sort()).toEqual(["ProbePairFailing", "RelayLoop"]);
  });

  it("restores firing alerts with the same fingerprint and startsAt; confirmed ones stay, unconfirmed ones resolve after the grace", () => {
    const first = new AlertBook();
    const [a] = first.sync("track:t", [loop()], 1000);
    const [b] = first.sync("track:u", [loop("ap-south,us-east")], 1000);
    const book = new AlertBook();
    book.restore([a!.alert, b!.alert], 50_000);
    expect(book.firing().map((x) => x.fingerprint).sort()).toEqual([a!.alert.fingerprint, b!.alert.fingerprint].sort());
    expect(book.sync("track:t", [loop()], 50_500)).toEqual([]);
    const out = book.tick(50_000 + RESTORE_GRACE_MS);
    expect(out).toMatchObject([{ kind: "resolved", alert: { fingerprint: b!.alert.fingerprint } }]);
    expect(book.firing()).toMatchObject([{ fingerprint: a!.alert.fingerprint, startsAt: 1000 }]);
  });

  it("a muted alert restored after a restart stays muted: not re-sent to sinks", () => {
    const first = new AlertBook();
    first.sync("track:t", [loop()], 1000);
    const [p] = first.sync("pairs", [pairs()], 1100);
    const book = new AlertBook();
    book.restore(first.firing(), 50_000);
    expect(book.firing()).toHaveLength(2);
    expect(book.notifiable().map((x) => x.name)).toEqual(["RelayLoop"]);
    expect(book.get(p!.alert.fingerprint)?.evidence["inhibitedBy"]).toBe(book.notifiable()[0]?.fingerprint);
  });

  it("acknowledge() marks a firing alert as owned (an update no sink gets), survives re-syncs and a restart, and ends with the alert", () => {
    const book = new AlertBook();
    const [fired] = book.sync("track:t", [loop()], 1000);
    const fp = fired!.alert.fingerprint;
    expect(book.acknowledge("no-such-alert", "ana", 1500)).toBeNull();
    const t = book.acknowledge(fp, "ana", 2000);
    expect(t).toMatchObject({ kind: "updated", notify: false, alert: { fingerprint: fp, state: "firing", updatedAt: 2000, evidence: { ackedBy: "ana", ackedAt: 2000 } } });
    // The detector reporting it again (new summary) keeps the owner.
    const [again] = book.sync("track:t", [{ ...loop(), summary: "loop, 2 tracks" }], 3000);
    expect(again?.alert.evidence).toMatchObject({ ackedBy: "ana", ackedAt: 2000 });
    // Someone else takes it over.
    expect(book.acknowledge(fp, "bo", 4000)?.alert.evidence).toMatchObject({ ackedBy: "bo", ackedAt: 4000 });
    const restarted = new AlertBook();
    restarted.restore(book.firing(), 10_000);
    expect(restarted.get(fp)?.evidence).toMatchObject({ ackedBy: "bo", ackedAt: 4000 });
    const [confirmed] = restarted.sync("track:t", [{ ...loop(), summary: "loop again" }], 10_500);
    expect(confirmed?.alert.evidence).toMatchObject({ ackedBy: "bo" });
    const [resolved] = restarted.sync("track:t", [], 11_000);
    expect(resolved).toMatchObject({ kind: "resolved", alert: { state: "resolved" } });
    expect(restarted.acknowledge(fp, "ana", 12_000)).toBeNull();
    // A new episode of the same alert starts unowned.
    const [next] = restarted.sync("track:t", [loop()], 13_000);
    expect(next?.alert.evidence["ackedBy"]).toBeUndefined();
  });
});
