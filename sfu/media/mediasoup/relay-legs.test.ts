// Relay pipes worker to worker (issue 17), on real mediasoup workers: the relay ports are the
// worker's sockets, never this process's; a pipe takes a free port of its range or fails
// with no_ports; a relay-in that can only latch (several candidate upstreams) ends its pipe
// when the first sender is none of them, and serves the real one.
import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { CODEC_PRESETS } from "../../../probes/client/werift-peer.js";
import { silentLogger } from "../../../core/logger.js";
import { connectPublisher, connectSubscriber, portWindow, sendPackets, Teardown, waitUntil } from "../../../test/conformance/engine-helpers.js";
import { skipWithout } from "../../../test/support/real-part.js";
import { udpPortsOf } from "../../../test/support/udp-sockets.js";
import type { MediaEngineEvents } from "../engine.js";
import type { TrackMedia } from "../track-media.js";
import { createMediasoupEngine } from "./create-mediasoup-engine.js";
import { loadMediasoup, mediasoupAvailable } from "./loader.js";
import type { MediasoupEngine } from "./mediasoup-engine.js";
import { ROUTER_MEDIA_CODECS } from "./codecs.js";
import { plainTransportInRange } from "./relay-legs.js";

const available = mediasoupAvailable();
/** Windows apart from the other mediasoup suites of this process. */
let windowIndex = 300;

const OPUS: TrackMedia = { kind: "audio", codec: { mimeType: "audio/opus", payloadType: 111, clockRate: 48_000, channels: 2 }, ssrc: 0x0bad_cafe };

function rtp(seq: number): Buffer {
  const b = Buffer.alloc(12 + 40, 0x33);
  b[0] = 0x80;
  b[1] = OPUS.codec.payloadType;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(OPUS.ssrc, 8);
  return b;
}

function bound(port = 0): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind({ port, address: "127.0.0.1", exclusive: true }, () => { resolve(s); });
  });
}

describe.skipIf(skipWithout(available.ok, "the mediasoup worker (npm run setup:mediasoup)"))("mediasoup relay pipes, worker to worker", () => {
  const teardown = new Teardown();
  afterEach(async () => {
    await teardown.run();
  });
  const engine = (): Promise<MediasoupEngine> =>
    createMediasoupEngine({ mediasoup: loadMediasoup().module, rtpPortRange: portWindow(windowIndex++), logger: silentLogger, workers: 1, statsIntervalMs: 0 }).then((e) => teardown.add(e));

  it("relay ports are the worker's sockets: this process holds none of them while media flows A > B", async () => {
    const [a, b] = [await engine(), await engine()];
    const { publisher } = await connectPublisher(a, "room/w2w", CODEC_PRESETS.opus, teardown);
    const inB = await b.relayIn("room/w2w");
    const outA = await a.relayOut("room/w2w", { ip: inB.ip, port: inB.port });
    await b.setRelayMedia(inB.relayId, outA.media);
    const { subscriber } = await connectSubscriber(b, "room/w2w", "audio", teardown);
    await sendPackets(publisher, 100);
    expect(await waitUntil(() => subscriber.packetsReceived >= 99, 5_000)).toBe(true);
    const mine = udpPortsOf(process.pid);
    expect(mine).not.toContain(inB.port);
    expect(mine).not.toContain(outA.local.port);
    expect(udpPortsOf(b.workerPids()[0] ?? 0)).toContain(inB.port);
    expect(udpPortsOf(a.workerPids()[0] ?? 0)).toContain(outA.local.port);
  });

  it("a pipe takes the free port of its range, and no_ports when none is left", async () => {
    const { module } = loadMediasoup();
    const worker = await module.createWorker({ logLevel: "none" });
    teardown.add({ close: () => { worker.close(); return Promise.resolve(); } });
    const router = await worker.createRouter({ mediaCodecs: [...ROUTER_MEDIA_CODECS] });
    const range = portWindow(windowIndex++);
    const small = { min: range.min, max: range.min + 3 };
    const taken = await Promise.all([0, 1, 3].map((k) => bound(small.min + k)));
    teardown.add({ close: () => Promise.all(taken.map((s) => new Promise<void>((r) => { s.close(() => { r(); }); }))).then(() => undefined) });
    const t = await plainTransportInRange(router, { ip: "127.0.0.1" }, small, false);
    expect(t.tuple.localPort).toBe(small.min + 2);
    await expect(plainTransportInRange(router, { ip: "127.0.0.1" }, small, false)).rejects.toMatchObject({ code: "no_ports" });
  });

  it("a relay-in that can only latch (several candidate upstreams) ends its pipe when a stranger sends first, and serves the upstream", async () => {
    const e = await engine();
    const [up1, up2, stranger] = [await bound(), await bound(), await bound()];
    teardown.add({ close: () => Promise.all([up1, up2, stranger].map((s) => new Promise<void>((r) => { s.close(() => { r(); }); }))).then(() => undefined) });
    // Two peer routes could carry the announced port: no single address to connect to.
    e.setRelaySources(() => [up1, up2].map((s) => ({ ip: "127.0.0.1", port: s.address().port })));
    const closed: MediaEngineEvents["sourceClosed"][0][] = [];
    e.on("sourceClosed", (ev) => closed.push(ev));
    const hijacked = await e.relayIn("room/latch-stranger", { ...OPUS, sourcePort: 40_000 });
    stranger.send(rtp(1), hijacked.port, "127.0.0.1");
    expect(await waitUntil(() => closed.length === 1, 3_000)).toBe(true);
    expect(closed[0]).toMatchObject({ trackId: "room/latch-stranger", source: "relay", reason: "relay_closed" });

    const served = await e.relayIn("room/latch-upstream", { ...OPUS, sourcePort: 40_000 });
    for (let seq = 0; seq < 10; seq++) up2.send(rtp(seq), served.port, "127.0.0.1");
    expect(await waitUntil(() => e.stats("room/latch-upstream").packetsReceived === 10, 3_000)).toBe(true);
    expect(closed).toHaveLength(1);
  });
});
