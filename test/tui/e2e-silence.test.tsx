// On-call from the TUI against real parts: a real analyzer (fed by scripted region APIs that
// form a relay loop) sends its RelayLoop to a real Alertmanager 0.25, which notifies a
// webhook receiver. Keystrokes in the real App (ink) silence the alert: the silence is in
// Alertmanager's API, the alert is suppressed and the notifications stop; expiring the
// silence from the list brings them back. Acknowledging shows the owner to another client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import { Analyzer } from "../../analyzer/analyzer.js";
import type { Alert } from "../../core/alert.js";
import { alertsResponseSchema } from "../../core/analyzer-api.js";
import { systemClock } from "../../core/clock.js";
import { parseConfig } from "../../core/config.js";
import { runbookUrl } from "../../core/runbook.js";
import { App } from "../../tui/components/App.js";
import { LiveAlertOps } from "../../tui/source/alertmanager-ops.js";
import { LiveSource } from "../../tui/source/live-source.js";
import { alertmanagerAvailable, startAlertmanager, type AlertmanagerProcess } from "../support/alertmanager-process.js";
import { trackEntry } from "../support/analyzer-fixtures.js";
import { skipWithout } from "../support/real-part.js";
import { ScriptedRegionServer } from "../support/scripted-region-server.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";
import { renderSized, waitFor, type SizedRender } from "./support/render-sized.js";

const TOKEN = "oncall-token-0123456789";
const USER = "oncall-ana";
/**
 * Alertmanager re-notifies a group every repeat interval, checked every group interval (1 s
 * each here); the analyzer re-sends every 1 s. 5 s without a RelayLoop notification is
 * therefore at least two missed repeats: silenced, not slow.
 */
const QUIET_MS = 5_000;

