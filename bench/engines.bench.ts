// Engines bench: werift vs mediasoup in one run, same load, same machine. Forwarding:
// one VP8 publisher → one subscriber, clients in child processes (test/support/
// load-client.ts), rate stepped up until delivery falls below 99%; CPU per delivered
// packet is the engine's alone — werift: this process; mediasoup: its worker process
// (/proc/<pid>/stat utime+stime) plus this process (the engine's Node side). Each engine
// runs on one core (mediasoup: one worker), so pps figures are per core. Relay setup:
// relayIn() on B + relayOut() on A until the first packet arrives on B, p50/p95.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { quantile, sortedCopy, type Bench, type Reporter } from "./harness.js";
import type { MediaEngine } from "../sfu/media/engine.js";
import type { LoadReply, LoadRequest } from "../test/support/load-client.js";
import { processCpuUs } from "../test/support/process-tree.js";
import { WeriftEngine } from "../sfu/media/werift/werift-engine.js";
import { createMediasoupEngine } from "../sfu/media/mediasoup/create-mediasoup-engine.js";
import { loadMediasoup, mediasoupAvailable } from "../sfu/media/mediasoup/loader.js";

const CLIENT = fileURLToPath(new URL("../test/support/load-client.ts", import.meta.url));
const RATES = [1_000, 2_000, 4_000, 8_000, 12_000, 16_000];
const STEP_MS = 2_000;
/** A typical video packet (VP8 at ~1 Mbit/s). */
const PAYLOAD_BYTES = 1_000;
const SUSTAINED_DELIVERY = 0.99;
const RELAY_SETUPS = 30;

type EngineKind = "werift" | "mediasoup";

class LoadClient {
  private readonly child: ChildProcess;
  private readonly queue: LoadReply[] = [];
  private readonly waiting: ((r: LoadReply) => void)[] = [];

  constructor(role: "publisher" | "subscriber") {
    this.child = fork(CLIENT, [role], { execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"] });
    this.child.on("message", (m: unknown) => {
      const r = m as LoadReply;
      const w = this.waiting.shift();
      if (w === undefined) this.queue.push(r);
      else w(r);
    });
  }

  async ask<T extends LoadReply["type"]>(req: LoadRequest | null, type: T): Promise<Extract<LoadReply, { type: T }>> {
    if (req !== null) this.child.send(req);
    const queued = this.queue.shift();
    const r = queued ?? (await new Promise<LoadReply>((resolve) => this.waiting.push(resolve)));
    if (r.type === "error") throw new Error(`load client: ${r.message}`);
    if (r.type !== type) throw new Error(`load client: expected ${type}, got ${r.type}`);
    return r as Extract<LoadReply, { type: T }>;
  }

  async close(): Promise<void> {
    if (this.child.connected) this.child.send({ type: "close" } satisfies LoadRequest);
    await new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once("exit", () => { resolve(); });
      setTimeout(() => { this.child.kill(); }, 3_000).unref();
    });
  }
}

interface Engines {
  make(index: number): Promise<MediaEngine>;
  /** CPU µs of the engine so far: this process plus its workers. */
  cpuUs(engine: MediaEngine): number;
}

function enginesOf(kind: EngineKind): Engines {
  const selfUs = (): number => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  if (kind === "werift") {
    return { make: (i) => Promise.resolve(new WeriftEngine({ rtpPortRange: { min: 29_100 + i * 50, max: 29_149 + i * 50 } })), cpuUs: selfUs };
  }
  const { module } = loadMediasoup();
  return {
    make: (i) => createMediasoupEngine({ mediasoup: module, rtpPortRange: { min: 29_300 + i * 50, max: 29_349 + i * 50 }, workers: 1 }),
    cpuUs: (engine) => selfUs() + (engine as unknown as { workerPids(): number[] }).workerPids().reduce((n, pid) => n + processCpuUs(pid), 0),
  };
}

interface ForwardingResult {
  usPerPacket: number;
  sustainedPps: number;
  usAtSustained: number;
}

