// SDP ↔ mediasoup RTP parameters, for WHIP (client offers sendonly → Producer) and WHEP
// (client offers recvonly → Consumer), modelled on mediasoup-client's handlers' SDP logic
// but from the server's side: the client's offer is parsed into producer parameters or
// consumer capabilities, and the answer is written from the WebRtcTransport (ICE-lite,
// every candidate in it: non-trickle) and the negotiated RTP parameters. Pure: text in,
// data out; the caller has already run checkOffer() on the same offer.
import { randomInt } from "node:crypto";
import sdpTransform from "sdp-transform";
import { MediaError } from "../errors.js";
import type { CheckedOffer } from "../sdp-offer.js";
import { FORWARDED_MIME_TYPES, type MediaKind } from "../track-media.js";
import { mimeTypeOf, parseFmtp, VIDEO_RTCP_FEEDBACK } from "./codecs.js";
import type {
  MsDtlsParameters,
  MsDtlsRole,
  MsRtcpFeedback,
  MsRtpCapabilities,
  MsRtpCodecCapability,
  MsRtpParameters,
  MsWebRtcTransport,
} from "./mediasoup-api.js";

type MediaSection = sdpTransform.MediaDescription;

export interface ParsedOffer {
  session: sdpTransform.SessionDescription;
  section: MediaSection;
  /** The client's DTLS parameters, with the role it will take given our answer. */
  remoteDtls: MsDtlsParameters;
  /** The a=setup our answer carries. */
  localSetup: "active" | "passive";
}

/** Publisher codec preference when the client offers several: Opus; VP8 before H.264. */
const PUBLISH_PREFERENCE = ["audio/opus", "video/vp8", "video/h264"];

export function parseOffer(offerSdp: string, checked: CheckedOffer): ParsedOffer {
  const session = sdpTransform.parse(offerSdp);
  const section = session.media[checked.index];
  if (section === undefined) throw new MediaError("invalid_sdp", `no m-section ${checked.index}`);
  const fingerprint = section.fingerprint ?? session.fingerprint;
  if (fingerprint === undefined) throw new MediaError("invalid_sdp", "no DTLS fingerprint");
  const setup = section.setup ?? session.setup ?? "actpass";
  // RFC 8842: an actpass offerer is answered passive (we are the DTLS server).
  let remoteRole: MsDtlsRole;
  if (setup === "actpass" || setup === "active") remoteRole = "client";
  else if (setup === "passive") remoteRole = "server";
  else throw new MediaError("invalid_sdp", `a=setup:${setup} cannot be answered`);
  return {
    session,
    section,
    remoteDtls: { role: remoteRole, fingerprints: [{ algorithm: fingerprint.type.toLowerCase(), value: fingerprint.hash.toUpperCase() }] },
    localSetup: remoteRole === "client" ? "passive" : "active",
  };
}

function feedbackFor(section: MediaSection, payload: number): MsRtcpFeedback[] {
  const offered = (section.rtcpFb ?? []).filter((fb) => fb.payload === String(payload) || fb.payload === "*");
  return VIDEO_RTCP_FEEDBACK.filter((ours) => offered.some((fb) => fb.type === ours.type && (fb.subtype ?? undefined) === ours.parameter));
}

/** The forwardable codecs of the section, as mediasoup capabilities with the client's payload types. */
function offeredCodecs(section: MediaSection, kind: MediaKind): MsRtpCodecCapability[] {
  const out: MsRtpCodecCapability[] = [];
  for (const rtp of section.rtp) {
    const mimeType = mimeTypeOf(kind, rtp.codec);
    if (!FORWARDED_MIME_TYPES.includes(mimeType.toLowerCase())) continue;
    const fmtp = section.fmtp.find((f) => f.payload === rtp.payload)?.config;
    const parameters = parseFmtp(fmtp);
    // mediasoup forwards H.264 only in packetization-mode 1 (what browsers send).
    if (mimeType === "video/H264" && parameters["packetization-mode"] !== 1) continue;
    const channels = rtp.encoding;
    out.push({
      kind,
      mimeType,
      preferredPayloadType: rtp.payload,
      clockRate: rtp.rate ?? (kind === "audio" ? 48_000 : 90_000),
      ...(channels === undefined ? {} : { channels }),
      parameters,
      rtcpFeedback: kind === "video" ? feedbackFor(section, rtp.payload) : [],
    });
  }
  return out;
}

/** WHIP: the Producer's RTP parameters for the client's chosen stream (one codec, its SSRC). */
export function producerParameters(parsed: ParsedOffer, checked: CheckedOffer): MsRtpParameters {
  const codecs = offeredCodecs(parsed.section, checked.kind).sort(
    (a, b) => PUBLISH_PREFERENCE.indexOf(a.mimeType.toLowerCase()) - PUBLISH_PREFERENCE.indexOf(b.mimeType.toLowerCase()),
  );
  const codec = codecs[0];
  if (codec === undefined || codec.preferredPayloadType === undefined) {
    throw new MediaError("unsupported_codec", "no Opus, VP8 or H.264 (packetization-mode=1) in the offer");
  }
  // Without a=ssrc mediasoup could only route by the MID header extension, which we do
  // not negotiate (so forwarded packets stay extension-free): browsers and our clients
  // always announce the SSRC of a sendonly section.
  if (checked.ssrc === null) throw new MediaError("invalid_sdp", "the sendonly m-section announces no a=ssrc");
  const cname = parsed.section.ssrcs?.find((s) => s.attribute === "cname")?.value ?? "relaywatch";
  return {
    ...(checked.mid === null ? {} : { mid: checked.mid }),
    codecs: [
      {
        mimeType: codec.mimeType,
        payloadType: codec.preferredPayloadType,
        clockRate: codec.clockRate,
        ...(codec.channels === undefined ? {} : { channels: codec.channels }),
        parameters: codec.parameters ?? {},
        rtcpFeedback: codec.rtcpFeedback ?? [],
      },
    ],
    headerExtensions: [],
    encodings: [{ ssrc: checked.ssrc }],
    rtcp: { cname, reducedSize: true },
  };
}

