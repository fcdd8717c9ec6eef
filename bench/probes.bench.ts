// Probe cost. Three measurements, each saying what it covers:
//  1. receive path over real UDP on loopback, for the whole mesh's probe traffic at 5 and 10
//     regions (20 / 90 ordered pairs at the default 50 pps): a child process sends probe
//     packets (the header's exact layout, CRC and all), this process parses each header,
//     keeps RFC 3550 stats per pair and every second builds each pair's ProbeResult and
//     sets its metrics — the agent's packet path without WebRTC (no SRTP, no ICE);
//  2. the most packets/s that path sustains on one core (sender unpaced);
//  3. full agents with real werift WHIP/WHEP at 5 regions against one in-process werift
//     engine (SFU forwarding included): what the user's-eye probe costs end to end.
import { spawn, type ChildProcess } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { Registry } from "prom-client";
import type { ProbeResult } from "../core/probe-result.js";
import { ProbeAgent } from "../probes/agent.js";
import { emptySinkStats, type ProbeSink } from "../probes/delivery/sink.js";
import { ProbeMetrics } from "../probes/metrics.js";
import { parseProbeHeader } from "../probes/payload/header.js";
import { ReceiverStats } from "../probes/stats/receiver-stats.js";
import { buildProbeResult } from "../probes/stats/window-result.js";
import { OneEngineSfu } from "../test/support/one-engine-sfu.js";
import type { Bench } from "./harness.js";

const PPS = 50;
const PAYLOAD_BYTES = 120;
const PACED_SECONDS = 6;
const BLAST_SECONDS = 3;
const AGENT_SECONDS = 10;
const CORES = 2;

// Plain JavaScript so the child needs no TypeScript loader: the probe header (probes/payload/header.ts) re-implemented.
const SENDER = `
const dgram = require("node:dgram");
const { crc32 } = require("node:zlib");
const [port, pairs, pps, seconds, size] = process.argv.slice(1).map(Number);
const sock = dgram.createSocket("udp4");
const bufs = [];
for (let p = 0; p < pairs; p++) {
  const src = "region-" + String(p % 97).padStart(2, "0");
  const b = Buffer.alloc(Math.max(size, 26 + src.length));
  b.writeUInt32BE(0x52575042, 0); b.writeUInt8(1, 4); b.writeUInt8(src.length, 5); b.write(src, 6, "latin1");
  b.writeUInt32BE(p, 6 + src.length);
  bufs.push({ b, o: 6 + src.length, index: 0 });
}
const start = performance.now();
let sent = 0;
function stamp(x) {
  x.b.writeUInt32BE(x.index++, x.o + 4);
  x.b.writeBigUInt64BE(BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)), x.o + 8);
  x.b.writeUInt32BE(crc32(x.b.subarray(0, x.o + 16)), x.o + 16);
}
sock.bind(0, "127.0.0.1", () => {
  if (pps > 0) {
    const t = setInterval(() => {
      const due = Math.floor(((performance.now() - start) * pps) / 1000) + 1;
      for (const x of bufs) while (x.index < due) { stamp(x); sock.send(x.b, port, "127.0.0.1"); sent++; }
      if (performance.now() - start > seconds * 1000) { clearInterval(t); done(); }
    }, 5);
  } else {
    const pump = () => {
      for (let i = 0; i < 64; i++) { const x = bufs[sent % bufs.length]; stamp(x); sock.send(x.b, port, "127.0.0.1"); sent++; }
      if (performance.now() - start < seconds * 1000) setImmediate(pump); else done();
    };
    pump();
  }
});
function done() { setTimeout(() => { process.stdout.write(JSON.stringify({ sent })); sock.close(); }, 200); }
`;

interface ReceiveRun {
  received: number;
  sent: number;
  cpuMs: number;
  wallMs: number;
  results: number;
}