interface HookBody {
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}
const loopNotices = (hook: WebhookReceiver): number => hook.bodies.filter((b) => (b as HookBody).alerts.some((a) => a.labels["alertname"] === "RelayLoop" && a.status === "firing")).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skipWithout(alertmanagerAvailable(), "Alertmanager (Debian prometheus-alertmanager)"))("silence and acknowledge from the TUI (real analyzer, real Alertmanager 0.25)", () => {
  const regions = ["eu-central", "eu-west", "us-west"].map((r) => new ScriptedRegionServer(r));
  let hook: WebhookReceiver;
  let am: AlertmanagerProcess;
  let analyzer: Analyzer;
  let view: SizedRender;
  /** Everything opened, closed in reverse. */
  const opened: (() => unknown)[] = [];

  beforeAll(async () => {
    for (const r of regions) {
      await r.start();
      opened.push(() => r.close());
    }
    hook = await startWebhookReceiver();
    opened.push(() => hook.close());
    am = await startAlertmanager({ webhookUrl: hook.url, groupWait: "100ms", groupInterval: "1s", repeatInterval: "1s" });
    opened.push(() => am.close());
    const config = parseConfig({ regions: regions.map((r) => ({ name: r.region, url: r.url })), analyzer: { listen: "127.0.0.1:0", token: TOKEN }, alerting: { alertmanager: [am.url], resendInterval: "1s" } });
    analyzer = await Analyzer.start({ config, registry: new Registry() });
    opened.push(() => analyzer.close());
    const [eu, west, us] = regions;
    const deadline = Date.now() + 5000;
    while ([...analyzer.engine.regions.all()].some((r) => !r.connected) && Date.now() < deadline) await sleep(10);
    us?.emit({ type: "track", entry: trackEntry("room/cam", { local: true, origin: "us-west", state: "flowing" }) });
    eu?.emit({ type: "track", entry: trackEntry("room/cam", { upstream: "eu-west", origin: "us-west", subscribers: 1 }) });
    west?.emit({ type: "track", entry: trackEntry("room/cam", { upstream: "eu-central", origin: "us-west", subscribers: 1 }) });
  });

  afterAll(async () => {
    for (const close of opened.splice(0).reverse()) await close();
  });

  function live(): LiveSource {
    const s = new LiveSource({ url: analyzer.url, token: TOKEN, fetch: globalThis.fetch, clock: systemClock, retry: { baseMs: 50, maxMs: 200 } });
    opened.push(() => s.close());
    s.start();
    return s;
  }

  it("s silences the selected alert: visible in Alertmanager's API, suppressed, notifications stop; x in the S list expires it and they resume", async () => {
    const ops = new LiveAlertOps({ analyzerUrl: analyzer.url, token: TOKEN, user: USER, alertmanagerUrl: am.url, fetch: globalThis.fetch });
    view = await renderSized(<App source={live()} clock={systemClock} alertOps={ops} initial={{ view: "alerts" }} />, 150, 40);
    opened.push(() => { view.unmount(); });
    await waitFor(() => view.frame().includes("RelayLoop FIRING"), 10_000, "the RelayLoop in the Alerts view");
    expect(view.frame()).toContain(runbookUrl("RelayLoop"));
    expect(view.frame()).toContain("a/s/S ack/silence");
    // Alertmanager notifies while it fires: at least two RelayLoop notifications, a repeat apart.
    await waitFor(() => loopNotices(hook) >= 2, 10_000, "two RelayLoop notifications from Alertmanager");

    await view.press("s");
    await waitFor(() => view.frame().includes("Silence in Alertmanager"), 2_000, "the silence form");
    expect(view.frame()).toMatch(/matchers\s+alertname="RelayLoop" regions="eu-central,eu-west"/);
    await view.press("\t");
    for (const ch of "breaking the loop, q is typed") await view.press(ch);
    await view.press("\r");
    await waitFor(() => view.frame().includes("RelayLoop silenced until"), 5_000, "the silence notice");

    const silences = (await (await fetch(`${am.url}/api/v2/silences`)).json()) as { id: string; createdBy: string; comment: string; status: { state: string }; matchers: { name: string; value: string }[]; endsAt: string }[];
    const mine = silences.find((s) => s.status.state === "active");
    expect(mine).toMatchObject({ createdBy: USER, comment: "breaking the loop, q is typed" });
    expect(mine?.matchers.map((m) => `${m.name}=${m.value}`).sort()).toEqual(["alertname=RelayLoop", "regions=eu-central,eu-west"]);
    expect(Date.parse(mine?.endsAt ?? "") - Date.now()).toBeGreaterThan(55 * 60_000);
    const amAlerts = (await (await fetch(`${am.url}/api/v2/alerts?filter=alertname%3D%22RelayLoop%22`)).json()) as { status: { state: string; silencedBy: string[] } }[];
    expect(amAlerts[0]?.status).toMatchObject({ state: "suppressed", silencedBy: [mine?.id] });

    // Let a notification already in flight land, then nothing more while silenced.
    await sleep(1_500);
    const before = loopNotices(hook);
    await sleep(QUIET_MS);
    expect(loopNotices(hook)).toBe(before);

    await view.press("S");
    await waitFor(() => view.frame().includes("Silences in Alertmanager") && view.frame().includes("breaking the loop"), 5_000, "the silences list");
    expect(view.frame()).toMatch(/▸ active/);
    await view.press("x");
    await waitFor(() => view.frame().includes("expired"), 5_000, "the expired silence");
    const after = (await (await fetch(`${am.url}/api/v2/silence/${mine?.id ?? ""}`)).json()) as { status: { state: string } };
    expect(after.status.state).toBe("expired");
    await waitFor(() => loopNotices(hook) > before, 10_000, "a RelayLoop notification after the silence expired");
    await view.press("\u001b");
    await waitFor(() => view.frame().includes("RelayLoop FIRING"), 2_000, "back to the Alerts view");
  });

  it("a acknowledges the selected alert: another client sees the owner in the API and on its stream", async () => {
    const other = live();
    await view.press("a");
    await waitFor(() => view.frame().includes(`acknowledged: owned by ${USER}`), 5_000, "the acknowledgement notice");
    await waitFor(() => /owner\s+oncall-ana/.test(view.frame()), 5_000, "the owner in the details");
    const res = alertsResponseSchema.parse(await (await fetch(`${analyzer.url}/v1/alerts`, { headers: { authorization: `Bearer ${TOKEN}` } })).json());
    expect(res.alerts.find((a) => a.name === "RelayLoop")?.evidence).toMatchObject({ ackedBy: USER });
    const owned = (a: Alert) => a.name === "RelayLoop" && a.evidence["ackedBy"] === USER;
    await waitFor(() => other.getState().alerts.some(owned), 5_000, "the owner on the other client's stream");
  });
});
