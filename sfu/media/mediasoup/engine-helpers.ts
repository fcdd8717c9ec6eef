// Small helpers of the mediasoup engine: input checks shared with the werift engine's
// rules, and the two sockets of a relay pipe. No engine state here.
import { createSocket, type Socket } from "node:dgram";
import { RelaywatchError } from "../../../core/errors.js";
import type { PortRange } from "../engine.js";
import { MediaError } from "../errors.js";
import { isForwardedCodec, trackMediaSchema, type TrackMedia } from "../track-media.js";
import { bindUdpInRange, closeSocket } from "../udp-port.js";

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

/**
 * A relay pipe's sockets: the public one inside `range` on `address` (what the remote
 * region talks to) and a loopback one on an ephemeral port (what the worker talks to).
 */
export async function openPipeSockets(address: string, range: PortRange): Promise<[Socket, Socket]> {
  const publicSocket = await bindUdpInRange(address, range);
  const internal = createSocket("udp4");
  try {
    await new Promise<void>((resolve, reject) => {
      internal.once("error", reject);
      internal.bind({ address: "127.0.0.1", port: 0 }, () => {
        internal.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    await closeSocket(publicSocket);
    throw new MediaError("no_ports", `no loopback port for a relay pipe: ${err instanceof Error ? err.message : String(err)}`);
  }
  return [publicSocket, internal];
}
