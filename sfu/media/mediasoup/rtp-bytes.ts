// Byte-level RTP helpers for the mediasoup engine's relay pipes. The pipes see every
// datagram in Node (mediasoup cannot classify drops by reason, nor send a consumer with a
// chosen SSRC), so these run per packet: no allocation beyond the one output buffer, and
// they only see datagrams classifyPipeDatagram() has accepted as well-formed RTP.

const FIXED_HEADER = 12;

/** Where the payload starts: after the fixed header, CSRCs and any header extension. */
function payloadOffset(buf: Buffer): { csrcEnd: number; payloadStart: number } {
  const b0 = buf[0] ?? 0;
  const csrcEnd = FIXED_HEADER + 4 * (b0 & 0x0f);
  let payloadStart = csrcEnd;
  if ((b0 & 0x10) !== 0) {
    const words = ((buf[csrcEnd + 2] ?? 0) << 8) | (buf[csrcEnd + 3] ?? 0);
    payloadStart = csrcEnd + 4 + 4 * words;
  }
  return { csrcEnd, payloadStart };
}

function paddingBytes(buf: Buffer): number {
  return ((buf[0] ?? 0) & 0x20) !== 0 ? (buf[buf.length - 1] ?? 0) : 0;
}

/**
 * Size as both engines count it (TrackStats): fixed header + CSRCs + payload — header
 * extensions and padding excluded, as they are not part of the canonical stream.
 */
export function canonicalRtpSize(buf: Buffer): number {
  const { csrcEnd, payloadStart } = payloadOffset(buf);
  return csrcEnd + (buf.length - payloadStart - paddingBytes(buf));
}

/**
 * The canonical form of a packet for a relay pipe: the track's SSRC and payload type,
 * marker, sequence number, timestamp, CSRCs and payload kept; header extensions (their
 * ids are per connection) and padding dropped. Returns a new buffer.
 */
export function canonicalRtp(buf: Buffer, ssrc: number, payloadType: number): Buffer {
  const { csrcEnd, payloadStart } = payloadOffset(buf);
  const payloadEnd = buf.length - paddingBytes(buf);
  const out = Buffer.allocUnsafe(csrcEnd + (payloadEnd - payloadStart));
  buf.copy(out, 0, 0, csrcEnd);
  buf.copy(out, csrcEnd, payloadStart, payloadEnd);
  // V=2, no padding, no extension, CC kept.
  out[0] = 0x80 | ((buf[0] ?? 0) & 0x0f);
  out[1] = ((buf[1] ?? 0) & 0x80) | (payloadType & 0x7f);
  out.writeUInt32BE(ssrc >>> 0, 8);
  return out;
}
