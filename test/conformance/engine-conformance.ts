// The engine conformance suite: what every MediaEngine must do, run against real werift
// client peers over real ICE/DTLS/SRTP and real UDP on loopback. Each engine's test file
// calls runEngineConformance(); the mediasoup engine runs the same suite when available.
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { CODEC_PRESETS, WeriftPublisher, type CodecPreset } from "../../probes/client/werift-peer.js";
import { silentLogger, type Logger } from "../../core/logger.js";
import type { MediaEngine, MediaEngineEvents, PortRange, RelayOutHandle } from "../../sfu/media/engine.js";
import { sameCodec, type TrackMedia } from "../../sfu/media/track-media.js";
import {
  canBind,
  connectPublisher,
  connectSubscriber,
  portWindow,
  sendPackets,
  Teardown,
  udpHandleCount,
  waitUntil,
} from "./engine-helpers.js";
import { PIPE_DROP_REASONS } from "../../sfu/media/pipe-drop.js";

export interface EngineFactoryContext {
  /** A port window reserved for this engine instance: relay pipes must stay inside it. */
  rtpPortRange: PortRange;
  logger: Logger;
}

export type EngineFactory = (ctx: EngineFactoryContext) => Promise<MediaEngine>;

/** Enough packets for a 1% loss budget to mean something, sent in ~0.5 s. */
const PACKETS = 500;
const MIN_DELIVERED = Math.ceil(PACKETS * 0.99);
const GARBAGE_DATAGRAMS = 10_000;

