import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { PeerDirectory } from "./peers.js";

describe("PeerDirectory", () => {
  it("relayTarget() maps the receiver's real port through the sender's own mapping for that peer", () => {
    const peers = new PeerDirectory("eu-central", [
      { region: "eu-west", url: "http://127.0.0.1:7102", relayPortMap: { proxyBase: 51000, targetMin: 40100, targetMax: 40199 } },
      { region: "us-west", url: "http://10.0.0.9:7103" },
    ]);
    expect(peers.relayTarget("eu-west", 40105)).toEqual({ ip: "127.0.0.1", port: 51005 });
    expect(peers.relayTarget("eu-west", 40200)).toBeNull();
    expect(peers.relayTarget("eu-west", 40099)).toBeNull();
    expect(peers.relayTarget("us-west", 40105)).toEqual({ ip: "10.0.0.9", port: 40105 });
    expect(peers.relayTarget("ap-south", 40105)).toBeNull();
  });

  it("set() refuses itself, duplicates and URLs that are not http", () => {
    expect(() => new PeerDirectory("a", [{ region: "a", url: "http://127.0.0.1:1" }])).toThrow(ConfigError);
    expect(() => new PeerDirectory("a", [{ region: "b", url: "http://x:1" }, { region: "b", url: "http://y:1" }])).toThrow(/peers\[1\]\.region/);
    expect(() => new PeerDirectory("a", [{ region: "b", url: "ftp://x" }])).toThrow(/peers\[0\]\.url/);
    expect(new PeerDirectory("a", [{ region: "c", url: "http://x:1" }, { region: "b", url: "http://y:1" }]).regions()).toEqual(["b", "c"]);
  });
});
