// The probe payload header: what a probe publisher puts at the start of every RTP payload
// so a receiver in any other region can tell which probe track and packet it is and when
// it was sent. The parser is strict and total: any byte string gives a header or an error
// value, never an exception, and a header is only accepted when every field is in range
// and the CRC-32 over it matches (so a relay that corrupts a byte is caught, not measured).
//
// Layout (network byte order), 26 + L bytes, padding may follow:
//   0    magic "RWPB" (4)   4 version (1)   5 region length L (1)   6 src region (L, ASCII)
//   6+L  track seq u32      10+L packet index u32                   14+L send time µs u64
//   22+L CRC-32 (zlib) of bytes 0 … 22+L-1
import { crc32 } from "node:zlib";
import type { Result } from "../../core/errors.js";
import type { Region } from "../../core/region.js";

/** "RWPB": relaywatch probe. Four bytes so random media is rejected at the first check. */
export const PROBE_MAGIC = 0x52575042;
export const PROBE_HEADER_VERSION = 1;
/** DNS-label bound, the same as core's region names. */
export const MAX_REGION_BYTES = 63;
/** magic + version + length + track seq + index + send time + crc, without the region. */
const FIXED_BYTES = 4 + 1 + 1 + 4 + 4 + 8 + 4;
export const MAX_HEADER_BYTES = FIXED_BYTES + MAX_REGION_BYTES;

/** Same rule as core's regionSchema, checked on bytes so the hot path allocates nothing on failure. */
const REGION_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export interface ProbeHeader {
  src: Region;
  /** The publisher's rotation number (the track's sequence). */
  trackSeq: number;
  /** 0-based index of the packet within its track. */
  index: number;
  /** Send time, microseconds since the Unix epoch on the sender's clock. */
  sendTimeUs: number;
}

export type HeaderErrorCode = "too_short" | "bad_magic" | "bad_version" | "bad_region" | "bad_checksum" | "bad_field";

/** A plain value, not an Error: the receive path rejects foreign packets without allocating stacks. */
export interface HeaderError {
  code: HeaderErrorCode;
  detail: string;
}

export function headerLength(src: Region): number {
  return FIXED_BYTES + src.length;
}

/**
 * Encodes `h` into a new buffer of `totalBytes` (≥ the header length; the rest is zero
 * padding). Throws on fields out of range: that is a bug in the caller, not input.
 */
export function encodeProbeHeader(h: ProbeHeader, totalBytes = headerLength(h.src)): Buffer {
  const len = headerLength(h.src);
  if (!REGION_RE.test(h.src)) throw new RangeError(`probe header: src ${JSON.stringify(h.src)} is not a region name`);
  if (!isU32(h.trackSeq) || !isU32(h.index)) throw new RangeError("probe header: trackSeq and index must be u32");
  if (!Number.isSafeInteger(h.sendTimeUs) || h.sendTimeUs < 0) throw new RangeError("probe header: sendTimeUs must be a non-negative safe integer");
  const buf = Buffer.alloc(Math.max(len, totalBytes));
  buf.writeUInt32BE(PROBE_MAGIC, 0);
  buf.writeUInt8(PROBE_HEADER_VERSION, 4);
  buf.writeUInt8(h.src.length, 5);
  buf.write(h.src, 6, "latin1");
  let o = 6 + h.src.length;
  buf.writeUInt32BE(h.trackSeq, o);
  buf.writeUInt32BE(h.index, o + 4);
  buf.writeBigUInt64BE(BigInt(h.sendTimeUs), o + 8);
  o += 16;
  buf.writeUInt32BE(crc32(buf.subarray(0, o)), o);
  return buf;
}

/**
 * Writes the probe header of one track into one reused buffer: the fixed fields once, then
 * per packet only the index, the send time and the CRC, with no allocation, regex or
 * BigInt. The bytes are exactly encodeProbeHeader()'s. The buffer is overwritten by the
 * next write(): hand it only to a sender that copies or encrypts it before returning.
 */
export class ProbePayloadWriter {
  private readonly buf: Buffer;
  private readonly at: number;

  constructor(src: Region, trackSeq: number, totalBytes = headerLength(src)) {
    this.buf = encodeProbeHeader({ src, trackSeq, index: 0, sendTimeUs: 0 }, totalBytes);
    this.at = 6 + src.length;
  }

  write(index: number, sendTimeUs: number): Buffer {
    if (!isU32(index)) throw new RangeError("probe header: index must be u32");
    if (!Number.isSafeInteger(sendTimeUs) || sendTimeUs < 0) throw new RangeError("probe header: sendTimeUs must be a non-negative safe integer");
    const o = this.at;
    this.buf.writeUInt32BE(index, o + 4);
    this.buf.writeUInt32BE(Math.floor(sendTimeUs / 0x1_0000_0000), o + 8);
    this.buf.writeUInt32BE(sendTimeUs >>> 0, o + 12);
    this.buf.writeUInt32BE(crc32(this.buf.subarray(0, o + 16)), o + 16);
    return this.buf;
  }
}

/** Parses the header at the start of `bytes` (padding after it is ignored). Never throws. */
export function parseProbeHeader(bytes: Uint8Array): Result<ProbeHeader, HeaderError> {
  if (bytes.length < FIXED_BYTES + 1) return fail("too_short", `${bytes.length} bytes, a header has at least ${FIXED_BYTES + 1}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== PROBE_MAGIC) return fail("bad_magic", "not a relaywatch probe payload");
  const version = view.getUint8(4);
  if (version !== PROBE_HEADER_VERSION) return fail("bad_version", `version ${version}, expected ${PROBE_HEADER_VERSION}`);
  const regionLen = view.getUint8(5);
  if (regionLen < 1 || regionLen > MAX_REGION_BYTES) return fail("bad_region", `region length ${regionLen}`);
  const total = FIXED_BYTES + regionLen;
  if (bytes.length < total) return fail("too_short", `${bytes.length} bytes, this header needs ${total}`);
  const crcAt = total - 4;
  if (view.getUint32(crcAt) !== crc32(bytes.subarray(0, crcAt))) return fail("bad_checksum", "CRC-32 mismatch");
  // latin1 maps every byte to one char, so a non-ASCII byte cannot sneak past the regex as UTF-8 could.
  const src = Buffer.from(bytes.buffer, bytes.byteOffset + 6, regionLen).toString("latin1");
  if (!REGION_RE.test(src)) return fail("bad_region", "src is not a region name");
  const o = 6 + regionLen;
  const sendTimeUs = view.getBigUint64(o + 8);
  if (sendTimeUs > BigInt(Number.MAX_SAFE_INTEGER)) return fail("bad_field", "send time out of range");
  return { ok: true, value: { src, trackSeq: view.getUint32(o), index: view.getUint32(o + 4), sendTimeUs: Number(sendTimeUs) } };
}

function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff;
}

function fail(code: HeaderErrorCode, detail: string): { ok: false; error: HeaderError } {
  return { ok: false, error: { code, detail } };
}