/** Receives for `seconds`, doing the agent's per-packet and per-window work; CPU is this process's. */
async function receive(pairs: number, pps: number, seconds: number): Promise<ReceiveRun> {
  const sock: Socket = createSocket({ type: "udp4", recvBufferSize: 1 << 22 });
  sock.bind(0, "127.0.0.1");
  await once(sock, "listening");
  const port = sock.address().port;
  const metrics = new ProbeMetrics(new Registry());
  const stats = new Map<string, ReceiverStats>();
  let received = 0;
  let results = 0;
  sock.on("message", (msg) => {
    const h = parseProbeHeader(msg);
    if (!h.ok) return;
    const key = `${h.value.src}/${h.value.trackSeq}`;
    let s = stats.get(key);
    if (s === undefined) {
      s = new ReceiverStats();
      stats.set(key, s);
    }
    s.record(h.value.index, h.value.sendTimeUs / 1000, performance.timeOrigin + performance.now());
    received++;
  });
  const windowTimer = setInterval(() => {
    const ts = Date.now();
    for (const [key, s] of stats) {
      const r: ProbeResult = buildProbeResult(
        { ts, windowMs: 1000, src: key.slice(0, key.indexOf("/")), dst: "bench", track: `probe/${key.replace("/", ".")}`, setupMs: 10, ttfpMs: 12, relayPath: [] },
        { phase: "connected", figures: s.takeWindow(), connectedForMs: 1000, totalReceived: s.packetsReceived },
      );
      metrics.observeResult(r);
      results++;
    }
  }, 1000);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, ["-e", SENDER, String(port), String(pairs), String(pps), String(seconds), String(PAYLOAD_BYTES)], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  await once(child, "exit");
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  clearInterval(windowTimer);
  sock.close();
  return { received, sent: (JSON.parse(out) as { sent: number }).sent, cpuMs: (cpu.user + cpu.system) / 1000, wallMs, results };
}

const nullSink: ProbeSink = { name: "null", submit: () => undefined, stats: emptySinkStats, close: () => Promise.resolve() };

async function fullAgents(regionCount: number, seconds: number): Promise<{ cpuMs: number; pairs: number; okShare: number }> {
  const regions = Array.from({ length: regionCount }, (_, i) => `r${i}`);
  const sfu = await OneEngineSfu.start(regions, { min: 46_000, max: 46_999 });
  const agents = regions.map((region) => new ProbeAgent({ region, regions, sfuUrl: sfu.url(region), rotateMs: 30_000, sink: nullSink, registry: new Registry() }));
  const seen: ProbeResult[] = [];
  try {
    for (const a of agents) {
      a.events.on("window", (rs) => { seen.push(...rs); });
      a.start();
    }
    await sleep(3000); // setup: WHIP, WHEP, DTLS
    seen.length = 0;
    const cpu0 = process.cpuUsage();
    await sleep(seconds * 1000);
    const cpu = process.cpuUsage(cpu0);
    const ok = seen.filter((r) => r.status === "ok").length;
    return { cpuMs: (cpu.user + cpu.system) / 1000, pairs: regionCount * (regionCount - 1), okShare: seen.length === 0 ? 0 : ok / seen.length };
  } finally {
    await Promise.all(agents.map((a) => a.close()));
    await sfu.close();
  }
}

const bench: Bench = {
  name: "probes",
  description: "probe receive path (header parse + RFC 3550 stats + windows) over loopback UDP at 5/10 regions, max packets/s, full werift agents",
  async run(report) {
    for (const regions of [5, 10]) {
      const pairs = regions * (regions - 1);
      report.progress(`paced: ${pairs} pairs × ${PPS} pps for ${PACED_SECONDS} s over loopback UDP`);
      const r = await receive(pairs, PPS, PACED_SECONDS);
      const seconds = r.wallMs / 1000;
      report.figure(`receive path CPU per pair per second, ${regions} regions`, (r.cpuMs * 1000) / (pairs * seconds), "µs", {
        note: `${pairs} pairs at ${PPS} pps; parse + stats + 1 s windows + metrics, no WebRTC`,
      });
      report.figure(`receive path CPU, whole mesh's probe traffic, ${regions} regions`, r.cpuMs / r.wallMs / CORES, "share of 2 cores", {
        note: `received ${r.received} of ${r.sent}; ${r.results} results`,
      });
    }
    report.progress(`unpaced: as fast as one sender process goes for ${BLAST_SECONDS} s`);
    const b = await receive(90, 0, BLAST_SECONDS);
    report.figure("receive path packets/s sustained", Math.round(b.received / (b.wallMs / 1000)), "pkt/s", {
      note: `received ${b.received} of ${b.sent} sent (${(100 * (1 - b.received / Math.max(1, b.sent))).toFixed(1)}% lost at the socket); ${Math.round(b.received / (b.cpuMs / 1000))} pkt per CPU-second`,
    });
    report.progress(`full agents: 5 regions, werift WHIP/WHEP against one in-process werift engine, ${AGENT_SECONDS} s`);
    const f = await fullAgents(5, AGENT_SECONDS);
    report.figure("full agents + forwarding engine CPU per pair per second, 5 regions", (f.cpuMs * 1000) / (f.pairs * AGENT_SECONDS), "µs", {
      note: `${f.pairs} pairs at ${PPS} pps incl. SRTP/DTLS on both sides and the engine's forwarding; ${(100 * f.okShare).toFixed(0)}% windows ok`,
    });
    report.figure("full agents + forwarding engine CPU, 5 regions", f.cpuMs / (AGENT_SECONDS * 1000) / CORES, "share of 2 cores");
  },
};

export default bench;
