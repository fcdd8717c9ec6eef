// Small helpers of the mediasoup engine: input checks shared with the werift engine's
// rules. No engine state here.
import { RelaywatchError } from "../../../core/errors.js";
import { MediaError } from "../errors.js";
import { isForwardedCodec, trackMediaSchema, type TrackMedia } from "../track-media.js";

export function notFound(message: string): RelaywatchError {
  return new RelaywatchError("not_found", message);
}

/** TrackMedia from another region: re-validated, and only codecs this engine forwards. */
export function checkMedia(media: TrackMedia): TrackMedia {
  const parsed = trackMediaSchema.safeParse(media);
  if (!parsed.success) throw new RelaywatchError("invalid_payload", `media: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  if (!isForwardedCodec(parsed.data.codec)) throw new MediaError("unsupported_codec", `media: ${parsed.data.codec.mimeType} is not forwarded`);
  return parsed.data;
}
