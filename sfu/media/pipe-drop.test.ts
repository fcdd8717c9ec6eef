import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ANY_IP, classifyPipeDatagram, judgePipeDatagram, negotiatedPin, PIPE_DROP_REASONS, sourcePin } from "./pipe-drop.js";

function rtp(opts: { ssrc?: number; pt?: number; cc?: number; ext?: number; pad?: number; payload?: number } = {}): Buffer {
  const cc = opts.cc ?? 0;
  const ext = opts.ext;
  const header = Buffer.alloc(12 + 4 * cc + (ext === undefined ? 0 : 4 + 4 * ext));
  header[0] = 0x80 | (ext === undefined ? 0 : 0x10) | (opts.pad === undefined ? 0 : 0x20) | cc;
  header[1] = opts.pt ?? 111;
  header.writeUInt32BE(opts.ssrc ?? 0xdeadbeef, 8);
  if (ext !== undefined) header.writeUInt16BE(ext, 12 + 4 * cc + 2);
  const body = Buffer.alloc(opts.payload ?? 20, 7);
  const tail = opts.pad === undefined ? Buffer.alloc(0) : Buffer.from([...Array<number>(opts.pad - 1).fill(0), opts.pad]);
  return Buffer.concat([header, body, tail]);
}

const expected = { ssrc: 0xdeadbeef, payloadType: 111 };

