// The relay plane believes only its upstream (issue 13): forged RTP carrying a relayed
// track's SSRC and payload type, sent to the relay-in port from another source port, never
// reaches a subscriber and is counted as wrong_source — on a live two-region relay (the
// pipe latched its upstream's address) and on an engine's relay-in pinned to a negotiated
// upstream before any packet (a forger sending first wins nothing). Real UDP, real engines.
import { createSocket, type Socket } from "node:dgram";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../sfu/media/create-engine.js";
import type { MediaEngine } from "../../sfu/media/engine.js";
import type { TrackMedia } from "../../sfu/media/track-media.js";
import { portWindow } from "../conformance/engine-helpers.js";
import { ENGINES, labScope, metricValue, publish, subscribe, trackIn, waitFor, waitForMesh } from "./sfu-kit.js";

const FORGED = 500;
/** Real packets sent after the forged ones (worker plane: they prove the forged ones were refused). */
const REAL_AFTER = 20;

function rtpOf(media: TrackMedia, seq: number, fill: number): Buffer {
  const b = Buffer.alloc(12 + 100, fill);
  b[0] = 0x80;
  b[1] = media.codec.payloadType;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 3000) >>> 0, 4);
  b.writeUInt32BE(media.ssrc, 8);
  return b;
}

async function bound(): Promise<Socket> {
  const s = createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", () => { resolve(); }));
  return s;
}

