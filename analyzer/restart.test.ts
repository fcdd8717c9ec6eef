// Restart safety: an analyzer that stops while RelayLoop fires and starts again on the same
// store restores the alert with the same fingerprint and startsAt, re-derives it from the
// regions, and Alertmanager sends no second notification. (In-process restart on one chdb
// store; the alert row is flushed at transition time, so a SIGKILL loses nothing more.)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../core/config.js";
import { ChdbStore } from "../store/chdb-backend.js";
import { migrate } from "../store/migrations.js";
import { Analyzer } from "./analyzer.js";
import { alertmanagerAvailable, startAlertmanager } from "../test/support/alertmanager-process.js";
import { trackEntry } from "../test/support/analyzer-fixtures.js";
import { ScriptedRegionServer } from "../test/support/scripted-region-server.js";
import { startWebhookReceiver } from "../test/support/webhook-receiver.js";
import { skipWithout } from "../test/support/real-part.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-restart-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(skipWithout(alertmanagerAvailable(), "Alertmanager (Debian prometheus-alertmanager)"))("analyzer restart", () => {
  it("keeps the firing RelayLoop's fingerprint, rebuilds state within 3 s and causes no second notification", async () => {
    const regions = [new ScriptedRegionServer("us-west"), new ScriptedRegionServer("eu-central"), new ScriptedRegionServer("eu-west")];
    for (const r of regions) await r.start();
    const hook = await startWebhookReceiver();
    const am = await startAlertmanager({ webhookUrl: hook.url });
    const store = await ChdbStore.open({ path: join(dir, "data"), database: "restart" });
    await migrate(store);
    const config = parseConfig({ regions: regions.map((r) => ({ name: r.region, url: r.url })), analyzer: { listen: "127.0.0.1:0" }, alerting: { alertmanager: [am.url] } });
    const start = () => Analyzer.start({ config, store, spoolDir: join(dir, "spool"), registry: new Registry() });
    try {
      const first = await start();
      const [us, ec, ew] = regions as [ScriptedRegionServer, ScriptedRegionServer, ScriptedRegionServer];
      await until(() => [...first.engine.regions.all()].every((r) => r.connected), 5000, "connected");
      us.emit({ type: "track", entry: trackEntry("room/cam", { local: true, origin: "us-west", state: "flowing" }) });
      ec.emit({ type: "track", entry: trackEntry("room/cam", { upstream: "eu-west", subscribers: 1 }) });
      ew.emit({ type: "track", entry: trackEntry("room/cam", { upstream: "eu-central", subscribers: 1 }) });
      await until(() => first.engine.book.firingCount("RelayLoop") === 1, 5000, "RelayLoop fired");
      const before = first.engine.book.firing()[0]!;
      // Acknowledged before the restart: the owner is stored with the alert and comes back with it.
      expect(first.engine.acknowledge(before.fingerprint, "ana", Date.now())?.evidence["ackedBy"]).toBe("ana");
      await hook.waitFor((b) => (b as { status?: string }).status === "firing");
      await first.close();

      const t0 = Date.now();
      const second = await start();
      try {
        expect(second.engine.book.firing().map((a) => [a.fingerprint, a.startsAt])).toEqual([[before.fingerprint, before.startsAt]]);
        await until(() => second.engine.loops.hasCycle("room/cam"), 3000, "state rebuilt from the regions");
        expect(Date.now() - t0).toBeLessThan(3000);
        // Past the restore grace the alert is confirmed by the regions, not resolved.
        second.engine.tick(Date.now() + 11_000);
        expect(second.engine.book.firing().map((a) => a.fingerprint)).toEqual([before.fingerprint]);
        expect(second.engine.book.get(before.fingerprint)?.evidence["ackedBy"]).toBe("ana");
        await second.dispatcher.idle();
        await new Promise((r) => setTimeout(r, 2500)); // > group_interval (1 s): a new notification would have arrived
        const notes = hook.bodies.filter((b) => JSON.stringify(b).includes("RelayLoop"));
        expect(notes).toHaveLength(1);
      } finally {
        await second.close();
      }
    } finally {
      await am.close();
      await hook.close();
      for (const r of regions) await r.close();
      await store.close();
    }
  });
});
