// Region node bench: relay setup time — from the WHEP request to the subscriber's first
// packet — for a track held locally (0 hops), pulled from the origin (1 hop, a fresh
// relay each time) and pulled through a region holding a flowing copy (2 hops: origin >
// copy > here). Three regions on loopback, no emulated latency, real werift peers; the
// SDP offer is built before the clock starts.
import { setTimeout as sleep } from "node:timers/promises";
import { WeriftSubscriber } from "../probes/client/werift-peer.js";
import type { RegionNode } from "../sfu/node/region-node.js";
import { publish, startLab, token, waitFor, waitForMesh, type Lab, type Published } from "../test/sfu/sfu-kit.js";
import { quantile, sortedCopy, type Bench, type Reporter } from "./harness.js";

const ROUNDS = 15;
const GOALS: Record<number, number | undefined> = { 1: 50, 2: 100 };

interface Setup {
  /** WHEP request → the subscriber's first packet (includes its ICE + DTLS handshake). */
  ms: number;
  /** WHEP request → the region's relay flowing (its relay-in's first packet); null when local. */
  relayMs: number | null;
  close(): Promise<void>;
}

async function setupMs(node: RegionNode, track: string): Promise<Setup> {
  const sub = new WeriftSubscriber("video");
  const offer = await sub.createOffer();
  const seen: { flowingAt: number | null } = { flowingAt: null };
  const off = node.events.subscribe((e) => {
    if (seen.flowingAt === null && e.type === "track" && e.entry.track === track && !e.entry.local && e.entry.state === "flowing") seen.flowingAt = performance.now();
  });
  const started = performance.now();
  const res = await fetch(`${node.url}/whep/${track}`, {
    method: "POST", body: offer, headers: { "content-type": "application/sdp", authorization: `Bearer ${token(track)}` },
  });
  const body = await res.text();
  if (res.status !== 201) {
    await sub.close();
    throw new Error(`WHEP ${res.status} at ${node.region}: ${body}`);
  }
  await sub.acceptAnswer(body);
  await sub.waitForPackets(1, 5000);
  const ms = performance.now() - started;
  off();
  const relayMs = seen.flowingAt === null ? null : seen.flowingAt - started;
  const location = res.headers.get("location") ?? "";
  return {
    ms,
    relayMs,
    close: async () => {
      await fetch(`${node.url}${location}`, { method: "DELETE", headers: { authorization: `Bearer ${token(track)}` } });
      await sub.close();
    },
  };
}

async function run(report: Reporter): Promise<void> {
  const lab: Lab = await startLab({ regions: ["a", "b", "c"], node: () => ({ lingerMs: 100 }) });
  const samples: number[][] = [[], [], []];
  const relaySamples: number[][] = [[], [], []];
  try {
    const [a, b, c] = [lab.node("a"), lab.node("b"), lab.node("c")];
    // C only peers with B, so its relays always cascade through B's copy.
    c.setPeers([{ region: "b", url: b.url }]);
    await waitForMesh(lab);
    for (let i = 0; i < ROUNDS; i++) {
      report.progress(`sfu: round ${i + 1}/${ROUNDS}`);
      const track = `bench/t${i}`;
      const pub: Published = await publish(a, track);
      const flow = pub.stream(200);
      try {
        const local = await setupMs(a, track);
        samples[0]!.push(local.ms);
        const oneHop = await setupMs(b, track);
        samples[1]!.push(oneHop.ms);
        if (oneHop.relayMs !== null) relaySamples[1]!.push(oneHop.relayMs);
        await waitFor(() => c.holders(track).some((h) => h.region === "b"), 5000, "C learning of B's copy");
        const twoHops = await setupMs(c, track);
        samples[2]!.push(twoHops.ms);
        if (twoHops.relayMs !== null) relaySamples[2]!.push(twoHops.relayMs);
        await twoHops.close();
        await oneHop.close();
        await local.close();
      } finally {
        await flow.close();
        await pub.close();
      }
      await sleep(150);
    }
  } finally {
    await lab.close();
  }
  for (const [hops, values] of samples.entries()) {
    const name = `${hops} hop${hops === 1 ? "" : "s"}`;
    const sorted = sortedCopy(values);
    const goal = GOALS[hops];
    report.figure(`subscribe → first packet p50, ${name}`, quantile(sorted, 0.5), "ms", goal === undefined ? {} : { note: `goal < ${goal} ms` });
    report.figure(`subscribe → first packet p95, ${name}`, quantile(sorted, 0.95), "ms");
    const relay = sortedCopy(relaySamples[hops] ?? []);
    if (relay.length === 0) continue;
    report.figure(`subscribe → relay flowing p50, ${name}`, quantile(relay, 0.5), "ms", { note: `relay only, without the subscriber's ICE/DTLS${goal === undefined ? "" : `; goal < ${goal} ms`}` });
    report.figure(`subscribe → relay flowing p95, ${name}`, quantile(relay, 0.95), "ms");
  }
}

const bench: Bench = {
  name: "sfu",
  description: "Region node relay setup time (WHEP request → first packet) for 0, 1 and 2 hops on loopback",
  run,
};
export default bench;
