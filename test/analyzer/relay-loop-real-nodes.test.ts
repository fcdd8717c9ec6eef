// The analyzer against real region nodes (sfu/node, started in-process by test/sfu's kit):
// the incident's legacy behaviours on eu-central/eu-west form the loop; the analyzer fires
// RelayLoop naming the track and both regions; a real Alertmanager 0.25 receives it and its
// webhook receiver is notified; switching the behaviours off again and re-subscribing
// resolves it, and Alertmanager's webhook is told.
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config.js";
import { Analyzer } from "../../analyzer/analyzer.js";
import { alertmanagerAvailable, startAlertmanager, type AlertmanagerProcess } from "../support/alertmanager-process.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";
import { REFERENCE_ENGINE, labScope, publish, subscribe, waitFor, waitForMesh } from "../sfu/sfu-kit.js";
import { skipWithout } from "../support/real-part.js";

const LATENCY: Record<string, number> = { "eu-central|eu-west": 2, "eu-central|us-west": 40, "eu-west|us-west": 45 };
const latencyMs = (x: string, y: string): number => LATENCY[[x, y].sort().join("|")] ?? 40;
const ADMIN_TOKEN = "admin-token-0123456789abcdef";
const EU = ["eu-central", "eu-west"] as const;
const TRACK = "probe/us-west";

const amPresent = alertmanagerAvailable();
if (!amPresent) process.stderr.write("SKIP test/analyzer/relay-loop-real-nodes.test.ts: /usr/bin/prometheus-alertmanager is not installed\n");

describe.skipIf(skipWithout(amPresent, "Alertmanager (Debian prometheus-alertmanager)"))("analyzer + real region nodes + real Alertmanager", () => {
  const scope = labScope();

  it("the incident's legacy behaviours fire RelayLoop with the right track and regions; Alertmanager and its webhook get it; off again + re-subscribe resolves it", async () => {
    const lab = await scope.start({
      engine: REFERENCE_ENGINE,
      regions: ["us-west", ...EU],
      wan: { latencyMs },
      node: (region) => ({ admin: { enabled: true, token: ADMIN_TOKEN }, settleMs: 600, subscribeTimeoutMs: 2500, ...(region === "us-west" ? {} : { behaviours: ["announce-early", "no-loop-guard"] }) }),
    });
    await waitForMesh(lab);
    const hook: WebhookReceiver = await startWebhookReceiver();
    scope.defer(hook);
    const am: AlertmanagerProcess = await startAlertmanager({ webhookUrl: hook.url });
    scope.defer(am);
    const config = parseConfig({
      regions: ["us-west", ...EU].map((r) => ({ name: r, url: lab.node(r).url })),
      analyzer: { listen: "127.0.0.1:0" },
      alerting: { alertmanager: [am.url], resendInterval: "30s" },
    });
    const analyzer = await Analyzer.start({ config, registry: new Registry() });
    scope.defer(analyzer);
    await waitFor(() => [...analyzer.engine.regions.all()].every((r) => r.connected), 5000, "analyzer connected to all regions");

    const origin = await publish(lab.node("us-west"), TRACK);
    scope.defer(origin);
    scope.defer(origin.stream(100));
    const pending = EU.map((r) => subscribe(lab.node(r), TRACK));
    for (const p of pending) p.catch(() => undefined);

    const loop = () => analyzer.engine.book.firing().find((a) => a.name === "RelayLoop");
    await waitFor(() => loop() !== undefined, 5000, "RelayLoop firing in the analyzer");
    expect(loop()).toMatchObject({ labels: { regions: "eu-central,eu-west", severity: "critical" }, evidence: { track: TRACK, cycle: ["eu-central", "eu-west", "eu-central"] } });
    const fingerprint = loop()!.fingerprint;

    await waitFor(async () => {
      const listed = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as { labels: Record<string, string> }[];
      return listed.some((a) => a.labels["alertname"] === "RelayLoop" && a.labels["regions"] === "eu-central,eu-west");
    }, 5000, "Alertmanager holding the RelayLoop alert");
    await hook.waitFor((b) => JSON.stringify(b).includes('"alertname":"RelayLoop"'), 10_000);

    for (const sub of await Promise.all(pending)) scope.defer(sub);
    // Off again through the admin API, as an operator would: the loop guard's pending-pull
    // timeout (sfu/node/relay-manager.ts) makes each EU region leave the other's copy and pull
    // from the origin, so the loop breaks; re-subscribing then gets media from us-west.
    for (const r of EU) {
      const res = await fetch(`${lab.node(r).url}/admin/behaviours`, { method: "PUT", headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` }, body: JSON.stringify({ behaviours: [] }) });
      expect(res.status).toBe(200);
    }
    await waitFor(() => analyzer.engine.book.firing().every((a) => a.name !== "RelayLoop"), 15_000, "RelayLoop resolved in the analyzer");
    const again = await Promise.all(EU.map((r) => subscribe(lab.node(r), TRACK)));
    for (const sub of again) scope.defer(sub);
    for (const [i, sub] of again.entries()) {
      expect(sub.status, sub.body).toBe(201);
      expect(sub.relayPath ?? "", "media from the origin, the other EU region at most as one hop").toMatch(new RegExp(`^us-west>(eu-\\w+>)?${EU[i]!}$`));
    }
    // Alertmanager got the endsAt: its webhook is notified that RelayLoop resolved, and the
    // alert leaves its active list.
    await hook.waitFor((b) => JSON.stringify(b).includes('"status":"resolved"') && JSON.stringify(b).includes('"alertname":"RelayLoop"'), 15_000);
    await waitFor(async () => {
      const listed = (await (await fetch(`${am.url}/api/v2/alerts?active=true`)).json()) as { labels: Record<string, string> }[];
      return !listed.some((a) => a.labels["alertname"] === "RelayLoop" && a.labels["regions"] === "eu-central,eu-west");
    }, 5000, "Alertmanager no longer listing the RelayLoop as active");
    expect(analyzer.engine.book.firing().filter((a) => a.name === "RelayLoop").map((a) => a.fingerprint)).not.toContain(fingerprint);
  }, 60_000);
});
