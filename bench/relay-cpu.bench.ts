// Relay CPU bench (issue 17): where a region's relay load costs CPU. One engine in this
// process relays TRACKS tracks, each arriving on a relay-in (plain RTP at PPS from a sender
// child process, pinned to it) and leaving on FAN_OUT relay-outs (to sinks in that child) —
// the shape of a region that serves its peers. Over WINDOW_MS after a warm-up: this
// process's CPU (the SFU node's share: the engine's Node side, its stats polling) and, on
// mediasoup, its worker's CPU (/proc). Goal (issue 17): on mediasoup the node process
// spends no more than the worker — relay packets go worker to worker, never through Node.
// The werift engine under the same load is the baseline (every packet in Node).
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import type { Bench, Reporter } from "./harness.js";
import type { MediaEngine } from "../sfu/media/engine.js";
import type { TrackMedia } from "../sfu/media/track-media.js";
import { WeriftEngine } from "../sfu/media/werift/werift-engine.js";
import { createMediasoupEngine } from "../sfu/media/mediasoup/create-mediasoup-engine.js";
import type { MediasoupEngine } from "../sfu/media/mediasoup/mediasoup-engine.js";
import { loadMediasoup, mediasoupAvailable } from "../sfu/media/mediasoup/loader.js";
import { processCpuUs } from "../test/support/process-tree.js";

/** 20 tracks: a region relaying the probe tracks of a 10-region world, twice over. */
const TRACKS = 20;
/** 50 packets/s: the probe agents' rate (DESIGN: probes). */
const PPS = 50;
/** Each track relayed on to 4 peers: 1,000 packets/s in, 4,000 out. */
const FAN_OUT = 4;
/** An Opus packet of ~64 kbit/s. */
const PAYLOAD_BYTES = 160;
const WARMUP_MS = 3_000;
const WINDOW_MS = 15_000;
const RTP_PORTS = { min: 46_000, max: 46_199 };

const media = (i: number): TrackMedia => ({ kind: "audio", codec: { mimeType: "audio/opus", payloadType: 111, clockRate: 48_000, channels: 2 }, ssrc: 0x7e1a_0000 + i });

// The sender child: TRACKS sockets (one upstream per track) and FAN_OUT sinks; prints its
// ports, reads the relay-in ports, sends until stdin closes, then prints the RTP the sinks
// got (RTCP sender reports of mediasoup's pipe consumers are not counted).
const SENDER = `
const dgram = require("node:dgram");
const [tracks, sinks, pps, bytes] = process.argv.slice(1).map(Number);
const bind = () => new Promise((r) => { const s = dgram.createSocket("udp4"); s.bind(0, "127.0.0.1", () => r(s)); });
(async () => {
  const ups = []; for (let i = 0; i < tracks; i++) ups.push(await bind());
  const outs = []; let got = 0; for (let i = 0; i < sinks; i++) { const s = await bind(); s.on("message", (m) => { if (m[1] < 192 || m[1] > 223) got++; }); outs.push(s); }
  console.log(JSON.stringify({ upstream: ups.map((s) => s.address().port), sinks: outs.map((s) => s.address().port) }));
  const rl = require("node:readline").createInterface({ input: process.stdin });
  const targets = JSON.parse(await new Promise((r) => rl.once("line", r)));
  let seq = 0; let sent = 0;
  const timer = setInterval(() => {
    seq = (seq + 1) & 0xffff;
    for (let i = 0; i < tracks; i++) {
      const b = Buffer.alloc(12 + bytes, 0x5a); b[0] = 0x80; b[1] = 111; b.writeUInt16BE(seq, 2);
      b.writeUInt32BE((seq * 960) >>> 0, 4); b.writeUInt32BE((0x7e1a0000 + i) >>> 0, 8);
      ups[i].send(b, targets[i], "127.0.0.1"); sent++;
    }
  }, 1000 / pps);
  rl.once("close", () => { clearInterval(timer); setTimeout(() => { console.log(JSON.stringify({ sent, got })); process.exit(0); }, 500); });
})();`;

