import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { bearerToken, issueToken, verifyToken, type TokenClaims } from "./tokens.js";

const SECRET = "s3cret-s3cret-s3cret-s3cret-s3cret!";
const NOW = 1_700_000_000_000;
const claims: TokenClaims = { room: "probe", track: "us-west", perm: "subscribe", exp: NOW + 60_000 };
const want = { room: "probe", track: "us-west", perm: "subscribe" } as const;

describe("verifyToken()", () => {
  it("accepts a token issued with the same secret for this room, track and permission", () => {
    const r = verifyToken(SECRET, issueToken(SECRET, claims), want, NOW);
    expect(r).toEqual({ ok: true, claims });
  });

  it("accepts track '*' for any track of the room", () => {
    const token = issueToken(SECRET, { ...claims, track: "*" });
    expect(verifyToken(SECRET, token, { ...want, track: "eu-west" }, NOW).ok).toBe(true);
  });

  it("refuses a missing token as missing", () => {
    for (const t of [undefined, null, ""]) expect(verifyToken(SECRET, t, want, NOW)).toMatchObject({ ok: false, error: "missing" });
  });

  it("refuses garbage as malformed", () => {
    for (const t of ["abc", "a.b.c", "a.", ".b", "a b.c", "x".repeat(5000)]) {
      expect(verifyToken(SECRET, t, want, NOW)).toMatchObject({ ok: false, error: "malformed" });
    }
  });

  it("refuses a token signed with another secret as bad_signature", () => {
    const token = issueToken("another-secret-another-secret-another", claims);
    expect(verifyToken(SECRET, token, want, NOW)).toMatchObject({ ok: false, error: "bad_signature" });
  });

  it("refuses forged claims under a real signature as bad_signature", () => {
    const [, sig] = issueToken(SECRET, claims).split(".");
    const forged = Buffer.from(JSON.stringify({ ...claims, perm: "publish" })).toString("base64url");
    expect(verifyToken(SECRET, `${forged}.${sig}`, { ...want, perm: "publish" }, NOW)).toMatchObject({ ok: false, error: "bad_signature" });
  });

  it("refuses a token from its expiry instant on", () => {
    const token = issueToken(SECRET, claims);
    expect(verifyToken(SECRET, token, want, claims.exp - 1).ok).toBe(true);
    expect(verifyToken(SECRET, token, want, claims.exp)).toMatchObject({ ok: false, error: "expired" });
  });

  it("refuses another room, track or permission as forbidden", () => {
    const token = issueToken(SECRET, claims);
    expect(verifyToken(SECRET, token, { ...want, room: "other" }, NOW)).toMatchObject({ ok: false, error: "forbidden" });
    expect(verifyToken(SECRET, token, { ...want, track: "eu-west" }, NOW)).toMatchObject({ ok: false, error: "forbidden" });
    expect(verifyToken(SECRET, token, { ...want, perm: "publish" }, NOW)).toMatchObject({ ok: false, error: "forbidden" });
  });

  it("never accepts a token whose bytes were changed", () => {
    const token = issueToken(SECRET, claims);
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom("A", "B", "c", "0", "9", "-", "_", "."), (i, ch) => {
        fc.pre(token[i] !== ch);
        const changed = token.slice(0, i) + ch + token.slice(i + 1);
        const r = verifyToken(SECRET, changed, want, NOW);
        // base64url's last character may carry unused bits: same bytes, same token.
        if (r.ok) expect(Buffer.from(changed.split(".")[1] ?? "", "base64url")).toEqual(Buffer.from(token.split(".")[1] ?? "", "base64url"));
      }),
    );
  });

  it("refuses secrets shorter than 32 bytes, naming the problem but not the secret", () => {
    expect(() => issueToken("short", claims)).toThrow(ConfigError);
    expect(() => verifyToken("short", "a.b", want, NOW)).toThrow(/at least 32 bytes/);
    expect(() => issueToken("short", claims)).not.toThrow(/short/);
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
