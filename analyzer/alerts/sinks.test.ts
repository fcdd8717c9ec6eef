import { trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alert } from "../../core/alert.js";
import { ManualClock, systemClock } from "../../core/clock.js";
import { silentLogger } from "../../core/logger.js";
import { runbookUrl } from "../../core/runbook.js";
import { alertmanagerAvailable, startAlertmanager, type AlertmanagerProcess } from "../../test/support/alertmanager-process.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../test/support/webhook-receiver.js";
import { AlertBook } from "./alert-book.js";
import { Dispatcher } from "./dispatcher.js";
import { AlertmanagerSink, WebhookSink } from "./http-sinks.js";
import type { AlertSink, SinkContext } from "./sink.js";
import { skipWithout } from "../../test/support/real-part.js";

const tracer = trace.getTracer("test");
const ctx: SinkContext = { externalUrl: "http://127.0.0.1:7700", now: () => Date.now(), resendIntervalMs: 30_000 };

function loopAlert(book: AlertBook, now: number): Alert {
  const [t] = book.sync("track:probe/us-west-1", [{ name: "RelayLoop", severity: "critical", labels: { track: "probe/us-west-1", regions: "eu-central,eu-west" }, summary: "relay loop on probe/us-west-1: eu-central → eu-west → eu-central", evidence: { cycle: ["eu-central", "eu-west", "eu-central"] }, forMs: 0 }], now);
  return t!.alert;
}

interface AmApiAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  status: { state: string };
}

const amPresent = alertmanagerAvailable();
if (!amPresent) process.stderr.write("SKIP analyzer/alerts/sinks.test.ts real-Alertmanager cases: /usr/bin/prometheus-alertmanager is not installed (Debian package prometheus-alertmanager)\n");

describe.skipIf(skipWithout(amPresent, "Alertmanager (Debian prometheus-alertmanager)"))("sinks against a real Alertmanager 0.25", () => {
  let am: AlertmanagerProcess;
  let hook: WebhookReceiver;
  beforeAll(async () => {
    hook = await startWebhookReceiver();
    am = await startAlertmanager({ webhookUrl: hook.url });
  });
  afterAll(async () => {
    await am.close();
    await hook.close();
  });

  it("a fired RelayLoop shows up in GET /api/v2/alerts and Alertmanager notifies the webhook; resolving sets endsAt", async () => {
    const book = new AlertBook();
    const dispatcher = new Dispatcher({ sinks: [new AlertmanagerSink(am.url, ctx)], clock: systemClock, logger: silentLogger, resendIntervalMs: 30_000, firing: () => book.firing(), tracer });
    const fired = loopAlert(book, Date.now());
    dispatcher.dispatch(fired);
    expect(await dispatcher.idle()).toBe(true);

    const listed = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AmApiAlert[];
    const mine = listed.find((a) => a.labels["alertname"] === "RelayLoop");
    expect(mine).toMatchObject({ labels: { alertname: "RelayLoop", track: "probe/us-west-1", regions: "eu-central,eu-west", severity: "critical" }, annotations: { relaywatch_fingerprint: fired.fingerprint, runbook_url: runbookUrl("RelayLoop") }, generatorURL: `http://127.0.0.1:7700/v1/alerts?fingerprint=${fired.fingerprint}`, status: { state: "active" } });

    const note = (await hook.waitFor((b) => (b as { status?: string }).status === "firing")) as { alerts: { labels: Record<string, string>; status: string }[]; version: string };
    expect(note.version).toBe("4");
    expect(note.alerts[0]?.labels).toMatchObject({ alertname: "RelayLoop", regions: "eu-central,eu-west" });

    const [resolved] = book.sync("track:probe/us-west-1", [], Date.now());
    dispatcher.dispatch(resolved!.alert);
    await dispatcher.idle();
    const res = (await hook.waitFor((b) => (b as { status?: string }).status === "resolved")) as { alerts: { endsAt: string; status: string }[] };
    expect(res.alerts[0]?.status).toBe("resolved");
    expect(new Date(res.alerts[0]!.endsAt).getTime()).toBe(resolved!.alert.endsAt);
    await dispatcher.close();
  });

  it("a symptom raised to critical past the paging horizon: Alertmanager holds the critical active and the warning's label set resolved", async () => {
    const book = new AlertBook();
    const t0 = Date.now() - 40_000;
    const finding = { name: "ProbePairFailing" as const, severity: "warning" as const, labels: { src: "ap-south", dst: "us-west" }, summary: "ap-south → us-west fails", evidence: {}, forMs: 0, escalateAfterMs: 30_000 };
    const [warned] = book.sync("pairs", [finding], t0);
    const sink = new AlertmanagerSink(am.url, ctx);
    await sink.send([warned!.alert]);
    const [raised] = book.tick(t0 + 30_000);
    expect(raised).toMatchObject({ kind: "updated", notify: true, alert: { severity: "critical", fingerprint: warned!.alert.fingerprint } });
    await sink.send([raised!.alert]);
    const listed = (await (await fetch(`${am.url}/api/v2/alerts?active=true`)).json()) as AmApiAlert[];
    const mine = listed.filter((a) => a.labels["alertname"] === "ProbePairFailing" && a.labels["src"] === "ap-south");
    expect(mine.map((a) => a.labels["severity"])).toEqual(["critical"]);
  });

  it("our webhook sink sends the same v4 shape Alertmanager sends", async () => {
    const own = await startWebhookReceiver();
    try {
      const book = new AlertBook();
      await new WebhookSink(own.url, ctx).send([loopAlert(book, Date.now())]);
      const ours = own.bodies[0] as Record<string, unknown>;
      const theirs = hook.bodies[0] as Record<string, unknown>;
      expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
      const ourAlert = (ours["alerts"] as Record<string, unknown>[])[0]!;
      const theirAlert = (theirs["alerts"] as Record<string, unknown>[])[0]!;
      expect(Object.keys(ourAlert).sort()).toEqual(Object.keys(theirAlert).sort());
      expect(ours).toMatchObject({ version: "4", status: "firing", groupLabels: { alertname: "RelayLoop" } });
    } finally {
      await own.close();
    }
  });
});

