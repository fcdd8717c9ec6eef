import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { turnProbeConfig } from "./config.js";

const files: Record<string, string> = { "/s": "shared-secret\n", "/c": "alice\npw\n" };
const read = (f: string): string => {
  const v = files[f];
  if (v === undefined) throw new Error("ENOENT");
  return v;
};

describe("turnProbeConfig() (relaywatch probe's TURN flags)", () => {
  it("no --ice-server: no TURN probe, and TURN-only flags are refused without it", () => {
    expect(turnProbeConfig({ turnUser: "probe-eu" }, read)).toBeUndefined();
    expect(() => turnProbeConfig({ turnUser: "probe-eu", turnSecretFile: "/s" }, read)).toThrow(/--turn-secret-file.*--ice-server/);
    expect(() => turnProbeConfig({ turnUser: "probe-eu", relayOnly: true }, read)).toThrow(ConfigError);
  });

  it("a shared secret file gives REST credentials for --turn-user; a credentials file static ones", () => {
    expect(turnProbeConfig({ iceServer: "turn:127.0.0.1:3478", turnSecretFile: "/s", turnUser: "probe-eu" }, read)?.credentials).toMatchObject({ kind: "rest", secret: "shared-secret", user: "probe-eu" });
    expect(turnProbeConfig({ iceServer: "turns:turn.example", turnCredentialsFile: "/c", turnUser: "x" }, read)).toMatchObject({ server: { scheme: "turns", port: 5349 }, credentials: { kind: "static", username: "alice", credential: "pw" } });
  });

  it("wants exactly one credentials source, and a readable file", () => {
    expect(() => turnProbeConfig({ iceServer: "turn:h", turnUser: "x" }, read)).toThrow(/exactly one/);
    expect(() => turnProbeConfig({ iceServer: "turn:h", turnSecretFile: "/s", turnCredentialsFile: "/c", turnUser: "x" }, read)).toThrow(/exactly one/);
    expect(() => turnProbeConfig({ iceServer: "turn:h", turnSecretFile: "/missing", turnUser: "x" }, read)).toThrow(/readable file/);
  });
});
