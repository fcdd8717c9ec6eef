// Checks a client's SDP offer before any engine resource is created, so bad input is a
// typed MediaError (`invalid_sdp` / `unsupported_codec`, HTTP 400) and never a crash deep
// inside a WebRTC stack. Pure: parses text, allocates nothing, shared by every engine.
import sdpTransform from "sdp-transform";
import { MediaError } from "./errors.js";
import { FORWARDED_MIME_TYPES, type MediaKind } from "./track-media.js";

/** Far above any real offer (a browser's audio+video offer is ~6 KB): refuse to parse more. */
export const MAX_OFFER_BYTES = 64 * 1024;

export type OfferPurpose = "publish" | "subscribe";

export interface CheckedOffer {
  /** Index of the m-section the engine will use. */
  index: number;
  kind: MediaKind;
  mid: string | null;
  /** The SSRC the client announced for that m-section (publish only), if any. */
  ssrc: number | null;
  /** Payload types in that m-section whose codec this engine forwards. */
  forwardablePayloadTypes: number[];
}

type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";

function invalid(detail: string): MediaError {
  return new MediaError("invalid_sdp", detail);
}

/** Validates `offerSdp` for WHIP (`publish`: client sends) or WHEP (`subscribe`: client receives). */
export function checkOffer(offerSdp: unknown, purpose: OfferPurpose, wantKind?: MediaKind): CheckedOffer {
  if (typeof offerSdp !== "string" || offerSdp.trim() === "") throw invalid("offer is empty");
  if (Buffer.byteLength(offerSdp) > MAX_OFFER_BYTES) throw invalid(`offer is larger than ${MAX_OFFER_BYTES} bytes`);
  if (!/^v=0\r?\n/.test(offerSdp)) throw invalid("offer does not start with v=0");
  let session: sdpTransform.SessionDescription;
  try {
    session = sdpTransform.parse(offerSdp);
  } catch (err) {
    throw new MediaError("invalid_sdp", "offer cannot be parsed", { cause: err });
  }
  const media = session.media;
  if (media.length === 0) throw invalid("offer has no m= section");
  const sessionDirection = session.direction;
  const clientSends = (d: Direction): boolean => d === "sendrecv" || d === "sendonly";
  const clientReceives = (d: Direction): boolean => d === "sendrecv" || d === "recvonly";
  for (const [index, m] of media.entries()) {
    if (m.type !== "audio" && m.type !== "video") continue;
    if (wantKind !== undefined && m.type !== wantKind) continue;
    if (m.port === 0) continue;
    const direction: Direction = m.direction ?? sessionDirection ?? "sendrecv";
    if (purpose === "publish" ? !clientSends(direction) : !clientReceives(direction)) continue;
    if (!m.protocol.includes("SAVP")) throw invalid(`m-section ${index}: protocol ${m.protocol} is not DTLS-SRTP`);
    if ((m.iceUfrag ?? session.iceUfrag) === undefined || (m.icePwd ?? session.icePwd) === undefined) {
      throw invalid(`m-section ${index}: no ice-ufrag/ice-pwd`);
    }
    if ((m.fingerprint ?? session.fingerprint) === undefined) throw invalid(`m-section ${index}: no DTLS fingerprint`);
    const forwardable = m.rtp
      .filter((r) => FORWARDED_MIME_TYPES.includes(`${m.type}/${r.codec}`.toLowerCase()))
      .map((r) => r.payload);
    if (forwardable.length === 0) {
      const offered = m.rtp.map((r) => r.codec).join(", ") || "none";
      throw new MediaError("unsupported_codec", `m-section ${index}: offers ${offered}; forwarded are ${FORWARDED_MIME_TYPES.join(", ")}`);
    }
    const firstSsrc = m.ssrcs?.[0]?.id;
    const ssrc = typeof firstSsrc === "number" ? firstSsrc : typeof firstSsrc === "string" ? Number(firstSsrc) : Number.NaN;
    return {
      index,
      kind: m.type,
      mid: m.mid ?? null,
      ssrc: purpose === "publish" && Number.isInteger(ssrc) && ssrc >= 0 && ssrc <= 0xffff_ffff ? ssrc : null,
      forwardablePayloadTypes: forwardable,
    };
  }
  const what = wantKind === undefined ? "an audio or video" : `a ${wantKind}`;
  throw invalid(`offer has no ${what} m-section the client ${purpose === "publish" ? "sends" : "receives"} on`);
}