async function forwarding(kind: EngineKind, engines: Engines, report: Reporter): Promise<ForwardingResult> {
  const engine = await engines.make(0);
  const publisher = new LoadClient("publisher");
  const subscriber = new LoadClient("subscriber");
  try {
    const { answerSdp } = await engine.publish("bench/cam", (await publisher.ask(null, "offer")).sdp);
    await publisher.ask({ type: "answer", sdp: answerSdp }, "ready");
    const sub = await engine.subscribe("bench/cam", (await subscriber.ask(null, "offer")).sdp);
    await subscriber.ask({ type: "answer", sdp: sub.answerSdp }, "ready");
    for (let i = 0; i < 200 && engine.stats("bench/cam").subscriptions[0]?.connected !== true; i++) await sleep(10);
    let first = Number.NaN;
    let sustained = 0;
    let atSustained = Number.NaN;
    for (const pps of RATES) {
      await subscriber.ask({ type: "count" }, "count");
      const cpu0 = engines.cpuUs(engine);
      const { sent } = await publisher.ask({ type: "send", pps, durationMs: STEP_MS, size: PAYLOAD_BYTES }, "sent");
      await sleep(300);
      const cpu = engines.cpuUs(engine) - cpu0;
      const { received } = await subscriber.ask({ type: "count" }, "count");
      const us = received === 0 ? Number.NaN : cpu / received;
      const ratio = sent === 0 ? 0 : received / sent;
      report.progress(`${kind} ${pps} pps: sent ${sent}, delivered ${received} (${(ratio * 100).toFixed(1)}%), engine CPU ${(cpu / 1000).toFixed(0)} ms = ${us.toFixed(1)} µs/packet`);
      if (Number.isNaN(first)) first = us;
      if (ratio < SUSTAINED_DELIVERY) break;
      sustained = pps;
      atSustained = us;
    }
    // No rate sustained (a loaded machine: the werift clients drop first): the lowest rate's cost.
    return { usPerPacket: first, sustainedPps: sustained, usAtSustained: Number.isNaN(atSustained) ? first : atSustained };
  } finally {
    await Promise.all([publisher.close(), subscriber.close()]);
    await engine.close();
  }
}

async function relaySetup(engines: Engines): Promise<number[]> {
  const a = await engines.make(1);
  const b = await engines.make(2);
  const publisher = new LoadClient("publisher");
  const times: number[] = [];
  try {
    const { answerSdp, media } = await a.publish("bench/relay", (await publisher.ask(null, "offer")).sdp);
    await publisher.ask({ type: "answer", sdp: answerSdp }, "ready");
    // Keep packets flowing (200 pps) so "first packet on B" measures the pipe, not the source.
    const sending = publisher.ask({ type: "send", pps: 200, durationMs: RELAY_SETUPS * 400, size: 200 }, "sent");
    for (let i = 0; i < RELAY_SETUPS; i++) {
      const started = performance.now();
      const arrived = new Promise<void>((resolve) => {
        const off = b.on("firstPacket", () => {
          off();
          resolve();
        });
      });
      const inB = await b.relayIn("bench/relay", media);
      const outA = await a.relayOut("bench/relay", { ip: inB.ip, port: inB.port });
      await Promise.race([arrived, sleep(2_000)]);
      times.push(performance.now() - started);
      await a.closeRelay(outA.relayId);
      await b.closeRelay(inB.relayId);
    }
    await sending;
  } finally {
    await publisher.close();
    await Promise.all([a.close(), b.close()]);
  }
  return sortedCopy(times);
}

async function run(report: Reporter): Promise<void> {
  const available = mediasoupAvailable();
  const kinds: EngineKind[] = available.ok ? ["werift", "mediasoup"] : ["werift"];
  if (!available.ok) report.progress(`mediasoup figures skipped: ${available.reason}`);
  const results = new Map<EngineKind, { fwd: ForwardingResult; relay: number[] }>();
  for (const kind of kinds) {
    const engines = enginesOf(kind);
    results.set(kind, { fwd: await forwarding(kind, engines, report), relay: await relaySetup(engines) });
  }
  const w = results.get("werift");
  const m = results.get("mediasoup");
  if (w === undefined) return;
  const note = `${RATES[0]} pps, ${PAYLOAD_BYTES}-byte VP8, 1 subscriber, one core`;
  report.figure("werift CPU per delivered packet", w.fwd.usPerPacket, "µs", { note });
  report.figure("werift pps per core (CPU-bound)", Math.round(1e6 / w.fwd.usAtSustained), "pps", { note: `max sustained ${w.fwd.sustainedPps} pps` });
  report.figure("werift relay setup p50", quantile(w.relay, 0.5), "ms");
  report.figure("werift relay setup p95", quantile(w.relay, 0.95), "ms");
  if (m === undefined) {
    report.figure("mediasoup figures", 0, "skipped", { note: available.ok ? "" : available.reason });
    return;
  }
  report.figure("mediasoup CPU per delivered packet", m.fwd.usPerPacket, "µs", { baseline: w.fwd.usPerPacket, note: `${note}; worker + Node side` });
  report.figure("mediasoup pps per core (CPU-bound)", Math.round(1e6 / m.fwd.usAtSustained), "pps", {
    baseline: Math.round(1e6 / w.fwd.usAtSustained),
    note: `max sustained ${m.fwd.sustainedPps} pps end to end (the werift client processes limit delivery too)`,
  });
  report.figure("mediasoup relay setup p50", quantile(m.relay, 0.5), "ms", { baseline: quantile(w.relay, 0.5) });
  report.figure("mediasoup relay setup p95", quantile(m.relay, 0.95), "ms", { baseline: quantile(w.relay, 0.95) });
}

const bench: Bench = {
  name: "engines",
  description: "werift vs mediasoup: CPU µs per forwarded packet, pps per core, relay setup p50/p95 (mediasoup skipped when unavailable)",
  run,
};

export default bench;
