// Codec tables and conversions of the mediasoup engine: the codecs each room's Router
// offers (DESIGN: Opus, VP8, H.264), and the mapping between our CodecDescription /
// TrackMedia and mediasoup's RTP codec parameters and capabilities. Pure data; no I/O.
import type { CodecDescription, TrackMedia } from "../track-media.js";
import type { MsCodecParameters, MsRtcpFeedback, MsRtpCapabilities, MsRtpCodecCapability, MsRtpCodecParameters, MsRtpParameters } from "./mediasoup-api.js";

/**
 * Router codecs. H.264: constrained baseline (42e01f, what every browser offers), main
 * and high, all packetization-mode 1, so a producer of any of them matches a router codec.
 */
export const ROUTER_MEDIA_CODECS: readonly MsRtpCodecCapability[] = [
  { kind: "audio", mimeType: "audio/opus", clockRate: 48_000, channels: 2 },
  { kind: "video", mimeType: "video/VP8", clockRate: 90_000 },
  ...["42e01f", "4d0032", "640032"].map(
    (profile): MsRtpCodecCapability => ({
      kind: "video",
      mimeType: "video/H264",
      clockRate: 90_000,
      parameters: { "packetization-mode": 1, "profile-level-id": profile, "level-asymmetry-allowed": 1 },
    }),
  ),
];

/** Video feedback we negotiate with clients: retransmission and keyframe requests. */
export const VIDEO_RTCP_FEEDBACK: readonly MsRtcpFeedback[] = [{ type: "nack" }, { type: "nack", parameter: "pli" }, { type: "ccm", parameter: "fir" }];

/** Parameters whose values are strings even when they look numeric (hex profile ids). */
const STRING_PARAMETERS = new Set(["profile-level-id"]);

/** `a=b;c=1` → `{ a: "b", c: 1 }`, as mediasoup expects (numbers where numeric). */
export function parseFmtp(config: string | undefined): MsCodecParameters {
  const out: MsCodecParameters = {};
  if (config === undefined) return out;
  for (const part of config.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    out[key] = !STRING_PARAMETERS.has(key) && /^\d+$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

export function formatFmtp(parameters: MsCodecParameters | undefined): string | undefined {
  const entries = Object.entries(parameters ?? {});
  if (entries.length === 0) return undefined;
  return entries.map(([k, v]) => `${k}=${String(v)}`).join(";");
}

/** `audio` + `opus` → `audio/opus`; video names keep mediasoup's capitalisation (VP8, H264). */
export function mimeTypeOf(kind: "audio" | "video", codecName: string): string {
  return `${kind}/${kind === "audio" ? codecName.toLowerCase() : codecName.toUpperCase()}`;
}

export function toCodecDescription(codec: MsRtpCodecParameters): CodecDescription {
  const parameters = formatFmtp(codec.parameters);
  return {
    mimeType: codec.mimeType,
    payloadType: codec.payloadType,
    clockRate: codec.clockRate,
    ...(codec.channels === undefined ? {} : { channels: codec.channels }),
    ...(parameters === undefined ? {} : { parameters }),
  };
}

/** The producer parameters of a relay-in pipe: exactly the TrackMedia's stream. */
export function pipeProducerParameters(media: TrackMedia, cname: string): MsRtpParameters {
  const { codec } = media;
  return {
    codecs: [
      {
        mimeType: codec.mimeType,
        payloadType: codec.payloadType,
        clockRate: codec.clockRate,
        ...(codec.channels === undefined ? {} : { channels: codec.channels }),
        parameters: parseFmtp(codec.parameters),
        rtcpFeedback: [],
      },
    ],
    headerExtensions: [],
    encodings: [{ ssrc: media.ssrc }],
    rtcp: { cname, reducedSize: true },
  };
}

/**
 * What a relay-out pipe consumer may receive: the track's codec at the track's payload
 * type and no header extensions, so the pipe carries the canonical stream (the pipe
 * rewrites only the SSRC, which mediasoup picks per consumer).
 */
export function pipeConsumerCapabilities(media: TrackMedia): MsRtpCapabilities {
  const { codec } = media;
  return {
    codecs: [
      {
        kind: media.kind,
        mimeType: codec.mimeType,
        preferredPayloadType: codec.payloadType,
        clockRate: codec.clockRate,
        ...(codec.channels === undefined ? {} : { channels: codec.channels }),
        parameters: parseFmtp(codec.parameters),
        rtcpFeedback: [],
      },
    ],
    headerExtensions: [],
  };
}
