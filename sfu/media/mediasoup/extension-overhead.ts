// How many bytes of header extensions this mediasoup version writes into every packet a
// Consumer sends. mediasoup mangles each received packet into its own extension block
// (3.8.4: MID always, plus abs-send-time and transport-cc for video) whether or not the
// consumer negotiated them; TrackStats counts canonical RTP (header + CSRCs + payload, as
// the werift engine does), so subscription byte counts subtract this block. It depends on
// the mediasoup version, so it is measured once per engine: one packet of each kind
// through a loopback PlainTransport pair inside the Router.
import { createSocket } from "node:dgram";
import type { MediaKind, TrackMedia } from "../track-media.js";
import { pipeConsumerCapabilities, pipeProducerParameters } from "./codecs.js";
import type { MsRouter } from "./mediasoup-api.js";
import { closeQuietly } from "./sessions.js";

export type ExtensionOverhead = Record<MediaKind, number>;

/** Loopback round trip through one worker: milliseconds; longer means the worker is stuck. */
const MEASURE_TIMEOUT_MS = 3_000;

const PROBES: Record<MediaKind, TrackMedia> = {
  audio: { kind: "audio", codec: { mimeType: "audio/opus", payloadType: 111, clockRate: 48_000, channels: 2 }, ssrc: 0x5eed_0001 },
  video: { kind: "video", codec: { mimeType: "video/VP8", payloadType: 96, clockRate: 90_000 }, ssrc: 0x5eed_0002 },
};

async function measureKind(router: MsRouter, media: TrackMedia): Promise<number> {
  const sink = createSocket("udp4");
  await new Promise<void>((resolve) => sink.bind(0, "127.0.0.1", resolve));
  const sent = Buffer.alloc(12 + 20);
  sent[0] = 0x80;
  sent[1] = media.codec.payloadType;
  sent.writeUInt32BE(media.ssrc, 8);
  // VP8 payload descriptor X=1 S=1, no optional fields, even frame tag: a key frame (a new
  // consumer forwards from a key frame on).
  sent[12] = 0x90;
  const inT = await router.createPlainTransport({ listenIp: { ip: "127.0.0.1" }, rtcpMux: true, comedia: false });
  const outT = await router.createPlainTransport({ listenIp: { ip: "127.0.0.1" }, rtcpMux: true, comedia: false });
  try {
    await inT.connect({ ip: "127.0.0.1", port: sink.address().port });
    await outT.connect({ ip: "127.0.0.1", port: sink.address().port });
    const producer = await inT.produce({ kind: media.kind, rtpParameters: pipeProducerParameters(media, "calibration") });
    await outT.consume({ producerId: producer.id, rtpCapabilities: pipeConsumerCapabilities(media), paused: false });
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error("no packet back from the worker"));
      }, MEASURE_TIMEOUT_MS);
      sink.on("message", (msg) => {
        // Only RTP (RTCP has payload types 200-204 in byte 1).
        if ((msg[1] ?? 0) >= 192 && (msg[1] ?? 0) <= 223) return;
        clearTimeout(timer);
        resolve(Math.max(0, msg.length - sent.length));
      });
      // A few sequence numbers in case the first is taken as a probe of the stream.
      for (let seq = 0; seq < 3; seq++) {
        const packet = Buffer.from(sent);
        packet.writeUInt16BE(seq, 2);
        sink.send(packet, inT.tuple.localPort, "127.0.0.1");
      }
    });
  } finally {
    closeQuietly(inT, outT);
    await new Promise<void>((resolve) => sink.close(() => { resolve(); }));
  }
}

export async function measureExtensionOverhead(router: MsRouter): Promise<ExtensionOverhead> {
  return { audio: await measureKind(router, PROBES.audio), video: await measureKind(router, PROBES.video) };
}
