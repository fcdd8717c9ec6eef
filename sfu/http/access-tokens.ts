// The seam between signaling and bearer-token checking (sfu/auth/tokens.ts: HS256 JWTs,
// verified with jose, asynchronously): WHIP needs `publish`, WHEP `subscribe`, for one room/track.
export type TokenAction = "publish" | "subscribe";

export type TokenCheck = { ok: true } | { ok: false; error: string; detail: string };

export interface AccessTokenVerifier {
  /** `authorization` is the raw header value (`Bearer ...`), undefined when absent. */
  verify(authorization: string | undefined, want: { room: string; track: string; action: TokenAction }): Promise<TokenCheck>;
}
