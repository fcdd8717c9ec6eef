import { describe, expect, it } from "vitest";
import { NonceCache, RELAY_CLOCK_WINDOW_MS, RELAY_HMAC_HEADERS, signRelayRequest, verifyRelayRequest, type RelayRequest } from "./relay-hmac.js";

const SECRET = "mesh-secret-mesh-secret-mesh-secret!";
const NOW = 1_700_000_000_000;
const BODY = JSON.stringify({ track: "probe/us-west", path: ["eu-central"] });
const req: RelayRequest = { method: "POST", path: "/relay/v1/pull", to: "eu-west", body: BODY };
const NONCE = "AAAAAAAAAAAAAAAAAAAAAA";

describe("verifyRelayRequest()", () => {
  it("accepts a request signed with the mesh secret", () => {
    const headers = signRelayRequest(SECRET, req, NOW);
    expect(verifyRelayRequest(SECRET, req, headers, NOW + 150, new NonceCache())).toEqual({ ok: true });
  });

  it("refuses a request without the headers as missing", () => {
    const { [RELAY_HMAC_HEADERS.nonce]: _nonce, ...headers } = signRelayRequest(SECRET, req, NOW);
    expect(verifyRelayRequest(SECRET, req, headers, NOW, new NonceCache())).toMatchObject({ ok: false, error: "missing" });
  });

  it("refuses a changed body, path, destination, method or secret as bad_signature", () => {
    const headers = signRelayRequest(SECRET, req, NOW, NONCE);
    const cases: [RelayRequest, string][] = [
      [{ ...req, body: `${BODY} ` }, SECRET],
      [{ ...req, path: "/relay/v1/announce" }, SECRET],
      // The same call replayed to another region of the mesh (same secret, its own nonce cache).
      [{ ...req, to: "eu-central" }, SECRET],
      [{ ...req, method: "PUT" }, SECRET],
      [req, "other-secret-other-secret-other-secret"],
    ];
    for (const [r, secret] of cases) {
      expect(verifyRelayRequest(secret, r, headers, NOW, new NonceCache())).toMatchObject({ ok: false, error: "bad_signature" });
    }
  });

  it("refuses a changed timestamp as bad_signature, not as a fresh request", () => {
    const headers = { ...signRelayRequest(SECRET, req, NOW - 60_000, NONCE), [RELAY_HMAC_HEADERS.timestamp]: String(NOW) };
    expect(verifyRelayRequest(SECRET, req, headers, NOW, new NonceCache())).toMatchObject({ ok: false, error: "bad_signature" });
  });

  it("refuses a timestamp outside the ±30 s window as stale_timestamp, in both directions", () => {
    const cache = new NonceCache();
    const old = signRelayRequest(SECRET, req, NOW - RELAY_CLOCK_WINDOW_MS - 1);
    const future = signRelayRequest(SECRET, req, NOW + RELAY_CLOCK_WINDOW_MS + 1);
    expect(verifyRelayRequest(SECRET, req, old, NOW, cache)).toMatchObject({ ok: false, error: "stale_timestamp" });
    expect(verifyRelayRequest(SECRET, req, future, NOW, cache)).toMatchObject({ ok: false, error: "stale_timestamp" });
    expect(verifyRelayRequest(SECRET, req, signRelayRequest(SECRET, req, NOW - RELAY_CLOCK_WINDOW_MS), NOW, cache).ok).toBe(true);
  });

  it("refuses the same signed request a second time as replayed_nonce, for as long as its timestamp is valid", () => {
    const cache = new NonceCache();
    const headers = signRelayRequest(SECRET, req, NOW, NONCE);
    expect(verifyRelayRequest(SECRET, req, headers, NOW, cache).ok).toBe(true);
    expect(verifyRelayRequest(SECRET, req, headers, NOW + 1, cache)).toMatchObject({ ok: false, error: "replayed_nonce" });
    expect(verifyRelayRequest(SECRET, req, headers, NOW + RELAY_CLOCK_WINDOW_MS, cache)).toMatchObject({ ok: false, error: "replayed_nonce" });
    expect(verifyRelayRequest(SECRET, req, headers, NOW + RELAY_CLOCK_WINDOW_MS + 1, cache)).toMatchObject({ ok: false, error: "stale_timestamp" });
  });

  it("refuses malformed headers before computing anything", () => {
    const headers = { ...signRelayRequest(SECRET, req, NOW), [RELAY_HMAC_HEADERS.timestamp]: "yesterday" };
    expect(verifyRelayRequest(SECRET, req, headers, NOW, new NonceCache())).toMatchObject({ ok: false, error: "malformed" });
  });

  it("does not let unauthenticated requests fill the nonce cache", () => {
    const cache = new NonceCache();
    const headers = signRelayRequest("other-secret-other-secret-other-secret", req, NOW);
    verifyRelayRequest(SECRET, req, headers, NOW, cache);
    expect(cache.size).toBe(0);
  });
});

describe("NonceCache", () => {
  it("forgets nonces once their timestamp has left the window", () => {
    const cache = new NonceCache({ windowMs: 1000 });
    for (let i = 0; i < 100; i++) expect(cache.remember(`nonce-${i}`, NOW + i, NOW + i)).toBe(true);
    expect(cache.size).toBe(100);
    cache.remember("late", NOW + 5000, NOW + 5000);
    expect(cache.size).toBe(1);
  });

  it("stays within its bound, dropping the oldest and counting it", () => {
    const cache = new NonceCache({ maxEntries: 10 });
    for (let i = 0; i < 25; i++) cache.remember(`nonce-${i}`, NOW, NOW);
    expect(cache.size).toBe(10);
    expect(cache.evictedEarly).toBe(15);
    expect(cache.remember("nonce-24", NOW, NOW)).toBe(false);
  });
});
