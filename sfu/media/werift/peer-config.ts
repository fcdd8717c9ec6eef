// How the werift engine configures its RTCPeerConnections: sockets bound to exactly one
// address (never every interface unless told 0.0.0.0), one host candidate naming the
// announced address (the bind address unless the host is behind NAT or binds a wildcard),
// no STUN/TURN (the SFU is the public end), UDP only, and the codec lists it negotiates. Also the codec conversions
// between werift's RTCRtpCodecParameters and our CodecDescription.
import { isIPv6 } from "node:net";
import {
  RTCRtpCodecParameters,
  useH264,
  useNACK,
  useOPUS,
  usePLI,
  useVP8,
  type RTCPeerConnection,
  type RTCPeerConnectionConfig,
} from "werift";
import { MediaError } from "../errors.js";
import type { PortRange } from "../engine.js";
import type { CodecDescription, MediaKind } from "../track-media.js";

/** Loopback gathering finishes in a few ms; 5 s means the stack is stuck, not slow. */
export const GATHER_TIMEOUT_MS = 5_000;

export interface PeerCodecs {
  audio: RTCRtpCodecParameters[];
  video: RTCRtpCodecParameters[];
}

/** What a publisher may send: Opus, and VP8 before H.264 when the client offers both. */
export function publishCodecs(): PeerCodecs {
  return { audio: [useOPUS()], video: [useVP8(), useH264()] };
}

/** A subscriber gets exactly the track's codec; the other kind is refused. */
export function subscribeCodecs(kind: MediaKind, codec: CodecDescription): PeerCodecs {
  const c = toWeriftCodec(kind, codec);
  return kind === "audio" ? { audio: [c], video: [] } : { audio: [], video: [c] };
}

/** Where ICE sockets bind, and the address their host candidate names (`bind` when absent). */
export interface IceHost {
  bind: string;
  announce?: string | undefined;
}

export function peerConfig(host: IceHost, codecs: PeerCodecs, icePortRange?: PortRange): RTCPeerConnectionConfig {
  const v6 = isIPv6(host.bind);
  return {
    codecs,
    iceServers: [],
    // Only `iceAdditionalHostAddresses` is gathered (the candidate); the socket binds
    // `iceInterfaceAddresses`. Enumerating interfaces is off.
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: [host.announce ?? host.bind],
    iceInterfaceAddresses: v6 ? { udp6: host.bind } : { udp4: host.bind },
    iceUseTcp: false,
    ...(icePortRange === undefined ? {} : { icePortRange: [icePortRange.min, icePortRange.max] as [number, number] }),
  };
}

export function toWeriftCodec(kind: MediaKind, codec: CodecDescription): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: codec.mimeType,
    clockRate: codec.clockRate,
    ...(codec.channels === undefined ? {} : { channels: codec.channels }),
    ...(codec.parameters === undefined ? {} : { parameters: codec.parameters }),
    rtcpFeedback: kind === "video" ? [useNACK(), usePLI()] : [],
  });
}

export function fromWeriftCodec(codec: RTCRtpCodecParameters): CodecDescription {
  return {
    mimeType: codec.mimeType,
    payloadType: codec.payloadType,
    clockRate: codec.clockRate,
    ...(codec.channels === undefined ? {} : { channels: codec.channels }),
    ...(codec.parameters === undefined || codec.parameters === "" ? {} : { parameters: codec.parameters }),
  };
}

/** Non-trickle ICE: waits until gathering is complete and returns the full local SDP. */
export async function completeLocalSdp(pc: RTCPeerConnection, timeoutMs = GATHER_TIMEOUT_MS): Promise<string> {
  if (pc.iceGatheringState !== "complete") {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.unSubscribe();
        reject(new MediaError("negotiation_failed", `ICE gathering did not complete in ${timeoutMs} ms`));
      }, timeoutMs);
      const sub = pc.iceGatheringStateChange.subscribe((state) => {
        if (state !== "complete") return;
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      });
    });
  }
  const sdp = pc.localDescription?.sdp;
  if (sdp === undefined) throw new MediaError("negotiation_failed", "no local description after gathering");
  return sdp;
}