/** Sends `count` datagrams paced in small batches, so the kernel buffer never drops one. */
async function sendAll(socket: Socket, port: number, make: (i: number) => Buffer, count: number): Promise<void> {
  for (let i = 0; i < count; i += 25) {
    await Promise.all(Array.from({ length: Math.min(25, count - i) }, (_, k) => new Promise<void>((resolve) => {
      socket.send(make(i + k), port, "127.0.0.1", () => { resolve(); });
    })));
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Only the upstream's 20 packets were taken; the node plane also counts the forger's as
 * wrong_source (the worker plane refuses them inside the worker, uncounted).
 */
async function expectForgerRefused(e: MediaEngine, track: string, forged: number): Promise<void> {
  if (e.relayPlane === "node") await waitFor(() => e.pipeDropTotals().wrong_source >= forged, 5_000, "the forger's packets dropped");
  else await new Promise((r) => setTimeout(r, 300));
  expect(e.stats(track).packetsReceived).toBe(20);
  expect(e.pipeDropTotals().wrong_source).toBe(e.relayPlane === "node" ? forged : 0);
}

describe.each(ENGINES)("relay pipes believe only their upstream (%s engine)", (engine) => {
  const scope = labScope();

  it.each([
    ["direct", false],
    ["through the WAN emulator", true],
  ] as const)("forged RTP with the track's SSRC from another source port never reaches the subscriber, counted on the node plane (%s)", async (_name, wan) => {
    const lab = await scope.start({ regions: ["a", "b"], engine, ...(wan ? { wan: { latencyMs: () => 5 } } : {}) });
    await waitForMesh(lab);
    const track = "live/pinned";
    const pub = scope.defer(await publish(lab.node("a"), track));
    const flow = pub.stream(50);
    const sub = scope.defer(await subscribe(lab.node("b"), track));
    expect(sub.status).toBe(201);
    await waitFor(() => sub.subscriber.packetsReceived > 10, 10_000, "the relay flowing a>b");
    flow.stop();
    const b = lab.node("b");
    // Quiet: nothing in flight any more on the real path.
    let last = -1;
    await waitFor(async () => {
      const n = (await trackIn(b, track))?.packets ?? 0;
      const settled = n === last;
      last = n;
      return settled;
      // Worker-kept counters (mediasoup) are refreshed once a second: settle over a longer gap.
    }, 10_000, "the relay quiet", b.engine.relayPlane === "node" ? 300 : 1_100);
    const stats = b.engine.stats(track);
    const port = stats.relayIn?.port;
    const media = stats.media;
    if (port === undefined || media === null) throw new Error("b has no relay-in with media");
    // The pin (negotiated from the pipe's announced source port) let every real packet in.
    expect(stats.relayIn?.packetsDropped.wrong_source).toBe(0);
    const receivedBefore = sub.subscriber.packetsReceived;
    const droppedBefore = await metricValue(lab.registries.get("b")!, "relaywatch_sfu_pipe_dropped_packets_total", { reason: "wrong_source" });
    const forger = await bound();
    try {
      await sendAll(forger, port, (i) => rtpOf(media, 50_000 + i, 0xee), FORGED);
    } finally {
      forger.close();
    }
    if (b.engine.relayPlane === "node") {
      await waitFor(async () => (await metricValue(lab.registries.get("b")!, "relaywatch_sfu_pipe_dropped_packets_total", { reason: "wrong_source" })) - droppedBefore >= FORGED, 5_000, "every forged datagram counted");
      expect(b.engine.stats(track).packetsReceived).toBe(last);
      expect(sub.subscriber.packetsReceived).toBe(receivedBefore);
      // The real upstream still gets through.
      const again = pub.stream(50);
      await waitFor(() => sub.subscriber.packetsReceived > receivedBefore + 10, 10_000, "the real relay forwarding again");
      again.stop();
      return;
    }
    // Worker plane: the worker refuses the forger uncounted. Exactly the upstream's next
    // packets arrive after the forged ones (sent before them on the same path).
    await pub.send(REAL_AFTER, 100);
    await waitFor(() => b.engine.stats(track).packetsReceived >= last + REAL_AFTER, 10_000, "the real relay forwarding again");
    await new Promise((r) => setTimeout(r, 1_100));
    expect(b.engine.stats(track).packetsReceived).toBe(last + REAL_AFTER);
    expect(sub.subscriber.packetsReceived).toBeLessThanOrEqual(receivedBefore + REAL_AFTER);
  });

  it("a relay-in pinned through the resolver to the sender's announced port refuses a forger that sends first", async () => {
    const e: MediaEngine = await createEngine(engine, { rtpPortRange: portWindow(5), webrtcPortRange: { min: 32_768, max: 60_999 }, workers: 1 });
    scope.defer(e);
    const upstream = await bound();
    const forger = await bound();
    try {
      // The sender announced port 40000; this region's route to it shows the upstream socket.
      e.setRelaySources((port) => (port === 40_000 ? [{ ip: "127.0.0.1", port: upstream.address().port }] : []));
      const media: TrackMedia = { kind: "audio", codec: { mimeType: "audio/opus", payloadType: 111, clockRate: 48_000, channels: 2 }, ssrc: 0x1234_5678, sourcePort: 40_000 };
      const h = await e.relayIn("live/announced", media);
      await sendAll(forger, h.port, (i) => rtpOf(media, i, 0xee), 50);
      await sendAll(upstream, h.port, (i) => rtpOf(media, 200 + i, 0x11), 20);
      await waitFor(() => e.stats("live/announced").packetsReceived >= 20, 5_000, "the upstream's packets");
      await expectForgerRefused(e, "live/announced", 50);
    } finally {
      upstream.close();
      forger.close();
    }
  });

  it("relayOut() announces the port its pipe sends from", async () => {
    const lab = await scope.start({ regions: ["a"], engine });
    const track = "live/announce-port";
    const pub = scope.defer(await publish(lab.node("a"), track));
    await pub.send(5);
    const sink = await bound();
    try {
      const h = await lab.node("a").engine.relayOut(track, { ip: "127.0.0.1", port: sink.address().port });
      expect(h.media.sourcePort).toBe(h.local.port);
    } finally {
      sink.close();
    }
  });

  it("a relay-in pinned to a negotiated upstream refuses a forger that sends first", async () => {
    const e: MediaEngine = await createEngine(engine, { rtpPortRange: portWindow(3), webrtcPortRange: { min: 32_768, max: 60_999 }, workers: 1 });
    scope.defer(e);
    const upstream = await bound();
    const forger = await bound();
    try {
      const media: TrackMedia = { kind: "audio", codec: { mimeType: "audio/opus", payloadType: 111, clockRate: 48_000, channels: 2 }, ssrc: 0x1234_5678 };
      const h = await e.relayIn("live/negotiated", undefined, { ip: "127.0.0.1", port: upstream.address().port });
      await sendAll(forger, h.port, (i) => rtpOf(media, i, 0xee), 50);
      await e.setRelayMedia(h.relayId, media);
      await sendAll(forger, h.port, (i) => rtpOf(media, 100 + i, 0xee), 50);
      await sendAll(upstream, h.port, (i) => rtpOf(media, 200 + i, 0x11), 20);
      await waitFor(() => e.stats("live/negotiated").packetsReceived >= 20, 5_000, "the upstream's packets");
      await expectForgerRefused(e, "live/negotiated", 100);
    } finally {
      upstream.close();
      forger.close();
    }
  });
});
