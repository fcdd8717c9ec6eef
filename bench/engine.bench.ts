// Engine bench: forwarding cost and throughput of the werift engine, publish → subscribe
// on loopback. The publisher and the subscriber run in two child processes, so this
// process's CPU is the engine's alone (SRTP decrypt of the publisher, fan-out, SRTP
// encrypt to the subscriber). Steps the rate up until delivery falls below 99%.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import type { Bench, Reporter } from "./harness.js";
import type { MediaEngine } from "../sfu/media/engine.js";
import type { LoadReply, LoadRequest } from "../test/support/load-client.js";
import { WeriftEngine } from "../sfu/media/werift/werift-engine.js";

const CLIENT = fileURLToPath(new URL("../test/support/load-client.ts", import.meta.url));
/** Packets per second tried in turn; each step lasts STEP_MS (whole bench stays < ~30 s). */
const RATES = [1_000, 2_000, 3_000, 4_000, 6_000, 8_000, 12_000];
const STEP_MS = 2_000;
/** A typical video packet: VP8 at ~1 Mbit/s sends packets of about this size. */
const PAYLOAD_BYTES = 1_000;
const SUSTAINED_DELIVERY = 0.99;

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

  next(): Promise<LoadReply> {
    const r = this.queue.shift();
    if (r !== undefined) return Promise.resolve(r);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async ask<T extends LoadReply["type"]>(req: LoadRequest | null, type: T): Promise<Extract<LoadReply, { type: T }>> {
    if (req !== null) this.child.send(req);
    const r = await this.next();
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

async function connect(engine: MediaEngine, publisher: LoadClient, subscriber: LoadClient): Promise<void> {
  const pubOffer = await publisher.ask(null, "offer");
  const { answerSdp } = await engine.publish("bench/cam", pubOffer.sdp);
  await publisher.ask({ type: "answer", sdp: answerSdp }, "ready");
  const subOffer = await subscriber.ask(null, "offer");
  const sub = await engine.subscribe("bench/cam", subOffer.sdp);
  await subscriber.ask({ type: "answer", sdp: sub.answerSdp }, "ready");
  for (let i = 0; i < 100 && engine.stats("bench/cam").subscriptions[0]?.connected !== true; i++) await sleep(10);
}

async function run(report: Reporter): Promise<void> {
  const engine = new WeriftEngine({ rtpPortRange: { min: 29_000, max: 29_099 } });
  const publisher = new LoadClient("publisher");
  const subscriber = new LoadClient("subscriber");
  try {
    await connect(engine, publisher, subscriber);
    let sustained = 0;
    let costAtSustained = Number.NaN;
    let costAtLowest = Number.NaN;
    for (const pps of RATES) {
      const subBefore = await subscriber.ask({ type: "count" }, "count");
      const inBefore = engine.stats("bench/cam").packetsReceived;
      const cpu0 = process.cpuUsage();
      const pubCpu0 = (await publisher.ask({ type: "count" }, "count")).cpuMs;
      const { sent, cpuMs: pubCpu1 } = await publisher.ask({ type: "send", pps, durationMs: STEP_MS, size: PAYLOAD_BYTES }, "sent");
      await sleep(300);
      const cpu = process.cpuUsage(cpu0);
      const subAfter = await subscriber.ask({ type: "count" }, "count");
      const delivered = subAfter.received;
      const clientCpu = `publisher CPU ${(pubCpu1 - pubCpu0).toFixed(0)} ms, subscriber CPU ${(subAfter.cpuMs - subBefore.cpuMs).toFixed(0)} ms`;
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const usPerPacket = delivered === 0 ? Number.NaN : (cpu.user + cpu.system) / delivered;
      const ratio = sent === 0 ? 0 : delivered / sent;
      const reached = engine.stats("bench/cam").packetsReceived - inBefore;
      report.progress(`${pps} pps: sent ${sent}, engine got ${reached}, delivered ${delivered} (${(ratio * 100).toFixed(1)}%), engine CPU ${cpuMs.toFixed(0)} ms = ${usPerPacket.toFixed(1)} µs/packet; ${clientCpu}`);
      if (Number.isNaN(costAtLowest)) costAtLowest = usPerPacket;
      if (ratio < SUSTAINED_DELIVERY) break;
      sustained = pps;
      costAtSustained = usPerPacket;
    }
    report.figure("werift forwarding CPU per delivered packet", costAtLowest, "µs", { note: `${RATES[0]} pps, ${PAYLOAD_BYTES}-byte VP8 payload, 1 subscriber` });
    report.figure("werift forwarding CPU per delivered packet at max rate", costAtSustained, "µs", { note: `at ${sustained} pps` });
    report.figure("werift max sustained pps (publish → 1 subscriber)", sustained, "pps", { note: `highest of ${RATES.join("/")} with >= 99% delivered` });
    // Loss sets in before the CPU is saturated (kernel UDP RcvbufErrors during event-loop
    // stalls), so also report what one fully busy core would forward at this cost.
    report.figure("werift CPU-bound ceiling on one core", Math.round(1e6 / costAtSustained), "pps", { note: "1 s / CPU per packet at max rate" });
  } finally {
    await Promise.all([publisher.close(), subscriber.close()]);
    await engine.close();
  }
}

const bench: Bench = {
  name: "engine",
  description: "werift engine: CPU µs per forwarded packet and max sustained pps, publish → subscribe on loopback",
  run,
};

export default bench;
