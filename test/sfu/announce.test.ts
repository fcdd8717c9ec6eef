// --announce (sfu/node/options.ts announceOf, the engines' announced address): ICE
// candidates name the announced address while sockets bind the listen address; a wildcard
// listen address cannot be announced and needs --announce.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { createEngine } from "../../sfu/media/create-engine.js";
import { announceOf } from "../../sfu/node/options.js";
import { portWindow } from "../conformance/engine-helpers.js";
import { publisherOffer } from "../support/werift-offers.js";
import { ENGINES, MEDIASOUP_WEBRTC_PORTS } from "./sfu-kit.js";

function candidateAddresses(sdp: string): string[] {
  return [...sdp.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ/gm)].map((m) => m[1] ?? "");
}

describe("announced address", () => {
  it("announceOf() defaults to the listen address, and refuses a wildcard without --announce", () => {
    expect(announceOf(undefined, "10.231.0.11")).toBe("10.231.0.11");
    expect(announceOf("203.0.113.7", "0.0.0.0", "--announce")).toBe("203.0.113.7");
    expect(announceOf(undefined, "localhost")).toBeUndefined();
    expect(() => announceOf(undefined, "0.0.0.0", "--announce")).toThrow(/--announce.*0\.0\.0\.0 names no host/);
    expect(() => announceOf(undefined, "::")).toThrow(ConfigError);
    expect(() => announceOf("sfu.example", "0.0.0.0", "--announce")).toThrow(/--announce: got "?sfu\.example/);
    expect(() => announceOf("0.0.0.0", "10.0.0.1")).toThrow(ConfigError);
  });

  for (const name of ENGINES) {
    it(`the ${name} engine binds the listen address and its ICE candidates name the announced one`, async () => {
      const engine = await createEngine(name, { rtpPortRange: portWindow(0), webrtcPortRange: MEDIASOUP_WEBRTC_PORTS, workers: 1, bindAddress: "0.0.0.0", announcedIp: "203.0.113.7" });
      try {
        const { answerSdp } = await engine.publish("room/cam", await publisherOffer());
        expect(new Set(candidateAddresses(answerSdp))).toEqual(new Set(["203.0.113.7"]));
      } finally {
        await engine.close();
      }
    });

    it(`without an announced address the ${name} engine's candidates name the bind address`, async () => {
      const engine = await createEngine(name, { rtpPortRange: portWindow(1), webrtcPortRange: MEDIASOUP_WEBRTC_PORTS, workers: 1, bindAddress: "127.0.0.1" });
      try {
        const { answerSdp } = await engine.publish("room/cam", await publisherOffer());
        expect(new Set(candidateAddresses(answerSdp))).toEqual(new Set(["127.0.0.1"]));
      } finally {
        await engine.close();
      }
    });
  }
});
