// Errors a MediaEngine throws for bad input or impossible requests. Each has a stable
// `code` the signaling layer maps to HTTP (invalid_sdp/unsupported_codec → 400,
// track_exists → 409, no_ports → 503). Unknown ids throw core's RelaywatchError
// `not_found`; calls after close() throw core's InvalidStateError.

export type MediaErrorCode =
  /** The SDP offer cannot be parsed or does not describe what the call needs. */
  | "invalid_sdp"
  /** The offer (or a TrackMedia) names no codec this engine forwards. */
  | "unsupported_codec"
  /** The track already has a source (a publisher or a relay-in). */
  | "track_exists"
  /** No free UDP port in the configured range. */
  | "no_ports"
  /** ICE gathering or SDP negotiation failed inside the engine. */
  | "negotiation_failed";

export class MediaError extends Error {
  override name = "MediaError";
  readonly code: MediaErrorCode;

  constructor(code: MediaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isMediaError(err: unknown, code?: MediaErrorCode): err is MediaError {
  return err instanceof MediaError && (code === undefined || err.code === code);
}
