// Time-to-detect a relay loop on real region nodes (issue 6): three reference SFU region
// nodes (sfu/node, in this process, on loopback, talking through the WAN emulator) with the incident's legacy behaviours on
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
import { alertmanagerAvailable, startAlertmanager } from "../test/support/alertmanager-process.js";
import { startWebhookReceiver } from "../test/support/webhook-receiver.js";
import { publish, startLab, subscribe, waitFor, waitForMesh, type Lab } from "../test/sfu/sfu-kit.js";
import { quantile, sortedCopy, type Bench, type Reporter } from "./harness.js";

const EU = ["eu-central", "eu-west"] as const;
const REGIONS: Region[] = ["us-west", ...EU];
/** The first trials warm the JIT, the SFUs' relay paths and Alertmanager; not counted. */
const WARMUP = 5;
const POLL_MS = 2;
/** One-way ms between regions (through the WAN emulator): the EU regions are near each other and far from us-west, so each locates the other's early-announced copy first — the incident's shape. The analyzer reaches the regions directly. */
const LATENCY: Record<string, number> = { "eu-central|eu-west": 2, "eu-central|us-west": 40, "eu-west|us-west": 45 };
const latencyMs = (x: string, y: string): number => LATENCY[[x, y].sort().join("|")] ?? 40;

function trials(): number {
  const raw = process.env["RELAYWATCH_BENCH_DETECT_TRIALS"];
  const n = raw === undefined ? 100 : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`RELAYWATCH_BENCH_DETECT_TRIALS=${raw ?? ""}: expected a positive integer`);
  return n;
}

/** Resolves with performance.now() when both EU regions report pulling `track` from each other. */
function loopFormation(lab: Lab, track: string): { formed: Promise<number>; upstreams(): string; stop(): void } {
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
  return { formed, upstreams: () => EU.map((r) => `${r}←${upstream.get(r) ?? "none"}`).join(", "), stop: () => { for (const off of offs) off(); } };
}

async function within<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => { reject(new Error(message)); }, ms); })]);
  } finally {
    clearTimeout(timer);
  }
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

/**
 * 25 trials per world: with the legacy behaviours on, every loop holds a relay port in each
 * EU region for good (as in the incident, nothing breaks it), and a region has 64 of them.
 */
const TRIALS_PER_WORLD = 25;

interface Samples {
  leaves: number[];
  atAm: number[];
  noLoop: string[];
  trial: number;
}

async function realNodes(report: Reporter): Promise<void> {
  if (!alertmanagerAvailable()) {
    report.progress("SKIP time-to-detect on real nodes: /usr/bin/prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)");
    return;
  }
  const n = trials();
  const hook = await startWebhookReceiver();
  const am = await startAlertmanager({ webhookUrl: hook.url }).catch(async (err: unknown) => {
    await hook.close();
    throw err;
  });
  const samples: Samples = { leaves: [], atAm: [], noLoop: [], trial: 0 };
  try {
    while (samples.leaves.length < n) {
      if (samples.noLoop.length > n) throw new Error(`the loop did not form in ${samples.noLoop.length} trials, e.g. ${samples.noLoop.slice(-3).join("; ")}`);
      await world(report, am.url, n, samples);
    }
  } finally {
    await am.close();
    await hook.close();
  }
  const l = sortedCopy(samples.leaves);
  const a = sortedCopy(samples.atAm);
  const note = `${n} trials, 3 real region nodes on loopback, loop = second EU region's track event; ${samples.noLoop.length} trials formed no loop`;
  report.figure("real nodes: loop forms → alert leaves analyzer p50", quantile(l, 0.5), "ms", { note });
  report.figure("real nodes: loop forms → alert leaves analyzer p99", quantile(l, 0.99), "ms", { note: "goal p99 < 100 ms" });
  report.figure("real nodes: loop forms → Alertmanager has it p50", quantile(a, 0.5), "ms", { note: `Alertmanager 0.25 API polled every ${POLL_MS} ms` });
  report.figure("real nodes: loop forms → Alertmanager has it p99", quantile(a, 0.99), "ms", { note: "goal p99 < 1000 ms" });
}

/** One world (3 region nodes + an analyzer sending to `amUrl`) for up to TRIALS_PER_WORLD trials. */
async function world(report: Reporter, amUrl: string, n: number, samples: Samples): Promise<void> {
  const lab = await startLab({
    regions: REGIONS,
    wan: { latencyMs },
    node: (region) => ({ settleMs: 600, subscribeTimeoutMs: 1000, ...(region === "us-west" ? {} : { behaviours: ["announce-early", "no-loop-guard"] }) }),
  });
  let analyzer: Analyzer | null = null;
  try {
    await waitForMesh(lab);
    let onSend: ((alerts: readonly Alert[]) => void) | null = null;
    const observer = { name: "bench", resend: false, send: (alerts: readonly Alert[]) => { onSend?.(alerts); return Promise.resolve(); } };
    const config = parseConfig({ regions: REGIONS.map((r) => ({ name: r, url: lab.node(r).url })), analyzer: { listen: "127.0.0.1:0" }, alerting: { alertmanager: [amUrl], resendInterval: "30s" } });
    const a = await Analyzer.start({ config, registry: new Registry(), sinks: [observer] });
    analyzer = a;
    await waitFor(() => [...a.engine.regions.all()].every((r) => r.connected), 5000, "analyzer connected to every region");
    for (let k = 0; k < TRIALS_PER_WORLD && samples.leaves.length < n; k++) {
      const i = samples.trial++;
      if (i % 10 === 0) report.progress(`real-node loop trial ${i + 1} (${samples.leaves.length}/${n} timed)`);
      const track = `bench/loop${i}`;
      const origin = await publish(lab.node("us-west"), track);
      const stream = origin.stream(50);
      const formation = loopFormation(lab, track);
      const left = new Promise<number>((resolve) => {
        onSend = (alerts) => { if (alerts.some((x) => x.name === "RelayLoop" && x.labels["track"] === track && x.state === "firing")) resolve(performance.now()); };
      });
      const subs = EU.map((r) => subscribe(lab.node(r), track));
      // The legacy locator is a race: now and then one EU region reaches us-west's origin
      // before the other's early announcement arrives, and no loop forms. Counted, not timed.
      const formedAt = await within(formation.formed, 3000, "").catch(() => null);
      formation.stop();
      if (formedAt === null) {
        samples.noLoop.push(`${track}: ${formation.upstreams()}`);
      } else {
        const [leftAt, amAt] = await Promise.all([within(left, 5000, `${track}: no RelayLoop left the analyzer within 5 s of the loop forming`), alertmanagerHas(amUrl, track, formedAt + 5000)]);
        if (i >= WARMUP) {
          samples.leaves.push(leftAt - formedAt);
          samples.atAm.push(amAt - formedAt);
        }
      }
      // The subscribes end by timeout (nothing ever flows around the loop); close everything.
      await Promise.all(subs.map((p) => p.then((s) => s.close(), () => undefined)));
      stream.stop();
      await origin.close();
    }
  } finally {
    await analyzer?.close();
    await lab.close();
  }
}

const bench: Bench = {
  name: "detect",
  description: "time-to-detect a relay loop on real region nodes: loop formation → alert leaves the analyzer → Alertmanager has it",
  run: realNodes,
};

export default bench;
