// Issue 6: kill -9 the analyzer process while an alert fires and start it again. The alert
// comes back with the same fingerprint and start, state is rebuilt within 3 s, and a real
// Alertmanager 0.25 sends its receiver no second notification (and no resolve). The alert is
// the dead region's page: RegionUnreachable, raised to critical once the region has stayed
// unreachable (analyzer/alerts/paging.ts); the analyzer is killed after that page went out.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alertmanagerAvailable, startAlertmanager, type AlertmanagerProcess } from "../support/alertmanager-process.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";
import { World } from "../../lab/world/world.js";
import { waitFor } from "../support/ports.js";
import { skipWithout } from "../support/real-part.js";

const dataDir = mkdtempSync(join(tmpdir(), "relaywatch-kill9-"));
let world: World | null = null;
let am: AlertmanagerProcess | null = null;
let hook: WebhookReceiver | null = null;
afterAll(async () => {
  await world?.stop();
  await am?.close();
  await hook?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Notification { status: string; alerts: { status: string; labels: Record<string, string> }[] }
const notificationsFor = (h: WebhookReceiver, alertname: string): Notification[] =>
  (h.bodies as Notification[]).filter((b) => b.alerts.some((a) => a.labels["alertname"] === alertname));

describe.skipIf(skipWithout(alertmanagerAvailable(), "Alertmanager (Debian prometheus-alertmanager)"))("the analyzer killed with SIGKILL while an alert fires", () => {
  it("keeps the fingerprint, rebuilds within 3 s, and Alertmanager notifies once", async () => {
    hook = await startWebhookReceiver();
    am = await startAlertmanager({ webhookUrl: hook.url });
    world = await World.start({ regions: ["us-east", "us-west"], dataDir, probes: false, alertmanager: [am.url] });
    const w = world;
    await w.supervisor.kill("us-west", "SIGKILL");
    const paging = async () => (await w.alerts()).some((a) => a.name === "RegionUnreachable" && a.state === "firing" && a.severity === "critical");
    expect(await waitFor(paging, 30_000), `RegionUnreachable pages: ${JSON.stringify(await w.alerts().catch((e: unknown) => String(e)))}`).toBe(true);
    const before = (await w.alerts()).find((a) => a.name === "RegionUnreachable" && a.state === "firing");
    await hook.waitFor((b) => (b as Notification).alerts.some((a) => a.labels["alertname"] === "RegionUnreachable" && a.labels["severity"] === "critical" && a.status === "firing"), 10_000);
    // Let Alertmanager's 1 s group interval flush what the escalation changed (the warning's label set resolved).
    await new Promise((r) => setTimeout(r, 3000));
    const notified = notificationsFor(hook, "RegionUnreachable").length;

    await w.supervisor.kill("analyzer", "SIGKILL");
    await w.supervisor.restart("analyzer", 30_000);
    const ready = Date.now();
    expect(await waitFor(async () => {
      const a = (await w.alerts()).find((x) => x.name === "RegionUnreachable" && x.state === "firing");
      return a?.fingerprint === before?.fingerprint && a?.startsAt === before?.startsAt;
    }, 3000), "the same alert, same start, within 3 s of the restart").toBe(true);
    process.stdout.write(`analyzer state rebuilt ${Date.now() - ready} ms after it answered again\n`);

    await new Promise((r) => setTimeout(r, 4000));
    // Nothing new since before the kill: no second page, no resolve.
    expect(notificationsFor(hook, "RegionUnreachable")).toHaveLength(notified);
  }, 120_000);
});
