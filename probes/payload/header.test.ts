import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeProbeHeader, headerLength, MAX_REGION_BYTES, parseProbeHeader, PROBE_MAGIC, type ProbeHeader } from "./header.js";

const regionArb = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/).filter((s) => s.length <= MAX_REGION_BYTES);
const headerArb: fc.Arbitrary<ProbeHeader> = fc.record({
  src: regionArb,
  trackSeq: fc.nat({ max: 0xffff_ffff }),
  index: fc.nat({ max: 0xffff_ffff }),
  sendTimeUs: fc.maxSafeNat(),
});

const sample: ProbeHeader = { src: "eu-central", trackSeq: 58_000_123, index: 4711, sendTimeUs: 1_707_332_400_123_456 };

describe("probe payload header", () => {
  it("round-trips every valid header, with or without padding", () => {
    fc.assert(
      fc.property(headerArb, fc.nat({ max: 200 }), (h, pad) => {
        const buf = encodeProbeHeader(h, headerLength(h.src) + pad);
        expect(parseProbeHeader(buf)).toEqual({ ok: true, value: h });
      }),
    );
  });

  it("random bytes never throw, and a result is only ever the exact encoding of what it claims", () => {
    // Sound for every input: if the parser accepts bytes, re-encoding its value must give back those bytes.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = parseProbeHeader(bytes);
        if (r.ok) expect(Buffer.from(bytes.subarray(0, headerLength(r.value.src)))).toEqual(encodeProbeHeader(r.value));
      }),
      { numRuns: 5000 },
    );
  });

  it("random bytes with a wrong magic never yield a result", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 200 }), (bytes) => {
        fc.pre(Buffer.from(bytes).readUInt32BE(0) !== PROBE_MAGIC);
        expect(parseProbeHeader(bytes)).toMatchObject({ ok: false, error: { code: expect.stringMatching(/too_short|bad_magic/) as unknown } });
      }),
      { numRuns: 5000 },
    );
  });

  it("random bytes behind a right magic and version never yield a result", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
        const bytes = Buffer.concat([Buffer.from([0x52, 0x57, 0x50, 0x42, 1]), tail]);
        expect(parseProbeHeader(bytes).ok).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it("rejects a valid header with any one byte changed (CRC-32 catches every single-byte error)", () => {
    fc.assert(
      fc.property(headerArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (h, at, xor) => {
        const buf = encodeProbeHeader(h);
        const i = at % buf.length;
        buf[i] = (buf[i] ?? 0) ^ xor;
        expect(parseProbeHeader(buf).ok).toBe(false);
      }),
    );
  });

  it("rejects every truncation of a valid header", () => {
    const buf = encodeProbeHeader(sample);
    for (let n = 0; n < buf.length; n++) expect(parseProbeHeader(buf.subarray(0, n)).ok, `length ${n}`).toBe(false);
  });

  it("names what is wrong", () => {
    const buf = encodeProbeHeader(sample);
    const codeOf = (b: Uint8Array): string | undefined => {
      const r = parseProbeHeader(b);
      return r.ok ? undefined : r.error.code;
    };
    expect(codeOf(Buffer.alloc(3))).toBe("too_short");
    expect(codeOf(Buffer.alloc(40))).toBe("bad_magic");
    const v2 = Buffer.from(buf);
    v2[4] = 2;
    expect(codeOf(v2)).toBe("bad_version");
    const zeroLen = Buffer.from(buf);
    zeroLen[5] = 0;
    expect(codeOf(zeroLen)).toBe("bad_region");
    const flipped = Buffer.from(buf);
    flipped[buf.length - 1] = (flipped[buf.length - 1] ?? 0) ^ 1;
    expect(codeOf(flipped)).toBe("bad_checksum");
  });

  it("parses a header inside a larger buffer at a non-zero offset (as RTP payloads are)", () => {
    const packet = Buffer.concat([Buffer.alloc(12, 7), encodeProbeHeader(sample, 80)]);
    expect(parseProbeHeader(packet.subarray(12))).toEqual({ ok: true, value: sample });
  });

  it("refuses to encode fields out of range", () => {
    expect(() => encodeProbeHeader({ ...sample, src: "EU" })).toThrow(RangeError);
    expect(() => encodeProbeHeader({ ...sample, index: -1 })).toThrow(RangeError);
    expect(() => encodeProbeHeader({ ...sample, trackSeq: 2 ** 32 })).toThrow(RangeError);
    expect(() => encodeProbeHeader({ ...sample, sendTimeUs: 1.5 })).toThrow(RangeError);
  });
});