/** WHEP: what the client can receive, for router.canConsume() / transport.consume(). */
export function consumerCapabilities(parsed: ParsedOffer, kind: MediaKind): MsRtpCapabilities {
  // No header extensions: forwarded packets stay canonical (and byte counts comparable).
  return { codecs: offeredCodecs(parsed.section, kind), headerExtensions: [] };
}

export interface AnswerOptions {
  parsed: ParsedOffer;
  checked: CheckedOffer;
  transport: Pick<MsWebRtcTransport, "iceParameters" | "iceCandidates" | "dtlsParameters">;
  /** `recvonly` for WHIP (we receive), `sendonly` for WHEP. */
  direction: "recvonly" | "sendonly";
  rtpParameters: MsRtpParameters;
  /** WHEP: the stream id the client sees in a=msid. */
  streamId?: string;
}

/** The complete SDP answer: ICE-lite, all candidates, one active m-section, others rejected. */
export function buildAnswer(opts: AnswerOptions): string {
  const { parsed, checked, transport, rtpParameters } = opts;
  const candidates = transport.iceCandidates
    .filter((c) => c.protocol === "udp")
    .map((c) => ({ foundation: c.foundation, component: 1, transport: "udp", priority: c.priority, ip: candidateIp(c), port: c.port, type: "host" }));
  const first = candidates[0];
  if (first === undefined) throw new MediaError("negotiation_failed", "the transport has no UDP candidate");
  const ipVer = first.ip.includes(":") ? 6 : 4;
  const fingerprint = transport.dtlsParameters.fingerprints.find((f) => f.algorithm === "sha-256") ?? transport.dtlsParameters.fingerprints[0];
  if (fingerprint === undefined) throw new MediaError("negotiation_failed", "the transport has no DTLS fingerprint");
  const media = parsed.session.media.map((offered, index): MediaSection => {
    if (index !== checked.index) {
      return {
        type: offered.type,
        port: 0,
        protocol: offered.protocol,
        payloads: offered.payloads ?? "",
        rtp: [],
        fmtp: [],
        ...(offered.mid === undefined ? {} : { mid: offered.mid }),
        direction: "inactive",
      };
    }
    const codec = rtpParameters.codecs[0];
    if (codec === undefined) throw new MediaError("negotiation_failed", "no negotiated codec");
    const name = codec.mimeType.split("/")[1] ?? codec.mimeType;
    const fmtpConfig = Object.entries(codec.parameters ?? {})
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(";");
    const ssrc = rtpParameters.encodings?.[0]?.ssrc;
    const cname = rtpParameters.rtcp?.cname ?? "relaywatch";
    const msidTrack = opts.streamId === undefined ? undefined : { id: opts.streamId, appdata: `${opts.streamId}-${offered.type}` };
    return {
      type: offered.type,
      port: first.port,
      protocol: "UDP/TLS/RTP/SAVPF",
      payloads: String(codec.payloadType),
      connection: { version: ipVer, ip: first.ip },
      ...(offered.mid === undefined ? {} : { mid: offered.mid }),
      direction: opts.direction,
      iceUfrag: transport.iceParameters.usernameFragment,
      icePwd: transport.iceParameters.password,
      fingerprint: { type: fingerprint.algorithm, hash: fingerprint.value },
      setup: parsed.localSetup,
      candidates,
      endOfCandidates: "end-of-candidates",
      rtcpMux: "rtcp-mux",
      rtcpRsize: "rtcp-rsize",
      rtp: [{ payload: codec.payloadType, codec: name, rate: codec.clockRate, ...(codec.channels === undefined ? {} : { encoding: codec.channels }) }],
      fmtp: fmtpConfig === "" ? [] : [{ payload: codec.payloadType, config: fmtpConfig }],
      rtcpFb: (codec.rtcpFeedback ?? []).map((fb) => ({ payload: String(codec.payloadType), type: fb.type, ...(fb.parameter === undefined || fb.parameter === "" ? {} : { subtype: fb.parameter }) })),
      ...(msidTrack === undefined ? {} : { msid: [msidTrack] }),
      ...(ssrc === undefined || opts.direction !== "sendonly"
        ? {}
        : {
            ssrcs: [
              { id: ssrc, attribute: "cname", value: cname },
              ...(msidTrack === undefined ? [] : [{ id: ssrc, attribute: "msid", value: `${msidTrack.id} ${msidTrack.appdata}` }]),
            ],
          }),
    };
  });
  const usedMid = parsed.session.media[checked.index]?.mid;
  const answer: sdpTransform.SessionDescription = {
    version: 0,
    origin: { username: "-", sessionId: randomInt(1, 2 ** 47), sessionVersion: 1, netType: "IN", ipVer, address: first.ip },
    name: "-",
    timing: { start: 0, stop: 0 },
    icelite: "ice-lite",
    ...(usedMid === undefined ? {} : { groups: [{ type: "BUNDLE", mids: usedMid }] }),
    msidSemantic: { semantic: "WMS", token: "*" },
    media,
  };
  return sdpTransform.write(answer);
}

/** 3.8.4 names a candidate's address `ip`; current 3.x `address` (keeping `ip` deprecated). */
function candidateIp(c: { ip?: string; address?: string }): string {
  const ip = c.address ?? c.ip;
  if (ip === undefined) throw new MediaError("negotiation_failed", "an ICE candidate has no address");
  return ip;
}