/** A sink that fails its first `failures` sends: a fake, because the point is the dispatcher's retry policy. */
class FlakySinkFake implements AlertSink {
  readonly name = "flaky-fake";
  readonly resend = true;
  calls: (readonly Alert[])[] = [];
  private failures: number;
  constructor(failures: number) {
    this.failures = failures;
  }
  send(alerts: readonly Alert[]): Promise<void> {
    this.calls.push(alerts);
    if (this.failures-- > 0) return Promise.reject(new Error("503"));
    return Promise.resolve();
  }
}

describe("Dispatcher", () => {
  it("retries with backoff on the injected clock, coalescing to the latest state, and counts errors", async () => {
    const clock = new ManualClock(0);
    const sink = new FlakySinkFake(2);
    const errors: string[] = [];
    const book = new AlertBook();
    const d = new Dispatcher({ sinks: [sink], clock, logger: silentLogger, resendIntervalMs: 0, firing: () => [], tracer, random: () => 0.5, onSendError: (s) => errors.push(s) });
    const a = loopAlert(book, 0);
    d.dispatch(a);
    await new Promise((r) => setTimeout(r, 5));
    expect(sink.calls).toHaveLength(1);
    const [resolved] = book.sync("track:probe/us-west-1", [], 10);
    d.dispatch(resolved!.alert);
    clock.advance(250);
    await new Promise((r) => setTimeout(r, 5));
    expect(sink.calls).toHaveLength(2);
    expect(sink.calls[1]).toMatchObject([{ state: "resolved" }]);
    clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 5));
    expect(sink.calls).toHaveLength(3);
    expect(errors).toEqual(["flaky-fake", "flaky-fake"]);
    expect(await d.idle()).toBe(true);
    await d.close();
  });

  it("re-sends firing alerts every resendInterval and never blocks dispatch() on a slow sink", async () => {
    const clock = new ManualClock(0);
    let release: () => void = () => undefined;
    const sent: string[] = [];
    const slow: AlertSink = { name: "slow-fake", resend: true, send: (alerts) => { sent.push(...alerts.map((x) => x.fingerprint)); return new Promise<void>((r) => { release = r; }); } };
    const book = new AlertBook();
    const a = loopAlert(book, 0);
    const d = new Dispatcher({ sinks: [slow], clock, logger: silentLogger, resendIntervalMs: 30_000, firing: () => book.firing(), tracer, maxQueue: 3 });
    d.dispatch(a);
    await new Promise((r) => setTimeout(r, 5));
    // The first send hangs; dispatch() still returns at once and the queue stays bounded.
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) d.dispatch({ ...a, fingerprint: `fp${i}` });
    expect(performance.now() - t0).toBeLessThan(500);
    expect(d.stats()[0]).toMatchObject({ queued: 3, dropped: 9997 });
    release();
    await new Promise((r) => setTimeout(r, 5));
    expect(d.stats()[0]!.queued).toBe(0);
    release();
    await new Promise((r) => setTimeout(r, 5));
    clock.advance(30_000);
    await new Promise((r) => setTimeout(r, 5));
    // The re-send after 30 s carries the one firing alert again.
    expect(sent.filter((f) => f === a.fingerprint)).toHaveLength(2);
    release();
    await d.close(10);
  });
});