class Sender {
  private readonly child: ChildProcess;
  private readonly lines: AsyncIterator<string>;

  constructor() {
    this.child = spawn(process.execPath, ["-e", SENDER, String(TRACKS), String(FAN_OUT), String(PPS), String(PAYLOAD_BYTES)], { stdio: ["pipe", "pipe", "inherit"] });
    if (this.child.stdout === null) throw new Error("sender has no stdout");
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  async next<T>(): Promise<T> {
    const line = await this.lines.next();
    if (line.done === true) throw new Error("the sender exited early");
    return JSON.parse(line.value) as T;
  }

  start(relayInPorts: number[]): void {
    this.child.stdin?.write(`${JSON.stringify(relayInPorts)}\n`);
  }

  async stop(): Promise<{ sent: number; got: number }> {
    this.child.stdin?.end();
    return this.next();
  }
}

interface Measured {
  nodeUs: number;
  workerUs: number;
  delivered: number;
}

async function measure(engine: MediaEngine, workerPids: () => number[], report: Reporter): Promise<Measured> {
  const sender = new Sender();
  try {
    const ports = await sender.next<{ upstream: number[]; sinks: number[] }>();
    const relayIns: number[] = [];
    for (let i = 0; i < TRACKS; i++) {
      const h = await engine.relayIn(`bench/t${i}`, media(i), { ip: "127.0.0.1", port: ports.upstream[i] ?? 0 });
      relayIns.push(h.port);
      for (const sink of ports.sinks) await engine.relayOut(`bench/t${i}`, { ip: "127.0.0.1", port: sink });
    }
    sender.start(relayIns);
    await sleep(WARMUP_MS);
    const workers = (): number => workerPids().reduce((n, pid) => n + processCpuUs(pid), 0);
    const [node0, worker0] = [process.cpuUsage(), workers()];
    await sleep(WINDOW_MS);
    const node = process.cpuUsage(node0);
    const workerUs = workers() - worker0;
    const { sent, got } = await sender.stop();
    report.progress(`${engine.name}: sent ${sent}, sinks got ${got} of ${sent * FAN_OUT}`);
    return { nodeUs: node.user + node.system, workerUs, delivered: sent === 0 ? 0 : got / (sent * FAN_OUT) };
  } finally {
    await engine.close();
  }
}

const percentOfCore = (us: number): number => (us / (WINDOW_MS * 1000)) * 100;

async function run(report: Reporter): Promise<void> {
  const load = `${TRACKS} tracks × ${PPS} pps in, × ${FAN_OUT} out`;
  const werift = await measure(new WeriftEngine({ rtpPortRange: RTP_PORTS }), () => [], report);
  report.figure(`werift: SFU node process CPU (${load})`, percentOfCore(werift.nodeUs), "% of a core", { note: "baseline: every relay packet in Node" });
  report.figure("werift: relay packets delivered", werift.delivered * 100, "%");
  const found = mediasoupAvailable();
  if (!found.ok) {
    report.progress(`mediasoup unavailable: ${found.reason}`);
    return;
  }
  const engine: MediasoupEngine = await createMediasoupEngine({ mediasoup: loadMediasoup().module, rtpPortRange: RTP_PORTS, workers: 1 });
  const ms = await measure(engine, () => engine.workerPids(), report);
  report.figure(`mediasoup: SFU node process CPU (${load})`, percentOfCore(ms.nodeUs), "% of a core", { baseline: percentOfCore(werift.nodeUs) });
  report.figure("mediasoup: worker CPU (same load)", percentOfCore(ms.workerUs), "% of a core");
  report.figure("mediasoup: node process CPU / worker CPU", ms.workerUs === 0 ? Number.NaN : ms.nodeUs / ms.workerUs, "ratio", { note: "goal <= 1" });
  report.figure("mediasoup: relay packets delivered", ms.delivered * 100, "%");
}

const bench: Bench = {
  name: "relay-cpu",
  description: `SFU node process CPU vs mediasoup worker CPU under relay load (${TRACKS} tracks, fan-out ${FAN_OUT}; werift as baseline)`,
  run,
};

export default bench;
