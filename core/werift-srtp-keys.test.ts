// werift's SRTP with KeyObject keys encrypts the very bytes werift's own Buffer keys do, in
// both profiles werift negotiates, and each side decrypts the other's; off restores werift's
// own session start.
import { randomBytes, type KeyObject } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80, RtpHeader, SrtcpSession, SrtpSession } from "werift";
import { keyObjectsForSrtpOn, swapInKeyObjects, useKeyObjectsForSrtp } from "./werift-srtp-keys.js";

const PROFILES = [
  ["AES_CM_128_HMAC_SHA1_80", ProtectionProfileAes128CmHmacSha1_80, 30],
  ["AEAD_AES_128_GCM", ProtectionProfileAeadAes128Gcm, 28],
] as const;

function keysFor(masterBytes: number) {
  const a = randomBytes(masterBytes);
  const b = randomBytes(masterBytes);
  const split = (k: Buffer) => ({ key: k.subarray(0, 16), salt: k.subarray(16) });
  return {
    local: { localMasterKey: split(a).key, localMasterSalt: split(a).salt, remoteMasterKey: split(b).key, remoteMasterSalt: split(b).salt },
    remote: { localMasterKey: split(b).key, localMasterSalt: split(b).salt, remoteMasterKey: split(a).key, remoteMasterSalt: split(a).salt },
  };
}

function header(seq: number): RtpHeader {
  return new RtpHeader({ ssrc: 0x1234_5678, payloadType: 111, sequenceNumber: seq, timestamp: seq * 960, marker: true });
}

/** The session's local cipher's key fields (werift internals, read for the check only). */
function cipherKeys(session: SrtpSession): unknown[] {
  const cipher = (session as unknown as { localContext: { cipher: Record<string, unknown> } }).localContext.cipher;
  return ["srtpSessionKey", "srtcpSessionKey"].map((k) => cipher[k]);
}

afterEach(() => {
  useKeyObjectsForSrtp();
});

describe.each(PROFILES)("werift SRTP with KeyObject keys (%s)", (_name, profile, masterBytes) => {
  it("encrypts the same bytes as werift's Buffer keys, and each side decrypts the other's", () => {
    const keys = keysFor(masterBytes);
    useKeyObjectsForSrtp(false);
    const plain = new SrtpSession({ keys: keys.local, profile });
    const plainPeer = new SrtpSession({ keys: keys.remote, profile });
    expect(cipherKeys(plain).every((k) => Buffer.isBuffer(k))).toBe(true);
    useKeyObjectsForSrtp(true);
    const fast = new SrtpSession({ keys: keys.local, profile });
    const fastPeer = new SrtpSession({ keys: keys.remote, profile });
    expect(cipherKeys(fast).map((k) => (k as KeyObject).type)).toEqual(["secret", "secret"]);

    for (let seq = 1; seq <= 50; seq++) {
      const payload = randomBytes(200);
      const a = plain.encrypt(payload, header(seq));
      const b = fast.encrypt(payload, header(seq));
      expect(b.equals(a)).toBe(true);
      expect(fastPeer.decrypt(a).subarray(12).equals(payload)).toBe(true);
      expect(plainPeer.decrypt(b).subarray(12).equals(payload)).toBe(true);
    }
  });

  it("encrypts SRTCP the same way", () => {
    const keys = keysFor(masterBytes);
    useKeyObjectsForSrtp(false);
    const plain = new SrtcpSession({ keys: keys.local, profile });
    useKeyObjectsForSrtp(true);
    const fast = new SrtcpSession({ keys: keys.remote, profile });
    const peerOfPlain = new SrtcpSession({ keys: keys.remote, profile });
    // A receiver report: V=2, RC=0, PT=201, length 1, sender SSRC.
    const rr = Buffer.from([0x80, 201, 0, 1, 0x12, 0x34, 0x56, 0x78]);
    expect(peerOfPlain.decrypt(plain.encrypt(rr)).equals(rr)).toBe(true);
    expect(new SrtcpSession({ keys: keys.local, profile }).decrypt(fast.encrypt(rr)).equals(rr)).toBe(true);
  });
});

describe("useKeyObjectsForSrtp", () => {
  it("is on once the probe client or the werift engine is loaded, and off restores werift's start", async () => {
    await import("../probes/client/werift-peer.js");
    expect(keyObjectsForSrtpOn()).toBe(true);
    useKeyObjectsForSrtp(false);
    expect(keyObjectsForSrtpOn()).toBe(false);
    useKeyObjectsForSrtp(true);
    useKeyObjectsForSrtp(true);
    expect(keyObjectsForSrtpOn()).toBe(true);
  });

  it("swaps only non-empty Buffer keys", () => {
    const cipher = { srtpSessionKey: randomBytes(16), srtcpSessionKey: Buffer.alloc(0) };
    expect(swapInKeyObjects(cipher)).toBe(1);
    expect(Buffer.isBuffer(cipher.srtcpSessionKey)).toBe(true);
    expect(swapInKeyObjects(cipher)).toBe(0);
  });
});