describe("classifyPipeDatagram()", () => {
  it("accepts a well-formed packet of the expected stream, with CSRCs, extension and padding", () => {
    expect(classifyPipeDatagram(rtp(), expected)).toEqual({ ok: true });
    expect(classifyPipeDatagram(rtp({ cc: 2, ext: 1, pad: 4 }), expected)).toEqual({ ok: true });
  });

  it("names the reason for each kind of bad datagram", () => {
    expect(classifyPipeDatagram(Buffer.alloc(11))).toEqual({ ok: false, reason: "runt" });
    expect(classifyPipeDatagram(Buffer.alloc(40))).toEqual({ ok: false, reason: "not_rtp" });
    expect(classifyPipeDatagram(rtp({ pt: 200 }), expected)).toEqual({ ok: false, reason: "rtcp" });
    expect(classifyPipeDatagram(rtp({ cc: 15 }).subarray(0, 40), expected)).toEqual({ ok: false, reason: "malformed" });
    const badExt = rtp({ ext: 1 });
    badExt.writeUInt16BE(500, 14);
    expect(classifyPipeDatagram(badExt, expected)).toEqual({ ok: false, reason: "malformed" });
    const badPad = rtp();
    badPad[0] = (badPad[0] ?? 0) | 0x20;
    badPad[badPad.length - 1] = 0;
    expect(classifyPipeDatagram(badPad, expected)).toEqual({ ok: false, reason: "malformed" });
    expect(classifyPipeDatagram(rtp({ ssrc: 1 }), expected)).toEqual({ ok: false, reason: "wrong_ssrc" });
    expect(classifyPipeDatagram(rtp({ pt: 112 }), expected)).toEqual({ ok: false, reason: "wrong_payload_type" });
  });

  it("never throws and always returns a known verdict, whatever the bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.option(fc.record({ ssrc: fc.nat(), payloadType: fc.integer({ min: 96, max: 127 }) }), { nil: undefined }), (bytes, exp) => {
        const v = classifyPipeDatagram(bytes, exp);
        return v.ok || PIPE_DROP_REASONS.includes(v.reason);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("judgePipeDatagram()", () => {
  const upstream = { ip: "127.0.0.1", port: 40_000 };
  const stranger = { ip: "127.0.0.1", port: 40_001 };

  it("a fixed pin accepts the track's RTP from the upstream only; a forged copy from another port is wrong_source", () => {
    const pin = sourcePin(upstream);
    expect(judgePipeDatagram(rtp(), upstream, pin, expected).verdict).toEqual({ ok: true });
    expect(judgePipeDatagram(rtp(), stranger, pin, expected).verdict).toEqual({ ok: false, reason: "wrong_source" });
    expect(judgePipeDatagram(rtp(), { ip: "127.0.0.2", port: 40_000 }, pin, expected).verdict).toEqual({ ok: false, reason: "wrong_source" });
    expect(judgePipeDatagram(rtp(), { ip: "::ffff:127.0.0.1", port: 40_000 }, pin, expected).verdict).toEqual({ ok: true });
    expect(judgePipeDatagram(rtp(), stranger, pin).verdict).toEqual({ ok: false, reason: "wrong_source" });
  });

  it("a pin negotiated from the sender's announced port accepts any of the resolved routes and nothing else", () => {
    const routes = [{ ip: "127.0.0.1", port: 21_005 }, { ip: "127.0.0.1", port: 23_005 }];
    const pin = negotiatedPin({ sourcePort: 40_000 }, null, (p) => (p === 40_000 ? routes : []));
    expect(pin).toEqual({ kind: "fixed", sources: routes });
    for (const r of routes) expect(judgePipeDatagram(rtp(), r, pin, expected).verdict.ok).toBe(true);
    expect(judgePipeDatagram(rtp(), { ip: "127.0.0.1", port: 21_006 }, pin, expected).verdict).toEqual({ ok: false, reason: "wrong_source" });
    // An explicit upstream wins; no announced port, or no resolver, or no route: a latch.
    expect(negotiatedPin({ sourcePort: 40_000 }, upstream, () => routes)).toEqual({ kind: "fixed", sources: [upstream] });
    expect(negotiatedPin({}, null, () => routes)).toEqual({ kind: "latch", source: null });
    expect(negotiatedPin({ sourcePort: 40_000 }, null, null)).toEqual({ kind: "latch", source: null });
    expect(negotiatedPin({ sourcePort: 40_000 }, null, () => [])).toEqual({ kind: "latch", source: null });
  });

  it("a peer known by host name pins the port alone", () => {
    const pin = sourcePin([{ ip: ANY_IP, port: 40_000 }]);
    expect(judgePipeDatagram(rtp(), { ip: "10.1.2.3", port: 40_000 }, pin, expected).verdict.ok).toBe(true);
    expect(judgePipeDatagram(rtp(), { ip: "10.1.2.3", port: 40_001 }, pin, expected).verdict).toEqual({ ok: false, reason: "wrong_source" });
  });

  it("bytes that are not RTP keep their structural reason, whoever sent them", () => {
    expect(judgePipeDatagram(Buffer.alloc(40), stranger, sourcePin(upstream), expected).verdict).toEqual({ ok: false, reason: "not_rtp" });
  });

  it("a latch takes the first sender of the track's RTP and refuses every other source after it", () => {
    let pin = sourcePin(null);
    // Another stream's packet or one before the media is known latches nothing.
    pin = judgePipeDatagram(rtp({ ssrc: 1 }), stranger, pin, expected).pin;
    pin = judgePipeDatagram(rtp(), stranger, pin).pin;
    expect(pin).toEqual({ kind: "latch", source: null });
    const first = judgePipeDatagram(rtp(), upstream, pin, expected);
    expect(first.verdict.ok).toBe(true);
    pin = first.pin;
    expect(pin).toEqual({ kind: "latch", source: upstream });
    expect(judgePipeDatagram(rtp(), stranger, pin, expected).verdict).toEqual({ ok: false, reason: "wrong_source" });
    expect(judgePipeDatagram(rtp(), upstream, pin, expected).verdict).toEqual({ ok: true });
  });

  it("never throws and never accepts another source once pinned, whatever the bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 65535 }), (bytes, port) => {
        const j = judgePipeDatagram(bytes, { ip: "127.0.0.1", port }, sourcePin(upstream), expected);
        return port === upstream.port || !j.verdict.ok;
      }),
      { numRuns: 3000 },
    );
  });
});