export function runEngineConformance(name: string, factory: EngineFactory): void {
  describe(`MediaEngine conformance: ${name}`, () => {
    const teardown = new Teardown();
    let engineCount = 0;
    const newEngine = async (): Promise<{ engine: MediaEngine; range: PortRange }> => {
      const range = portWindow(engineCount++);
      const engine = teardown.add(await factory({ rtpPortRange: range, logger: silentLogger }));
      return { engine, range };
    };

    afterEach(async () => {
      await teardown.run();
    });

    const codecs: { label: string; codec: CodecPreset }[] = [
      { label: "Opus audio", codec: CODEC_PRESETS.opus },
      { label: "VP8 video", codec: CODEC_PRESETS.vp8 },
      { label: "H.264 video", codec: CODEC_PRESETS.h264 },
    ];
    it.each(codecs)("publish() → subscribe() forwards $label with at least 99 percent of packets, payloads intact", async ({ codec }) => {
      const { engine } = await newEngine();
      const { publisher, result } = await connectPublisher(engine, "room/cam", codec, teardown);
      expect(result.media.kind).toBe(codec.kind);
      expect(result.media.codec.mimeType.toLowerCase()).toBe(codec.mimeType.toLowerCase());
      expect(result.answerSdp).toMatch(/a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
      expect(result.answerSdp).not.toMatch(/a=candidate:(?!.* 127\.0\.0\.1 )/);
      const { subscriber } = await connectSubscriber(engine, "room/cam", codec.kind, teardown);
      const seen = new Set<number>();
      const ssrcs = new Set<number>();
      let corrupt = 0;
      subscriber.onPacket((p) => {
        const index = p.payload.readUInt32BE(0);
        if (p.payload.length !== 200 || p.payload[199] !== (index & 0xff)) corrupt++;
        seen.add(index);
        ssrcs.add(p.ssrc);
      });
      await sendPackets(publisher, PACKETS);
      await waitUntil(() => seen.size >= PACKETS, 3_000);
      expect(seen.size).toBeGreaterThanOrEqual(MIN_DELIVERED);
      expect(corrupt).toBe(0);
      expect(ssrcs.size).toBe(1);
    });

    it("stats() counts packets and bytes received and forwarded, per subscription", async () => {
      const { engine } = await newEngine();
      const { publisher } = await connectPublisher(engine, "room/stats", CODEC_PRESETS.vp8, teardown);
      const a = await connectSubscriber(engine, "room/stats", "video", teardown);
      const b = await connectSubscriber(engine, "room/stats", "video", teardown);
      await sendPackets(publisher, 100);
      await waitUntil(() => a.subscriber.packetsReceived >= 100 && b.subscriber.packetsReceived >= 100, 3_000);
      // mediasoup's counters come with its stats poll: wait for a poll that has seen the burst
      // (a loaded machine can deliver the packets before the next poll lands).
      const settled = () => {
        const x = engine.stats("room/stats");
        return x.packetsReceived >= 99 && x.packetsForwarded === 2 * x.packetsReceived;
      };
      await waitUntil(settled, 5_000);
      const s = engine.stats("room/stats");
      expect(s.source).toEqual({ kind: "publisher", relayId: null });
      expect(s.packetsReceived).toBeGreaterThanOrEqual(99);
      // 12-byte RTP header + 200-byte payload, extensions stripped.
      expect(s.bytesReceived).toBe(s.packetsReceived * 212);
      expect(s.subscriptions.map((x) => x.subscriptionId).sort()).toEqual([a.subscriptionId, b.subscriptionId].sort());
      for (const sub of s.subscriptions) expect(sub.packetsSent).toBe(s.packetsReceived);
      expect(s.packetsForwarded).toBe(2 * s.packetsReceived);
      expect(s.bytesForwarded).toBe(2 * s.bytesReceived);
      expect(engine.tracks().map((t) => t.trackId)).toEqual(["room/stats"]);
    });

    it("emits firstPacket once when the publisher's packets start flowing", async () => {
      const { engine } = await newEngine();
      const events: MediaEngineEvents["firstPacket"][0][] = [];
      // What a node reports at that moment must already count the packet (the analyzer dates
      // a copy's media from its packet count; mediasoup's counters come with its stats poll).
      const packetsAtEvent: number[] = [];
      engine.on("firstPacket", (e) => {
        events.push(e);
        packetsAtEvent.push(engine.stats(e.trackId).packetsReceived);
      });
      const { publisher } = await connectPublisher(engine, "room/first", CODEC_PRESETS.opus, teardown);
      expect(events).toEqual([]);
      await sendPackets(publisher, 20);
      expect(await waitUntil(() => events.length > 0, 3_000)).toBe(true);
      await sendPackets(publisher, 20);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ trackId: "room/first", source: "publisher", relayId: null });
      expect(engine.stats("room/first").firstPacketAtMs).toBe(events[0]?.atMs);
      expect(packetsAtEvent[0]).toBeGreaterThanOrEqual(1);
    });

    it("relays a track A → B → C as plain RTP; subscribers on C get >= 99% of packets", async () => {
      const a = await newEngine();
      const b = await newEngine();
      const c = await newEngine();
      const { publisher, result } = await connectPublisher(a.engine, "room/relay", CODEC_PRESETS.vp8, teardown);
      // As the relay plane does it: the relay-in names its port, the relay-out's media follows.
      const inB = await b.engine.relayIn("room/relay");
      expect(inB.port).toBeGreaterThanOrEqual(b.range.min);
      expect(inB.port).toBeLessThanOrEqual(b.range.max);
      const outA = await a.engine.relayOut("room/relay", { ip: inB.ip, port: inB.port });
      expectPipeMedia(a.engine, outA, result.media);
      expect(outA.local.port).toBeGreaterThanOrEqual(a.range.min);
      expect(outA.local.port).toBeLessThanOrEqual(a.range.max);
      await b.engine.setRelayMedia(inB.relayId, outA.media);
      const inC = await c.engine.relayIn("room/relay");
      const outB = await b.engine.relayOut("room/relay", { ip: inC.ip, port: inC.port });
      await c.engine.setRelayMedia(inC.relayId, outB.media);
      const firstOnC: MediaEngineEvents["firstPacket"][0][] = [];
      const packetsOnC: number[] = [];
      c.engine.on("firstPacket", (e) => {
        firstOnC.push(e);
        packetsOnC.push(c.engine.stats(e.trackId).packetsReceived);
      });
      const { subscriber } = await connectSubscriber(c.engine, "room/relay", "video", teardown);
      await sendPackets(publisher, PACKETS);
      await waitUntil(() => subscriber.packetsReceived >= PACKETS, 3_000);
      expect(subscriber.packetsReceived).toBeGreaterThanOrEqual(MIN_DELIVERED);
      expect(firstOnC).toEqual([expect.objectContaining({ trackId: "room/relay", source: "relay", relayId: inC.relayId })]);
      expect(packetsOnC[0]).toBeGreaterThanOrEqual(1);
      // Worker-kept counters are snapshots (a stats round behind at most).
      await waitUntil(() => a.engine.stats("room/relay").relaysOut[0]?.packetsSent === a.engine.stats("room/relay").packetsReceived, 2_000);
      expect(a.engine.stats("room/relay").relaysOut[0]?.packetsSent).toBe(a.engine.stats("room/relay").packetsReceived);
      const onB = b.engine.stats("room/relay");
      expect(onB.source).toEqual({ kind: "relay", relayId: inB.relayId });
      expect(onB.packetsReceived).toBeGreaterThanOrEqual(MIN_DELIVERED);
      expect(Object.values(onB.relayIn?.packetsDropped ?? {}).reduce((x, y) => x + y, 0)).toBe(0);
    });

    it("relayIn() without media: early packets are held until setRelayMedia() (node plane) or refused (worker plane)", async () => {
      const a = await newEngine();
      const b = await newEngine();
      const { publisher } = await connectPublisher(a.engine, "room/late", CODEC_PRESETS.opus, teardown);
      const inB = await b.engine.relayIn("room/late");
      expect(b.engine.stats("room/late").media).toBeNull();
      const outA = await a.engine.relayOut("room/late", { ip: inB.ip, port: inB.port });
      await sendPackets(publisher, 10);
      await waitUntil(() => a.engine.stats("room/late").relaysOut[0]?.packetsSent === 10, 2_000);
      expect(a.engine.stats("room/late").relaysOut[0]?.packetsSent).toBe(10);
      expect(b.engine.stats("room/late").packetsReceived).toBe(0);
      await b.engine.setRelayMedia(inB.relayId, outA.media);
      if (b.engine.relayPlane === "node") {
        expect(await waitUntil(() => b.engine.stats("room/late").packetsReceived === 10, 2_000)).toBe(true);
      } else {
        await sendPackets(publisher, 10);
        expect(await waitUntil(() => b.engine.stats("room/late").packetsReceived === 10, 2_000)).toBe(true);
        expect(b.engine.stats("room/late").firstPacketAtMs).not.toBeNull();
      }
    });

    it("rejects malformed and unusable offers with typed errors and keeps serving", async () => {
      const { engine } = await newEngine();
      for (const bad of ["", "hello", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", "v=0\r\nm=video 9 RTP/AVP 96\r\n", "v=0\r\n" + "a=x\r\n".repeat(20_000)]) {
        await expect(engine.publish("room/bad", bad)).rejects.toMatchObject({ code: "invalid_sdp" });
      }
      const vp9 = teardown.add(new WeriftPublisher({ kind: "video", mimeType: "video/VP9", clockRate: 90_000 }));
      await expect(engine.publish("room/bad", await vp9.createOffer())).rejects.toMatchObject({ code: "unsupported_codec" });
      await expect(engine.subscribe("room/none", "v=0\r\n")).rejects.toMatchObject({ code: "not_found" });
      const { publisher } = await connectPublisher(engine, "room/ok", CODEC_PRESETS.opus, teardown);
      await expect(engine.publish("room/ok", await teardown.add(new WeriftPublisher(CODEC_PRESETS.opus)).createOffer())).rejects.toMatchObject({
        code: "track_exists",
      });
      await expect(engine.subscribe("room/ok", "garbage")).rejects.toMatchObject({ code: "invalid_sdp" });
      const { subscriber } = await connectSubscriber(engine, "room/ok", "audio", teardown);
      await sendPackets(publisher, 20);
      expect(await waitUntil(() => subscriber.packetsReceived >= 19, 3_000)).toBe(true);
    });

    it(`survives ${GARBAGE_DATAGRAMS} random datagrams to a relay-in (node plane: counted as drops by reason), and still forwards valid RTP`, async () => {
      const { engine } = await newEngine();
      const media = { kind: "audio", codec: { mimeType: "audio/opus", payloadType: 111, clockRate: 48_000, channels: 2 }, ssrc: 0x1234_5678 } as const;
      const relay = await engine.relayIn("room/garbage", media);
      let events = 0;
      engine.on("pipeDrop", (e) => {
        expect(PIPE_DROP_REASONS).toContain(e.reason);
        events++;
      });
      engine.on("pipeDrop", () => {
        throw new Error("a broken listener must not break the engine");
      });
      const socket = createSocket("udp4");
      teardown.add({ close: () => new Promise<void>((r) => socket.close(() => { r(); })) });
      const dropped = (): number => Object.values(engine.stats("room/garbage").relayIn?.packetsDropped ?? {}).reduce((x, y) => x + y, 0);
      // Paced in batches, each waited for, so the kernel's receive buffer never overflows.
      for (let sent = 0; sent < GARBAGE_DATAGRAMS; ) {
        for (let i = 0; i < 200; i++, sent++) socket.send(randomBytes(Math.floor(Math.random() * 300)), relay.port, relay.ip);
        const target = sent;
        if (engine.relayPlane === "node") expect(await waitUntil(() => dropped() >= target, 2_000, 2)).toBe(true);
        else await new Promise((r) => setTimeout(r, 5));
      }
      // The worker plane refuses them inside the worker, uncounted (MediaEngine.relayPlane).
      const expected = engine.relayPlane === "node" ? GARBAGE_DATAGRAMS : 0;
      expect(dropped()).toBe(expected);
      expect(events).toBe(expected);
      expect(Object.values(engine.pipeDropTotals()).reduce((x, y) => x + y, 0)).toBe(expected);
      const valid = Buffer.alloc(40);
      valid.writeUInt8(0x80, 0);
      valid.writeUInt8(111, 1);
      valid.writeUInt32BE(media.ssrc, 8);
      socket.send(valid, relay.port, relay.ip);
      expect(await waitUntil(() => engine.stats("room/garbage").packetsReceived === 1, 2_000)).toBe(true);
    });

    it("unpublish() ends the track's subscriptions and relay-outs, with events", async () => {
      const a = await newEngine();
      const { result } = await connectPublisher(a.engine, "room/end", CODEC_PRESETS.opus, teardown);
      const { subscriptionId } = await connectSubscriber(a.engine, "room/end", "audio", teardown);
      const out = await a.engine.relayOut("room/end", { ip: "127.0.0.1", port: a.range.max });
      const seen: string[] = [];
      a.engine.on("sourceClosed", (e) => seen.push(`source:${e.reason}`));
      a.engine.on("subscriptionClosed", (e) => seen.push(`sub:${e.subscriptionId === subscriptionId ? "ok" : "?"}:${e.reason}`));
      a.engine.on("relayClosed", (e) => seen.push(`relay:${e.relayId === out.relayId ? "ok" : "?"}:${e.direction}:${e.reason}`));
      expect(result.media.kind).toBe("audio");
      await a.engine.unpublish("room/end");
      expect(seen.sort()).toEqual(["relay:ok:out:source_gone", "source:unpublished", "sub:ok:source_gone"]);
      expect(a.engine.tracks()).toEqual([]);
      await expect(a.engine.unpublish("room/end")).rejects.toMatchObject({ code: "not_found" });
      await expect(a.engine.unsubscribe(subscriptionId)).rejects.toMatchObject({ code: "not_found" });
    });

    // werift clients send no DTLS close_notify, so a werift engine notices them only when
    // ICE consent expires (RFC 7675: 30 s). Browsers send it and are noticed at once.
    it("reports clients that vanish without DELETE: sourceClosed peer_gone, subscriptionClosed", { timeout: 60_000 }, async () => {
      const { engine } = await newEngine();
      const { publisher } = await connectPublisher(engine, "room/gone", CODEC_PRESETS.opus, teardown);
      const { subscriber, subscriptionId } = await connectSubscriber(engine, "room/gone", "audio", teardown);
      const seen: string[] = [];
      engine.on("subscriptionClosed", (e) => seen.push(`sub:${e.subscriptionId === subscriptionId ? "ok" : "?"}:${e.reason}`));
      engine.on("sourceClosed", (e) => seen.push(`source:${e.trackId}:${e.reason}`));
      await Promise.all([subscriber.close(), publisher.close()]);
      expect(await waitUntil(() => seen.length === 2, 45_000, 100)).toBe(true);
      // Whichever expiry fires first decides the subscription's reason.
      expect(seen).toContain("source:room/gone:peer_gone");
      expect(seen.filter((x) => x === "sub:ok:peer_gone" || x === "sub:ok:source_gone")).toHaveLength(1);
      expect(engine.tracks()).toEqual([]);
    });

    it("close() is idempotent, releases every socket, and later calls reject with invalid_state", async () => {
      const before = udpHandleCount();
      const a = await newEngine();
      const b = await newEngine();
      const { publisher, result } = await connectPublisher(a.engine, "room/close", CODEC_PRESETS.vp8, teardown);
      await connectSubscriber(a.engine, "room/close", "video", teardown);
      const inB = await b.engine.relayIn("room/close", result.media);
      const outA = await a.engine.relayOut("room/close", { ip: inB.ip, port: inB.port });
      await sendPackets(publisher, 10);
      expect(udpHandleCount()).toBeGreaterThan(before);
      await teardown.run();
      await Promise.all([a.engine.close(), b.engine.close()]);
      expect(await waitUntil(() => udpHandleCount() <= before, 2_000)).toBe(true);
      expect(await canBind(inB.ip, inB.port)).toBe(true);
      expect(await canBind(outA.local.ip, outA.local.port)).toBe(true);
      expect(a.engine.closed).toBe(true);
      await expect(a.engine.publish("room/x", "v=0\r\n")).rejects.toMatchObject({ code: "invalid_state" });
      await expect(a.engine.subscribe("room/x", "v=0\r\n")).rejects.toMatchObject({ code: "invalid_state" });
      await expect(a.engine.relayIn("room/x")).rejects.toMatchObject({ code: "invalid_state" });
      await expect(a.engine.relayOut("room/x", { ip: "127.0.0.1", port: 9 })).rejects.toMatchObject({ code: "invalid_state" });
      await expect(a.engine.setRelayMedia("x", result.media)).rejects.toMatchObject({ code: "invalid_state" });
      await expect(a.engine.closeRelay("x")).rejects.toMatchObject({ code: "invalid_state" });
      expect(() => a.engine.stats("room/x")).toThrow(expect.objectContaining({ code: "invalid_state" }));
    });
  });
}

/**
 * What a relay-out announces: the track's codec, sent from its local port; the node plane
 * keeps the track's SSRC and payload type, the worker plane's consumer picks its own.
 */
function expectPipeMedia(engine: MediaEngine, out: RelayOutHandle, track: TrackMedia): void {
  expect(out.media.sourcePort).toBe(out.local.port);
  expect(sameCodec(out.media.codec, track.codec)).toBe(true);
  expect(out.media.kind).toBe(track.kind);
  if (engine.relayPlane === "node") expect(out.media).toEqual({ ...track, sourcePort: out.local.port });
}
