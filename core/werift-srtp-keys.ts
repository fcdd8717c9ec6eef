// werift's SRTP ciphers as KeyObjects (issue 17: probes and relays that cost little).
//
// werift creates one node:crypto cipher (and, for AES_CM_128_HMAC_SHA1_80, one HMAC) per
// RTP/RTCP packet from raw Buffer session keys. On Node 24 every such call first asks
// whether the Buffer is a KeyObject, and that check throws and catches a TypeError inside
// node:crypto, capturing a stack trace each time: measured on a werift publisher and
// subscriber at 50 packets/s, a quarter of all CPU went into those thrown errors
// (`npm run bench -- probe` compares). A KeyObject key takes the direct path and encrypts
// the same bytes.
//
// So, once per process, the session start of werift's SRTP and SRTCP sessions (one shared
// prototype, `Session.start`) is wrapped: after werift derives the session keys, the keys
// its cipher uses per packet are swapped for KeyObjects made from the same bytes. Nothing
// else in werift reads them (key derivation happens before, on the master key). Both users
// of werift — the probe client and the werift SFU engine — turn it on when they are loaded.
import { createSecretKey, type KeyObject } from "node:crypto";
import { SrtpSession } from "werift";

/** The per-packet keys of werift's CipherAesCtr / CipherAesGcm. */
const CIPHER_KEYS = ["srtpSessionKey", "srtcpSessionKey", "srtpSessionAuthTag", "srtcpSessionAuthTag"] as const;

type CipherKeys = Partial<Record<(typeof CIPHER_KEYS)[number], Buffer | KeyObject>>;
interface SessionLike {
  localContext?: { cipher?: CipherKeys };
  remoteContext?: { cipher?: CipherKeys };
}
type Start = (this: SessionLike, ...args: unknown[]) => void;

const sessionProto = Object.getPrototypeOf(SrtpSession.prototype) as { start: Start };
const weriftStart: Start = sessionProto.start;

/** Swaps a cipher's Buffer keys for KeyObjects of the same bytes; returns how many it swapped. */
export function swapInKeyObjects(cipher: CipherKeys | undefined): number {
  if (cipher === undefined) return 0;
  let swapped = 0;
  for (const field of CIPHER_KEYS) {
    const key = cipher[field];
    if (Buffer.isBuffer(key) && key.length > 0) {
      cipher[field] = createSecretKey(key);
      swapped++;
    }
  }
  return swapped;
}

/** werift's start, then the per-packet keys as KeyObjects. */
function startWithKeyObjects(this: SessionLike, ...args: unknown[]): void {
  weriftStart.apply(this, args);
  swapInKeyObjects(this.localContext?.cipher);
  swapInKeyObjects(this.remoteContext?.cipher);
}

/**
 * On (the default): every werift SRTP/SRTCP session started from now on in this process uses
 * KeyObjects. Off: werift's own start again (the probe bench's baseline). Idempotent.
 */
export function useKeyObjectsForSrtp(on = true): void {
  sessionProto.start = on ? startWithKeyObjects : weriftStart;
}

/** Whether sessions started now get KeyObjects (tests). */
export function keyObjectsForSrtpOn(): boolean {
  return sessionProto.start === startWithKeyObjects;
}
