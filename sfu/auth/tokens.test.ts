import fc from "fast-check";
import { SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from "jose";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { TOKEN_AUDIENCE, bearerToken, checkScope, issueToken, verifyToken, verifyTokenClaims, type TokenClaims } from "./tokens.js";

const SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret!";
const KEY = new TextEncoder().encode(SECRET);
const NOW = 1_700_000_000_000;
const claims: TokenClaims = { room: "probe", track: "us-west", perm: "subscribe", exp: NOW + 60_000 };
const want = { room: "probe", track: "us-west", perm: "subscribe" } as const;
const jwtClaims: JWTPayload = { room: "probe", track: "us-west", perm: "subscribe", aud: TOKEN_AUDIENCE, exp: claims.exp / 1000 };

/** A token as any JWT tool mints it: jose's SignJWT. */
function joseToken(payload: JWTPayload = jwtClaims, alg = "HS256", key: Uint8Array = KEY): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT" }).sign(key);
}

describe("verifyToken()", () => {
  it("accepts a token issued with the same secret for this room, track and permission", async () => {
    expect(await verifyToken(SECRET, issueToken(SECRET, claims), want, NOW)).toEqual({ ok: true, claims });
  });

  it("accepts a JWT minted by jose with the shared secret", async () => {
    expect(await verifyToken(SECRET, await joseToken(), want, NOW)).toEqual({ ok: true, claims });
    const withExtras = await joseToken({ ...jwtClaims, iat: NOW / 1000, jti: "abc", sub: "probe-agent" });
    expect((await verifyToken(SECRET, withExtras, want, NOW)).ok).toBe(true);
  });

  it("issues a standard HS256 JWT that jose verifies and reads", async () => {
    const token = issueToken(SECRET, claims);
    expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", typ: "JWT" });
    expect(decodeJwt(token)).toEqual(jwtClaims);
    const { payload } = await jwtVerify(token, KEY, { algorithms: ["HS256"], audience: TOKEN_AUDIENCE, currentDate: new Date(NOW) });
    expect(payload).toEqual(jwtClaims);
  });

  it("accepts track '*' for any track of the room", async () => {
    const token = issueToken(SECRET, { ...claims, track: "*" });
    expect((await verifyToken(SECRET, token, { ...want, track: "eu-west" }, NOW)).ok).toBe(true);
  });

  it("refuses a missing token as missing", async () => {
    for (const t of [undefined, null, ""]) expect(await verifyToken(SECRET, t, want, NOW)).toMatchObject({ ok: false, error: "missing" });
  });

  it("refuses garbage as malformed", async () => {
    for (const t of ["abc", "a.b.c", "a.", ".b", "a b.c", "x".repeat(5000), `${issueToken(SECRET, claims)}.x`]) {
      expect(await verifyToken(SECRET, t, want, NOW)).toMatchObject({ ok: false, error: "malformed" });
    }
  });

  it("refuses a token signed with another secret as bad_signature", async () => {
    const token = issueToken("another-secret-another-secret-another", claims);
    expect(await verifyToken(SECRET, token, want, NOW)).toMatchObject({ ok: false, error: "bad_signature" });
  });

  it("refuses forged claims under a real signature as bad_signature", async () => {
    const [header, , sig] = (await joseToken()).split(".");
    const forged = Buffer.from(JSON.stringify({ ...jwtClaims, perm: "publish" })).toString("base64url");
    expect(await verifyToken(SECRET, `${header}.${forged}.${sig}`, { ...want, perm: "publish" }, NOW)).toMatchObject({ ok: false, error: "bad_signature" });
  });

  it("refuses alg none and every algorithm but HS256, naming the alg", async () => {
    const unsigned = new UnsecuredJWT(jwtClaims).encode();
    expect(await verifyToken(SECRET, unsigned, want, NOW)).toEqual({ ok: false, error: "bad_signature", detail: 'alg "none" is not accepted, only HS256' });
    const hs512 = await joseToken(jwtClaims, "HS512", new TextEncoder().encode(SECRET.repeat(2)));
    expect(await verifyToken(SECRET.repeat(2), hs512, want, NOW)).toEqual({ ok: false, error: "bad_signature", detail: 'alg "HS512" is not accepted, only HS256' });
    // The signature part of a real token, glued under a header that says none.
    const [, payload, sig] = issueToken(SECRET, claims).split(".");
    const none = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    expect(await verifyToken(SECRET, `${none}.${payload}.${sig}`, want, NOW)).toMatchObject({ ok: false, error: "bad_signature" });
  });

  it("refuses a token from its expiry instant on", async () => {
    const token = issueToken(SECRET, claims);
    expect((await verifyToken(SECRET, token, want, claims.exp - 1)).ok).toBe(true);
    expect(await verifyToken(SECRET, token, want, claims.exp)).toMatchObject({ ok: false, error: "expired" });
    expect(await verifyToken(SECRET, token, want, claims.exp + 5000)).toEqual({ ok: false, error: "expired", detail: "expired 5 s ago" });
  });

  it("never lets a token live longer than asked: exp is rounded down to whole seconds", async () => {
    const token = issueToken(SECRET, { ...claims, exp: NOW + 1999 });
    expect(decodeJwt(token).exp).toBe((NOW + 1000) / 1000);
    expect(await verifyToken(SECRET, token, want, NOW + 1000)).toMatchObject({ ok: false, error: "expired" });
  });

  it("refuses another room, track or permission as forbidden", async () => {
    const token = issueToken(SECRET, claims);
    expect(await verifyToken(SECRET, token, { ...want, room: "other" }, NOW)).toMatchObject({ ok: false, error: "forbidden" });
    expect(await verifyToken(SECRET, token, { ...want, track: "eu-west" }, NOW)).toMatchObject({ ok: false, error: "forbidden" });
    expect(await verifyToken(SECRET, token, { ...want, perm: "publish" }, NOW)).toMatchObject({ ok: false, error: "forbidden" });
  });

  it("refuses a JWT for another audience, or none, as forbidden", async () => {
    expect(await verifyToken(SECRET, await joseToken({ ...jwtClaims, aud: "grafana" }), want, NOW)).toEqual({
      ok: false, error: "forbidden", detail: 'token is for audience "grafana", not "relaywatch"',
    });
    const { aud: _aud, ...noAud } = jwtClaims;
    expect(await verifyToken(SECRET, await joseToken(noAud), want, NOW)).toMatchObject({ ok: false, error: "forbidden" });
  });

  it("refuses a JWT without exp or with claims of the wrong shape as malformed", async () => {
    const { exp: _exp, ...noExp } = jwtClaims;
    expect(await verifyToken(SECRET, await joseToken(noExp), want, NOW)).toMatchObject({ ok: false, error: "malformed" });
    const badPerm = await verifyToken(SECRET, await joseToken({ ...jwtClaims, perm: "admin" }), want, NOW);
    expect(badPerm).toMatchObject({ ok: false, error: "malformed" });
    expect(badPerm.ok ? "" : badPerm.detail).toMatch(/^claim perm: /);
    expect(await verifyToken(SECRET, await joseToken({ ...jwtClaims, room: "a/b" }), want, NOW)).toMatchObject({ ok: false, error: "malformed" });
  });

  it("never accepts a token whose bytes were changed", async () => {
    for (const token of [issueToken(SECRET, claims), await joseToken()]) {
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom("A", "B", "c", "0", "9", "-", "_", "."), async (i, ch) => {
          fc.pre(token[i] !== ch);
          const changed = token.slice(0, i) + ch + token.slice(i + 1);
          const r = await verifyToken(SECRET, changed, want, NOW);
          // base64url's last character may carry unused bits: same bytes, same signature.
          if (r.ok) expect(Buffer.from(changed.split(".")[2] ?? "", "base64url")).toEqual(Buffer.from(token.split(".")[2] ?? "", "base64url"));
          if (r.ok) expect(changed.split(".").slice(0, 2)).toEqual(token.split(".").slice(0, 2));
        }),
      );
    }
  });

  it("refuses secrets shorter than 32 bytes, naming the problem but not the secret", async () => {
    expect(() => issueToken("short", claims)).toThrow(ConfigError);
    await expect(verifyToken("short", "a.b.c", want, NOW)).rejects.toThrow(/at least 32 bytes/);
    expect(() => issueToken("short", claims)).not.toThrow(/short/);
  });
});

describe("verifyTokenClaims() and checkScope()", () => {
  it("verifies a token without a room/track/permission to check against", async () => {
    expect(await verifyTokenClaims(SECRET, issueToken(SECRET, claims), NOW)).toEqual({ ok: true, claims });
  });

  it("checkScope() grants exactly the room, track ('*' any) and permission of the claims", () => {
    expect(checkScope(claims, want).ok).toBe(true);
    expect(checkScope({ ...claims, track: "*" }, { ...want, track: "x" }).ok).toBe(true);
    expect(checkScope(claims, { ...want, perm: "publish" })).toEqual({ ok: false, error: "forbidden", detail: "token grants subscribe, not publish" });
  });
});

describe("bearerToken()", () => {
  it("extracts the token of an Authorization: Bearer header", () => {
    expect(bearerToken("Bearer abc.def")).toBe("abc.def");
    expect(bearerToken("bearer  abc.def ")).toBe("abc.def");
    expect(bearerToken("Basic dXNlcg==")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
