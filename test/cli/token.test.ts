// `relaywatch token mint|inspect` through the real entry point: what it mints is a JWT jose
// verifies with the shared secret; what jose mints, it reads and verifies.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT, jwtVerify } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { TOKEN_AUDIENCE } from "../../sfu/auth/tokens.js";
import { runCli } from "../support/run-cli.js";

const SECRET = "cli-token-secret-0123456789-abcdefgh";
const KEY = new TextEncoder().encode(SECRET);
const dir = mkdtempSync(join(tmpdir(), "relaywatch-token-"));
const secretFile = join(dir, "secret");
writeFileSync(secretFile, `${SECRET}\n`);
/** No secret from the test runner's own environment. */
const NO_ENV = { RELAYWATCH_TOKEN_SECRET: "" };

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Each case starts the real CLI (a Node process loading every subcommand) once or more. */
const CLI_CASE_TIMEOUT_MS = 120_000;

describe("relaywatch token", { timeout: CLI_CASE_TIMEOUT_MS }, () => {
  it("mint prints an HS256 JWT that jose verifies with the shared secret, valid for --ttl", async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await runCli(["token", "mint", "--room", "live", "--track", "cam", "--perm", "publish", "--ttl", "1h30m", "--secret-file", secretFile], { env: NO_ENV });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { payload, protectedHeader } = await jwtVerify(r.stdout.trim(), KEY, { algorithms: ["HS256"], audience: TOKEN_AUDIENCE });
    expect(protectedHeader.alg).toBe("HS256");
    expect(payload).toMatchObject({ room: "live", track: "cam", perm: "publish", aud: TOKEN_AUDIENCE });
    expect(payload.exp).toBeGreaterThanOrEqual(before + 5400 - 1);
    expect(payload.exp).toBeLessThanOrEqual(before + 5400 + 60);
  });

  it("mint takes the secret from RELAYWATCH_TOKEN_SECRET, like the SFU", async () => {
    const r = await runCli(["token", "mint", "--room", "live", "--track", "*", "--perm", "subscribe"], { env: { RELAYWATCH_TOKEN_SECRET: SECRET } });
    expect(r.code).toBe(0);
    const { payload } = await jwtVerify(r.stdout.trim(), KEY, { audience: TOKEN_AUDIENCE });
    expect(payload).toMatchObject({ room: "live", track: "*", perm: "subscribe" });
  });

  it("mint without a secret, with a bad ttl, room or perm is a usage error (exit 2) naming the option", async () => {
    const shortSecret = join(dir, "short");
    writeFileSync(shortSecret, "short\n");
    const mint = (...args: string[]): ReturnType<typeof runCli> => runCli(["token", "mint", "--track", "cam", ...args], { env: NO_ENV });
    const [noSecret, badTtl, badRoom, badPerm, short] = await Promise.all([
      mint("--room", "live", "--perm", "publish"),
      mint("--room", "live", "--perm", "publish", "--ttl", "soon", "--secret-file", secretFile),
      mint("--room", "a/b", "--perm", "publish", "--secret-file", secretFile),
      mint("--room", "live", "--perm", "admin", "--secret-file", secretFile),
      mint("--room", "live", "--perm", "publish", "--secret-file", shortSecret),
    ]);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain("--secret-file or RELAYWATCH_TOKEN_SECRET");
    expect(badTtl.code).toBe(2);
    expect(badTtl.stderr).toContain('--ttl: got "soon"');
    expect(badRoom.code).toBe(2);
    expect(badRoom.stderr).toContain('--room: got "a/b"');
    expect(badPerm.code).toBe(2);
    expect(badPerm.stderr).toContain("admin");
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("at least 32 bytes");
    expect(short.stderr).not.toContain("short\n");
  });

  it("inspect prints the claims of a jose-minted token and verifies it with the secret", async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const jwt = await new SignJWT({ room: "live", track: "cam", perm: "subscribe", aud: TOKEN_AUDIENCE, exp }).setProtectedHeader({ alg: "HS256" }).sign(KEY);
    const r = await runCli(["token", "inspect", jwt, "--secret-file", secretFile], { env: NO_ENV });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`claims:   {"room":"live","track":"cam","perm":"subscribe","aud":"relaywatch","exp":${exp}}`);
    expect(r.stdout).toContain(`expires:  ${new Date(exp * 1000).toISOString()} (in `);
    expect(r.stdout).toContain("verified: yes\n");
    const unchecked = await runCli(["token", "inspect", jwt], { env: NO_ENV });
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout).toContain("verified: not checked");
  });

  it("inspect refuses a tampered token with the reason, exit 1; garbage is a usage error that does not echo it", async () => {
    const minted = await runCli(["token", "mint", "--room", "live", "--track", "cam", "--perm", "subscribe", "--secret-file", secretFile], { env: NO_ENV });
    const [header, , sig] = minted.stdout.trim().split(".");
    const forged = Buffer.from(JSON.stringify({ room: "live", track: "cam", perm: "publish", aud: TOKEN_AUDIENCE, exp: 4_000_000_000 })).toString("base64url");
    const r = await runCli(["token", "inspect", `${header}.${forged}.${sig}`, "--secret-file", secretFile], { env: NO_ENV });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('"perm":"publish"');
    expect(r.stdout).toContain("verified: no: bad_signature: signature does not match\n");
    const garbage = await runCli(["token", "inspect", "not-a-jwt-secretish"], { env: NO_ENV });
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain("<jwt>: got");
    expect(garbage.stderr).not.toContain("not-a-jwt-secretish");
  });
});
