// Creating the mediasoup objects behind each MediaEngine call: the WebRtcTransport +
// Producer of a WHIP publisher, the WebRtcTransport + Consumer of a WHEP subscriber (relay
// pipes: relay-legs.ts). Each function either returns a complete session or
// closes whatever it created and throws a MediaError; bookkeeping is the engine's.
import type { MediaKind, TrackMedia } from "../track-media.js";
import { MediaError, isMediaError } from "../errors.js";
import type { CheckedOffer } from "../sdp-offer.js";
import { toCodecDescription } from "./codecs.js";
import type { MsConsumer, MsProducer, MsRouter, MsWebRtcTransport } from "./mediasoup-api.js";
import { buildAnswer, consumerCapabilities, parseOffer, producerParameters } from "./sdp-bridge.js";

export interface WebRtcListen {
  ip: string;
  announcedIp?: string;
}

export function closeQuietly(...objects: ({ close(): void } | null | undefined)[]): void {
  for (const o of objects) {
    try {
      o?.close();
    } catch {
      // Already closed with its worker.
    }
  }
}

export function asMediaError(err: unknown, code: "unsupported_codec" | "negotiation_failed", what: string): MediaError {
  if (isMediaError(err)) return err;
  return new MediaError(code, `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

async function webRtcTransport(router: MsRouter, listen: WebRtcListen): Promise<MsWebRtcTransport> {
  try {
    return await router.createWebRtcTransport({ listenIps: [listen], enableUdp: true, enableTcp: false, preferUdp: true });
  } catch (err) {
    throw asMediaError(err, "negotiation_failed", "createWebRtcTransport()");
  }
}

export interface PublisherSession {
  transport: MsWebRtcTransport;
  producer: MsProducer;
  answerSdp: string;
  media: TrackMedia;
}

/** WHIP: answers a sendonly offer; the Producer carries the client's SSRC and payload type. */
export async function openPublisher(router: MsRouter, listen: WebRtcListen, offerSdp: string, checked: CheckedOffer): Promise<PublisherSession> {
  const parsed = parseOffer(offerSdp, checked);
  const rtpParameters = producerParameters(parsed, checked);
  const transport = await webRtcTransport(router, listen);
  let producer: MsProducer | null = null;
  try {
    await transport.connect({ dtlsParameters: parsed.remoteDtls });
    try {
      producer = await transport.produce({ kind: checked.kind, rtpParameters });
    } catch (err) {
      // mediasoup refuses parameters no Router codec matches (e.g. an H.264 profile).
      throw asMediaError(err, "unsupported_codec", "produce()");
    }
    const codec = rtpParameters.codecs[0];
    const ssrc = rtpParameters.encodings?.[0]?.ssrc;
    if (codec === undefined || ssrc === undefined) throw new MediaError("negotiation_failed", "producer without codec or SSRC");
    const answerSdp = buildAnswer({ parsed, checked, transport, direction: "recvonly", rtpParameters });
    return { transport, producer, answerSdp, media: { kind: checked.kind, codec: toCodecDescription(codec), ssrc } };
  } catch (err) {
    closeQuietly(producer, transport);
    throw asMediaError(err, "negotiation_failed", "publish");
  }
}

export interface SubscriberSession {
  transport: MsWebRtcTransport;
  consumer: MsConsumer;
  answerSdp: string;
}

/** WHEP: answers a recvonly offer sendonly with a Consumer of `producerId` in the client's payload type. */
export async function openSubscriber(
  router: MsRouter,
  listen: WebRtcListen,
  producerId: string,
  kind: MediaKind,
  offerSdp: string,
  checked: CheckedOffer,
  streamId: string,
): Promise<SubscriberSession> {
  const parsed = parseOffer(offerSdp, checked);
  const rtpCapabilities = consumerCapabilities(parsed, kind);
  if (!router.canConsume({ producerId, rtpCapabilities })) {
    throw new MediaError("unsupported_codec", "the offer accepts none of the track's codec");
  }
  const transport = await webRtcTransport(router, listen);
  let consumer: MsConsumer | null = null;
  try {
    await transport.connect({ dtlsParameters: parsed.remoteDtls });
    consumer = await transport.consume({ producerId, rtpCapabilities, paused: false });
    const answerSdp = buildAnswer({ parsed, checked, transport, direction: "sendonly", rtpParameters: consumer.rtpParameters, streamId });
    return { transport, consumer, answerSdp };
  } catch (err) {
    closeQuietly(consumer, transport);
    throw asMediaError(err, "negotiation_failed", "subscribe");
  }
}

/** A PlainTransport on loopback whose only remote is one of the engine's pipe sockets. */

