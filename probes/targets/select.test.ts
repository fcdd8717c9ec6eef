import { describe, expect, it } from "vitest";
import { DEFAULT_JANUS_ROOM, janusTargetOf } from "./select.js";

describe("janusTargetOf (relaywatch probe --target)", () => {
  it("expands {region} in --janus-url and defaults the room", () => {
    expect(janusTargetOf({ target: "janus", region: "eu-west", janusUrl: "http://janus-{region}:8088/janus" })).toEqual({ baseUrl: "http://janus-eu-west:8088/janus", room: DEFAULT_JANUS_ROOM });
    expect(janusTargetOf({ target: "janus", region: "eu-west", janusUrl: "http://j:8088/janus", janusRoom: "77" })).toEqual({ baseUrl: "http://j:8088/janus", room: 77 });
  });

  it("gives no Janus option for the WHIP/WHEP targets", () => {
    expect(janusTargetOf({ target: "relaywatch", region: "eu-west" })).toBeUndefined();
    expect(janusTargetOf({ target: "whip", region: "eu-west", whipUrl: "http://s/whip/{track}", whepUrl: "http://s/whep/{track}" })).toBeUndefined();
  });

  it("refuses bad combinations, naming the flag", () => {
    expect(() => janusTargetOf({ target: "mediasoup", region: "eu-west" })).toThrow(/--target/);
    expect(() => janusTargetOf({ target: "whip", region: "eu-west", whipUrl: "http://s/whip/{track}" })).toThrow(/--whep-url/);
    expect(() => janusTargetOf({ target: "janus", region: "eu-west" })).toThrow(/--janus-url/);
    expect(() => janusTargetOf({ target: "janus", region: "eu-west", janusUrl: "ftp://j" })).toThrow(/--janus-url/);
    expect(() => janusTargetOf({ target: "janus", region: "eu-west", janusUrl: "http://j", janusRoom: "x" })).toThrow(/--janus-room/);
    expect(() => janusTargetOf({ target: "janus", region: "eu-west", janusUrl: "http://j", whipUrl: "http://s/{track}" })).toThrow(/whip-url/);
    expect(() => janusTargetOf({ target: "relaywatch", region: "eu-west", janusUrl: "http://j" })).toThrow(/--janus-url/);
  });
});
