import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeProbeHeader, headerLength, MAX_REGION_BYTES, ProbePayloadWriter } from "./header.js";

const regionArb = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/).filter((s) => s.length <= MAX_REGION_BYTES);

describe("ProbePayloadWriter", () => {
  it("writes exactly encodeProbeHeader()'s bytes, packet after packet in one buffer", () => {
    fc.assert(
      fc.property(regionArb, fc.nat({ max: 0xffff_ffff }), fc.nat({ max: 200 }), fc.array(fc.tuple(fc.nat({ max: 0xffff_ffff }), fc.maxSafeNat()), { minLength: 1, maxLength: 5 }), (src, trackSeq, pad, packets) => {
        const size = headerLength(src) + pad;
        const w = new ProbePayloadWriter(src, trackSeq, size);
        for (const [index, sendTimeUs] of packets) {
          expect(w.write(index, sendTimeUs)).toEqual(encodeProbeHeader({ src, trackSeq, index, sendTimeUs }, size));
        }
      }),
    );
  });

  it("write() refuses an index or a send time out of range", () => {
    const w = new ProbePayloadWriter("eu-west", 1);
    expect(() => w.write(-1, 0)).toThrow(RangeError);
    expect(() => w.write(2 ** 32, 0)).toThrow(RangeError);
    expect(() => w.write(0, -1)).toThrow(RangeError);
    expect(() => w.write(0, 0.5)).toThrow(RangeError);
  });
});
