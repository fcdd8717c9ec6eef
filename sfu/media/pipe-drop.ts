// Why a datagram on a relay pipe (plain RTP over UDP) was not forwarded, and the pure
// classifiers that decide it. Relay-in ports are reachable from the network, so every
// datagram is untrusted: these functions must never throw, whatever the bytes.
//
// A pipe believes only its upstream: the address negotiated for it when the control plane
// knows it (a fixed pin), otherwise the first source whose datagram is the track's RTP
// (a latch, like mediasoup's comedia, after which every other source is refused). Either
// way a forged packet with a sniffed SSRC from another address is dropped as wrong_source.
import type { UdpEndpoint } from "./engine.js";

export const PIPE_DROP_REASONS = [
  /** Shorter than the 12-byte fixed RTP header. */
  "runt",
  /** RTP version field is not 2 (STUN, DTLS, random bytes...). */
  "not_rtp",
  /** An RTCP packet (RFC 5761 demultiplexing): pipes do not consume RTCP yet. */
  "rtcp",
  /** CSRC list, header extension or padding runs past the end of the datagram. */
  "malformed",
  /** Well-formed RTP for another stream. */
  "wrong_ssrc",
  /** Right stream, but a payload type other than the track's codec (RTX, FEC...). */
  "wrong_payload_type",
  /** Arrived before the relay-in knew the track's media and its hold buffer was full. */
  "not_ready",
  /** Well-formed RTP from an address other than the pipe's upstream (forged or stray). */
  "wrong_source",
] as const;
export type PipeDropReason = (typeof PIPE_DROP_REASONS)[number];

export type PipeDropCounts = Record<PipeDropReason, number>;

export function emptyDropCounts(): PipeDropCounts {
  return { runt: 0, not_rtp: 0, rtcp: 0, malformed: 0, wrong_ssrc: 0, wrong_payload_type: 0, not_ready: 0, wrong_source: 0 };
}

export interface ExpectedStream {
  ssrc: number;
  payloadType: number;
}

export type PipeVerdict = { ok: true } | { ok: false; reason: PipeDropReason };

const RTP_FIXED_HEADER_BYTES = 12;
/** RFC 5761 §4: RTCP packet types 192–223 collide with RTP payload types 64–95 + marker. */
const RTCP_TYPE_MIN = 192;
const RTCP_TYPE_MAX = 223;

/** Checks the structure of an RTP datagram (and, when given, its stream). */
export function classifyPipeDatagram(buf: Uint8Array, expected?: ExpectedStream): PipeVerdict {
  const len = buf.length;
  if (len < RTP_FIXED_HEADER_BYTES) return { ok: false, reason: "runt" };
  const b0 = buf[0] ?? 0;
  const b1 = buf[1] ?? 0;
  if (b0 >> 6 !== 2) return { ok: false, reason: "not_rtp" };
  if (b1 >= RTCP_TYPE_MIN && b1 <= RTCP_TYPE_MAX) return { ok: false, reason: "rtcp" };
  let headerEnd = RTP_FIXED_HEADER_BYTES + 4 * (b0 & 0x0f);
  if ((b0 & 0x10) !== 0) {
    if (headerEnd + 4 > len) return { ok: false, reason: "malformed" };
    const words = ((buf[headerEnd + 2] ?? 0) << 8) | (buf[headerEnd + 3] ?? 0);
    headerEnd += 4 + 4 * words;
  }
  if (headerEnd > len) return { ok: false, reason: "malformed" };
  if ((b0 & 0x20) !== 0) {
    const padding = buf[len - 1] ?? 0;
    if (padding === 0 || headerEnd + padding > len) return { ok: false, reason: "malformed" };
  }
  if (expected === undefined) return { ok: true };
  const ssrc = (((buf[8] ?? 0) << 24) >>> 0) + (((buf[9] ?? 0) << 16) | ((buf[10] ?? 0) << 8) | (buf[11] ?? 0));
  if (ssrc !== expected.ssrc) return { ok: false, reason: "wrong_ssrc" };
  if ((b1 & 0x7f) !== expected.payloadType) return { ok: false, reason: "wrong_payload_type" };
  return { ok: true };
}

/**
 * Who a relay-in believes: the negotiated sender (one of `sources`: the upstream's address
 * as each peer route would show it), or the first valid sender (latched).
 */
export type SourcePin = { kind: "fixed"; sources: readonly UdpEndpoint[] } | { kind: "latch"; source: UdpEndpoint | null };

/** An endpoint whose ip is ANY_IP matches on the port alone (a peer known by host name). */
export const ANY_IP = "*";

export function sourcePin(upstream?: UdpEndpoint | readonly UdpEndpoint[] | null): SourcePin {
  if (upstream == null) return { kind: "latch", source: null };
  const list = Array.isArray(upstream) ? (upstream as readonly UdpEndpoint[]) : [upstream as UdpEndpoint];
  return list.length === 0 ? { kind: "latch", source: null } : { kind: "fixed", sources: list.map((u) => ({ ip: u.ip, port: u.port })) };
}

/** Where a relay-in's packets may come from, as the region's peer routes resolve a sender's port. */
export type RelaySourceResolver = (sourcePort: number) => UdpEndpoint[];

/**
 * The pin for a relay-in: the explicit upstream when the caller gives one; else the
 * addresses the resolver derives from the port the sending pipe announced in its media;
 * else a latch.
 */
export function negotiatedPin(media: { sourcePort?: number | undefined } | null, upstream: UdpEndpoint | null | undefined, resolve: RelaySourceResolver | null): SourcePin {
  if (upstream != null) return sourcePin(upstream);
  if (media?.sourcePort === undefined || resolve === null) return sourcePin(null);
  return sourcePin(resolve(media.sourcePort));
}

/** Reasons that say the bytes are not RTP at all: reported as such, whoever sent them. */
const STRUCTURAL: ReadonlySet<PipeDropReason> = new Set(["runt", "not_rtp", "rtcp", "malformed"]);

function sameEndpoint(pinned: UdpEndpoint, seen: UdpEndpoint): boolean {
  // An IPv4 peer seen on a dual-stack socket is ::ffff:a.b.c.d.
  const norm = (ip: string): string => (ip.startsWith("::ffff:") ? ip.slice(7) : ip);
  return pinned.port === seen.port && (pinned.ip === ANY_IP || norm(pinned.ip) === norm(seen.ip));
}

function admits(pin: SourcePin, from: UdpEndpoint): boolean {
  if (pin.kind === "fixed") return pin.sources.some((s) => sameEndpoint(s, from));
  return pin.source === null || sameEndpoint(pin.source, from);
}

export interface PipeJudgement {
  verdict: PipeVerdict;
  /** The pin after this datagram (a latch takes the first accepted source). */
  pin: SourcePin;
}

/**
 * Judges one datagram from `from`: not RTP → its structural reason; RTP from anyone but the
 * pinned source → wrong_source; then the stream check (when `expected` is known). A latch
 * takes the source of the first datagram accepted with a known stream.
 */
export function judgePipeDatagram(buf: Uint8Array, from: UdpEndpoint, pin: SourcePin, expected?: ExpectedStream): PipeJudgement {
  const verdict = classifyPipeDatagram(buf, expected);
  if (!verdict.ok && STRUCTURAL.has(verdict.reason)) return { verdict, pin };
  if (!admits(pin, from)) return { verdict: { ok: false, reason: "wrong_source" }, pin };
  if (!verdict.ok || expected === undefined || pin.kind === "fixed" || pin.source !== null) return { verdict, pin };
  return { verdict, pin: { kind: "latch", source: { ip: from.ip, port: from.port } } };
}
