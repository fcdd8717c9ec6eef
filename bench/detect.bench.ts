// Time-to-detect a relay loop on real region nodes (issue 6): three reference SFU region
// nodes (sfu/node, in this process, on loopback) with the incident's legacy behaviours on
// the two EU regions, the analyzer watching them over their real /v1/state + SSE, and a real
// Alertmanager 0.25 (Debian package) it sends alerts to. Each trial publishes a fresh track
// in us-west and subscribes to it in both EU regions at once; the loop forms when the second
// EU region reports pulling from the first (its track event, taken from the region's own
// event log the moment it is emitted into its SSE stream). Measured per trial:
//   - loop formation → the RelayLoop for that track leaves the analyzer (its sink is called);
//   - loop formation → Alertmanager's API lists the alert (polled every 2 ms).
// RELAYWATCH_BENCH_DETECT_TRIALS sets the trial count (default 100; the goal is over ≥ 100).
import { Registry } from "prom-client";
import type { Alert } from "../core/alert.js";
import { parseConfig } from "../core/config.js";
import type { Region } from "../core/region.js";
import type { SfuEvent } from "../core/sfu-state.js";
import { Analyzer } from "../analyzer/analyzer.js";
import { alertmanagerAvailable, startAlertmanager } from "../analyzer/testing/alertmanager-process.js";
import { startWebhookReceiver } from "../analyzer/testing/webhook-receiver.js";
import { publish, startLab, subscribe, waitFor, waitForMesh, type Lab } from "../test/sfu/sfu-kit.js";
import { quantile, sortedCopy, type Bench, type Reporter } from "./harness.js";

const EU = ["eu-central", "eu-west"] as const;
const REGIONS: Region[] = ["us-west", ...EU];
/** The first trials warm the JIT, the SFUs' relay paths and Alertmanager; not counted. */
const WARMUP = 5;
const POLL_MS = 2;

function trials(): number {
  const raw = process.env["RELAYWATCH_BENCH_DETECT_TRIALS"];
  const n = raw === undefined ? 100 : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`RELAYWATCH_BENCH_DETECT_TRIALS=${raw ?? ""}: expected a positive integer`);
  return n;
}

/** Resolves with performance.now() when both EU regions report pulling `track` from each other. */
function loopFormation(lab: Lab, track: string): { formed: Promise<number>; stop(): void } {
  const upstream = new Map<Region, Region | null>();
  let resolve: (t: number) => void = () => undefined;
  const formed = new Promise<number>((r) => { resolve = r; });
  const offs = EU.map((region) =>
    lab.node(region).events.subscribe((e: SfuEvent) => {
      if (e.type !== "track" || e.entry.track !== track) return;
      upstream.set(region, e.entry.upstream);
      if (upstream.get("eu-central") === "eu-west" && upstream.get("eu-west") === "eu-central") resolve(performance.now());
    }),
  );
  return { formed, stop: () => { for (const off of offs) off(); } };
}

async function alertmanagerHas(amUrl: string, track: string, deadline: number): Promise<number> {
  const filter = encodeURIComponent(`track="${track}"`);
  while (performance.now() < deadline) {
    const res = await fetch(`${amUrl}/api/v2/alerts?filter=alertname%3D%22RelayLoop%22&filter=${filter}`);
    const body = (await res.json()) as unknown[];
    if (body.length > 0) return performance.now();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`Alertmanager never listed RelayLoop{track=${track}}`);
}

async function realNodes(report: Reporter): Promise<void> {
  if (!alertmanagerAvailable()) {
    report.progress("SKIP time-to-detect on real nodes: /usr/bin/prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)");
    return;
  }
  const n = trials();
  const lab = await startLab({
    regions: REGIONS,
    node: (region) => ({ settleMs: 600, subscribeTimeoutMs: 2500, ...(region === "us-west" ? {} : { behaviours: ["announce-early", "no-loop-guard"] }) }),
  });
  const closers: { close(): Promise<void> }[] = [];
  try {
    await waitForMesh(lab);
    const hook = await startWebhookReceiver();
    closers.push(hook);
    const am = await startAlertmanager({ webhookUrl: hook.url });
    closers.push(am);
    let onSend: ((alerts: readonly Alert[]) => void) | null = null;
    const observer = { name: "bench", resend: false, send: (alerts: readonly Alert[]) => { onSend?.(alerts); return Promise.resolve(); } };
    const config = parseConfig({ regions: REGIONS.map((r) => ({ name: r, url: lab.node(r).url })), analyzer: { listen: "127.0.0.1:0" }, alerting: { alertmanager: [am.url], resendInterval: "30s" } });
    const analyzer = await Analyzer.start({ config, registry: new Registry(), sinks: [observer] });
    closers.push(analyzer);
    await waitFor(() => [...analyzer.engine.regions.all()].every((r) => r.connected), 5000, "analyzer connected to every region");

    const leaves: number[] = [];
    const atAm: number[] = [];
    for (let i = 0; i < n + WARMUP; i++) {
      if (i % 10 === 0) report.progress(`real-node loop trial ${i + 1}/${n + WARMUP}`);
      const track = `bench/loop${i}`;
      const origin = await publish(lab.node("us-west"), track);
      const stream = origin.stream(50);
      const formation = loopFormation(lab, track);
      const left = new Promise<number>((resolve) => {
        onSend = (alerts) => { if (alerts.some((a) => a.name === "RelayLoop" && a.labels["track"] === track && a.state === "firing")) resolve(performance.now()); };
      });
      const subs = EU.map((r) => subscribe(lab.node(r), track));
      const formedAt = await Promise.race([formation.formed, new Promise<never>((_, reject) => setTimeout(() => { reject(new Error(`trial ${i}: the loop did not form within 5 s`)); }, 5000))]);
      const [leftAt, amAt] = await Promise.all([left, alertmanagerHas(am.url, track, formedAt + 5000)]);
      formation.stop();
      if (i >= WARMUP) {
        leaves.push(leftAt - formedAt);
        atAm.push(amAt - formedAt);
      }
      // The subscribes end by timeout (nothing ever flows around the loop); close everything.
      await Promise.all(subs.map((p) => p.then((s) => s.close(), () => undefined)));
      stream.stop();
      await origin.close();
    }
    const l = sortedCopy(leaves);
    const a = sortedCopy(atAm);
    const note = `${n} trials, 3 real region nodes on loopback, loop = second EU region's track event`;
    report.figure("real nodes: loop forms → alert leaves analyzer p50", quantile(l, 0.5), "ms", { note });
    report.figure("real nodes: loop forms → alert leaves analyzer p99", quantile(l, 0.99), "ms", { note: "goal p99 < 100 ms" });
    report.figure("real nodes: loop forms → Alertmanager has it p50", quantile(a, 0.5), "ms", { note: `Alertmanager 0.25 API polled every ${POLL_MS} ms` });
    report.figure("real nodes: loop forms → Alertmanager has it p99", quantile(a, 0.99), "ms", { note: "goal p99 < 1000 ms" });
  } finally {
    for (const c of closers.reverse()) await c.close().catch(() => undefined);
    await lab.close();
  }
}

const bench: Bench = {
  name: "detect",
  description: "time-to-detect a relay loop on real region nodes: loop formation → alert leaves the analyzer → Alertmanager has it",
  run: realNodes,
};

export default bench;
