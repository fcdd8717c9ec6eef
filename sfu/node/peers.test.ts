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

  it("relayTarget() sends to the address a peer advertised in its pull, unless a port map says how to reach it", () => {
    const peers = new PeerDirectory("eu-central", [
      { region: "eu-west", url: "https://sfu.eu-west.example:7101" },
      { region: "us-west", url: "http://127.0.0.1:7103", relayPortMap: { proxyBase: 51000, targetMin: 40100 } },
      { region: "ap-south", url: "http://[fd00::7]:7104" },
    ]);
    expect(peers.relayTarget("eu-west", 40105)).toEqual({ ip: "sfu.eu-west.example", port: 40105 });
    peers.advertise("eu-west", "203.0.113.7");
    peers.advertise("us-west", "203.0.113.8");
    peers.advertise("not-a-peer", "203.0.113.9");
    expect(peers.relayTarget("eu-west", 40105)).toEqual({ ip: "203.0.113.7", port: 40105 });
    expect(peers.relayTarget("us-west", 40105)).toEqual({ ip: "127.0.0.1", port: 51005 });
    expect(peers.relayTarget("not-a-peer", 40105)).toBeNull();
    // An IPv6 URL host is a socket address without its brackets.
    expect(peers.relayTarget("ap-south", 40105)).toEqual({ ip: "fd00::7", port: 40105 });
  });

  it("set() refuses itself, duplicates and URLs that are not http", () => {
    expect(() => new PeerDirectory("a", [{ region: "a", url: "http://127.0.0.1:1" }])).toThrow(ConfigError);
    expect(() => new PeerDirectory("a", [{ region: "b", url: "http://x:1" }, { region: "b", url: "http://y:1" }])).toThrow(/peers\[1\]\.region/);
    expect(() => new PeerDirectory("a", [{ region: "b", url: "ftp://x" }])).toThrow(/peers\[0\]\.url/);
    expect(new PeerDirectory("a", [{ region: "c", url: "http://x:1" }, { region: "b", url: "http://y:1" }]).regions()).toEqual(["b", "c"]);
  });
});
