// TrackMedia: the RTP description of one forwarded track — what a relay pull response
// carries across regions so the receiving engine can accept the pipe (mediasoup needs it
// to create a pipe Producer; the werift engine checks SSRC and payload type against it).
// Pure data and its schema; never any I/O here.
import { z } from "zod";

export const mediaKindSchema = z.enum(["audio", "video"]);
export type MediaKind = z.infer<typeof mediaKindSchema>;

export const codecDescriptionSchema = z.object({
  /** e.g. `audio/opus`, `video/VP8`, `video/H264`. */
  mimeType: z.string().regex(/^(audio|video)\/[A-Za-z0-9._-]{1,32}$/, "expected a mime type like video/VP8"),
  /** Dynamic payload types only: static ones (0–95) are not used for these codecs. */
  payloadType: z.number().int().min(96).max(127),
  clockRate: z.number().int().min(1000).max(200_000),
  channels: z.number().int().min(1).max(8).optional(),
  /** The fmtp line's value, e.g. `profile-level-id=42e01f;packetization-mode=1`. */
  parameters: z.string().max(1024).optional(),
});
export type CodecDescription = z.infer<typeof codecDescriptionSchema>;

export const trackMediaSchema = z
  .object({
    kind: mediaKindSchema,
    codec: codecDescriptionSchema,
    /** The SSRC every engine uses for this track on relay pipes. */
    ssrc: z.number().int().min(0).max(0xffff_ffff),
    /**
     * On a relay-out's media only: the local UDP port the pipe sends from, so the receiving
     * engine pins its relay-in to that sender (pipe-drop.ts). Absent from older peers: the
     * relay-in then latches the first sender.
     */
    sourcePort: z.number().int().min(1).max(65_535).optional(),
    /**
     * On a relay-out's media only: header-extension bytes the sending pipe adds to every
     * packet (a mediasoup pipe Consumer always writes its own block; werift sends none), so
     * a receiver counting wire bytes can subtract them and count canonical RTP.
     */
    headerExtensionBytes: z.number().int().min(0).max(1024).optional(),
  })
  .refine((m) => m.codec.mimeType.toLowerCase().startsWith(`${m.kind}/`), {
    message: "codec.mimeType does not match kind",
    path: ["codec", "mimeType"],
  });
export type TrackMedia = z.infer<typeof trackMediaSchema>;

/** What a relay-out announces: the stream it sends and where from (no other pipe's fields). */
export function pipeMedia(media: TrackMedia, sourcePort: number, headerExtensionBytes = 0): TrackMedia {
  return {
    kind: media.kind,
    codec: media.codec,
    ssrc: media.ssrc,
    sourcePort,
    ...(headerExtensionBytes > 0 ? { headerExtensionBytes } : {}),
  };
}

/** The codecs every engine must forward (DESIGN: Opus, VP8, H.264), lowercase mime types. */
export const FORWARDED_MIME_TYPES: readonly string[] = ["audio/opus", "video/vp8", "video/h264"];

export function isForwardedCodec(codec: Pick<CodecDescription, "mimeType">): boolean {
  return FORWARDED_MIME_TYPES.includes(codec.mimeType.toLowerCase());
}

/** Two descriptions are the same stream format (same codec and clock), whatever the payload type. */
export function sameCodec(a: CodecDescription, b: CodecDescription): boolean {
  return a.mimeType.toLowerCase() === b.mimeType.toLowerCase() && a.clockRate === b.clockRate && (a.channels ?? 1) === (b.channels ?? 1);
}
