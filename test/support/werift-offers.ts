// Well-formed WHIP/WHEP offers from real werift peers that are closed right after: bodies
// that pass every SDP check but whose ICE never completes (sessions that never connect),
// and seeds for fuzzing the signaling. Test code only.
import { CODEC_PRESETS, WeriftPublisher, WeriftSubscriber, type CodecPreset } from "../../probes/client/werift-peer.js";

/** A sendonly (WHIP) offer of `codec`. */
export async function publisherOffer(codec: CodecPreset = CODEC_PRESETS.vp8): Promise<string> {
  const peer = new WeriftPublisher(codec);
  try {
    return await peer.createOffer();
  } finally {
    await peer.close();
  }
}

/** A recvonly (WHEP) offer for one `kind` of track. */
export async function subscriberOffer(kind: "video" | "audio" = "video"): Promise<string> {
  const peer = new WeriftSubscriber(kind);
  try {
    return await peer.createOffer();
  } finally {
    await peer.close();
  }
}
