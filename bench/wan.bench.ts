// WAN emulator overhead: added round-trip latency at a 0 ms setting against a direct
// loopback UDP round trip measured in the same run, and the most datagrams per second one
// link carries with the emulator on one core (the load generator runs in a worker thread
// so it does not share the emulator's event loop).
import { createSocket, type Socket } from "node:dgram";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { Registry } from "prom-client";
import { WanEmulator } from "../lab/wan/wan-emulator.js";
import { bindRegionSockets, echo } from "../test/support/wan-test-kit.js";
import { LOOPBACK_HOST } from "../lab/wan/topology.js";
import { quantile, sortedCopy, type Bench } from "./harness.js";

const PINGS = 5000;
const WARMUP_PINGS = 500;
const BLAST_MS = 3000;
/** Datagrams in flight: enough to keep the proxy busy, few enough not to overflow a socket. */
const WINDOW = 256;
const PAYLOAD_BYTES = 200;

/** Sequential ping-pongs from `client` to `port`; returns sorted round-trip times in ms. */
async function pingPong(client: Socket, port: number, n: number): Promise<number[]> {
  const rtts: number[] = [];
  const payload = Buffer.alloc(64);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      client.once("message", () => {
        resolve();
      });
      client.send(payload, port, LOOPBACK_HOST);
    });
    rtts.push(performance.now() - t0);
  }
  return sortedCopy(rtts);
}

// Plain JavaScript so the worker needs no TypeScript loader.
const BLASTER = `
const { parentPort, workerData } = require("node:worker_threads");
const dgram = require("node:dgram");
const { targetPort, rxPort, durationMs, windowSize, payloadBytes } = workerData;
const rx = dgram.createSocket({ type: "udp4", recvBufferSize: 1 << 21 });
const tx = dgram.createSocket({ type: "udp4" });
const payload = Buffer.alloc(payloadBytes);
let sent = 0, received = 0, lost = 0, lastReceived = 0, end = 0, start = 0;
function pump() {
  if (performance.now() >= end) return;
  while (sent - received - lost < windowSize) { tx.send(payload, targetPort, "127.0.0.1"); sent++; }
}
rx.on("message", () => { received++; if ((received & 31) === 0) pump(); });
rx.bind(rxPort, "127.0.0.1", () => tx.bind(0, "127.0.0.1", () => {
  start = performance.now(); end = start + durationMs;
  const stall = setInterval(() => {
    if (received === lastReceived) { lost = sent - received; pump(); } // a dropped window: refill
    lastReceived = received;
    pump();
  }, 20);
  pump();
  setTimeout(() => {
    clearInterval(stall);
    setTimeout(() => {
      parentPort.postMessage({ sent, received, seconds: (performance.now() - start) / 1000 });
      rx.close(); tx.close();
    }, 100);
  }, durationMs);
}));
`;

function blast(targetPort: number, rxPort: number): Promise<{ sent: number; received: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BLASTER, {
      eval: true,
      workerData: { targetPort, rxPort, durationMs: BLAST_MS, windowSize: WINDOW, payloadBytes: PAYLOAD_BYTES },
    });
    worker.once("message", (m: { sent: number; received: number; seconds: number }) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

const bench: Bench = {
  name: "wan",
  description: "WAN emulator: added latency at 0 ms vs direct loopback UDP, max packets/s through one link",
  async run(report) {
    const a = await bindRegionSockets(1);
    const b = await bindRegionSockets(1, [a.range]);
    const emu = await WanEmulator.start({
      regions: [
        { name: "us-east", relayPortRange: a.range },
        { name: "eu-west", relayPortRange: b.range },
      ],
      latencyMs: () => 0,
      registry: new Registry(),
    });
    const client = createSocket("udp4");
    await new Promise<void>((resolve) => client.bind(0, LOOPBACK_HOST, resolve));
    try {
      const bSocket = b.sockets[0]!;
      echo(bSocket);
      const bPort = b.range.min;
      const viaEmu = emu.mapRelayPort("us-east", "eu-west", bPort);

      report.progress(`round trips: ${PINGS} direct, ${PINGS} through the emulator`);
      await pingPong(client, bPort, WARMUP_PINGS);
      await pingPong(client, viaEmu, WARMUP_PINGS);
      const direct = await pingPong(client, bPort, PINGS);
      const through = await pingPong(client, viaEmu, PINGS);
      const d50 = quantile(direct, 0.5);
      const d99 = quantile(direct, 0.99);
      const e50 = quantile(through, 0.5);
      const e99 = quantile(through, 0.99);
      report.figure("udp round trip via 2 links at 0ms, p50", e50, "ms", { baseline: d50, note: "baseline: direct loopback" });
      report.figure("udp round trip via 2 links at 0ms, p99", e99, "ms", { baseline: d99, note: "baseline: direct loopback" });
      report.figure("added latency per link at 0ms, p50", (e50 - d50) / 2, "ms", { note: "goal < 0.3 ms" });
      report.figure("added latency per link at 0ms, p99", (e99 - d99) / 2, "ms");

      // The worker binds eu-west's relay port itself for the throughput runs.
      await b.close();
      report.progress(`throughput: ${BLAST_MS} ms direct, ${BLAST_MS} ms through one link, ${WINDOW} in flight`);
      const base = await blast(bPort, bPort);
      const eluBefore = performance.eventLoopUtilization();
      const link = await blast(viaEmu, bPort);
      const elu = performance.eventLoopUtilization(eluBefore).utilization;
      const basePps = base.received / base.seconds;
      const linkPps = link.received / link.seconds;
      report.figure("udp packets/s through one link", Math.round(linkPps), "pkt/s", {
        baseline: Math.round(basePps),
        note: `baseline: direct loopback, same generator; ${PAYLOAD_BYTES} B datagrams; lost ${link.sent - link.received} of ${link.sent}`,
      });
      // When the generator, not the emulator, is the limit, the emulator's thread is partly
      // idle: its event-loop utilisation turns the measured rate into a per-core capacity.
      report.figure("emulator event-loop utilisation at that rate", elu, "ratio");
      report.figure("udp packets/s one link, one fully busy core (est.)", Math.round(linkPps / Math.max(elu, 0.01)), "pkt/s", {
        note: "measured rate / event-loop utilisation",
      });
    } finally {
      client.close();
      await emu.close();
      await a.close();
      await b.close();
    }
  },
};

export default bench;
