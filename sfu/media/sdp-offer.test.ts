import { describe, expect, it } from "vitest";
import { checkOffer } from "./sdp-offer.js";

function offer(lines: string[]): string {
  const head = ["v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0", "a=fingerprint:sha-256 AA:BB", "a=ice-ufrag:u", "a=ice-pwd:pppppppppppppppppppppp"];
  return [...head, ...lines, ""].join("\r\n");
}
const audio = ["m=audio 9 UDP/TLS/RTP/SAVPF 111", "a=mid:a", "a=rtpmap:111 opus/48000/2", "a=ssrc:42 cname:x"];
const video = ["m=video 9 UDP/TLS/RTP/SAVPF 98 96", "a=mid:v", "a=rtpmap:98 VP9/90000", "a=rtpmap:96 VP8/90000"];

describe("checkOffer()", () => {
  it("picks the first m-section the client sends on, with its SSRC and forwardable payload types", () => {
    expect(checkOffer(offer([...audio, "a=sendonly", ...video, "a=sendonly"]), "publish")).toEqual({
      index: 0, kind: "audio", mid: "a", ssrc: 42, forwardablePayloadTypes: [111],
    });
  });

  it("for subscribe, picks the m-section of the wanted kind the client receives on", () => {
    const checked = checkOffer(offer([...audio, "a=recvonly", ...video, "a=recvonly"]), "subscribe", "video");
    expect(checked).toMatchObject({ index: 1, kind: "video", ssrc: null, forwardablePayloadTypes: [96] });
  });

  it("rejects an offer in the wrong direction, without DTLS-SRTP, or with only unknown codecs", () => {
    expect(() => checkOffer(offer([...audio, "a=recvonly"]), "publish")).toThrow(expect.objectContaining({ code: "invalid_sdp" }));
    expect(() => checkOffer(offer(["m=audio 9 RTP/AVP 111", "a=rtpmap:111 opus/48000/2"]), "publish")).toThrow(expect.objectContaining({ code: "invalid_sdp" }));
    expect(() => checkOffer(offer(["m=video 9 UDP/TLS/RTP/SAVPF 98", "a=rtpmap:98 VP9/90000"]), "publish")).toThrow(expect.objectContaining({ code: "unsupported_codec" }));
    expect(() => checkOffer(42, "publish")).toThrow(expect.objectContaining({ code: "invalid_sdp" }));
  });
});
