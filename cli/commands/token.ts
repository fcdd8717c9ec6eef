// `relaywatch token mint|inspect`: WHIP/WHEP bearer tokens (HS256 JWTs, sfu/auth/tokens.ts)
// from the command line. The secret comes from --secret-file or RELAYWATCH_TOKEN_SECRET, like
// the SFU's; neither the secret nor (in errors) the token is ever printed.
// `relaywatch token agent`: a probe agent's ingest token (analyzer/ingest/agent-token.ts),
// derived from the analyzer token (--secret-file or RELAYWATCH_ANALYZER_TOKEN[_FILE]).
import { readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { systemClock } from "../../core/clock.js";
import { DURATION_EXAMPLES, formatDuration, parseDuration } from "../../core/duration.js";
import { ConfigError } from "../../core/errors.js";
import { issueAgentToken } from "../../analyzer/ingest/agent-token.js";
import { regionSchema } from "../../core/region.js";
import { readSecret as readAnalyzerSecret } from "../secret.js";
import { TOKEN_PERMS, issueToken, tokenClaimsSchema, verifyTokenClaims, type TokenPerm } from "../../sfu/auth/tokens.js";
import { runAction } from "../run-action.js";

const SECRET_ENV = "RELAYWATCH_TOKEN_SECRET";
const ANALYZER_TOKEN_ENV = "RELAYWATCH_ANALYZER_TOKEN";
/** The analyzer refuses a shorter token (core/config.ts analyzer.token), so no agent token is minted from one. */
const ANALYZER_TOKEN_MIN_CHARS = 16;

interface MintOpts {
  room: string;
  track: string;
  perm: TokenPerm;
  ttl: string;
  secretFile?: string;
}

export function tokenCommand(): Command {
  const cmd = new Command("token").description("WHIP/WHEP bearer tokens (HS256 JWTs): mint one, or inspect one; probe agent ingest tokens");
  cmd
    .command("mint")
    .description("Print a token for one room and track (or '*', every track of the room)")
    .requiredOption("--room <room>", "the room, e.g. live")
    .requiredOption("--track <track>", "the track name, or '*' for any track in the room")
    .addOption(new Option("--perm <perm>", "what the token grants").choices(TOKEN_PERMS).makeOptionMandatory())
    .option("--ttl <duration>", `how long the token is valid: ${DURATION_EXAMPLES}`, "1h")
    .option("--secret-file <file>", `a file holding the SFU's token secret (default: $${SECRET_ENV})`)
    .addHelpText("after", `\nExample: relaywatch token mint --room live --track cam --perm publish --ttl 30m\nAny JWT tool can mint the same: HS256, claims {room, track, perm, aud: "relaywatch", exp}.`)
    .action(
      runAction((opts: MintOpts) => {
        const secret = readSecret(opts.secretFile);
        if (secret === undefined) throw new ConfigError(`--secret-file or ${SECRET_ENV}`, undefined, "the SFU's token secret (at least 32 bytes)");
        const ttl = parseDuration(opts.ttl);
        if (ttl === null || ttl < 1000) throw new ConfigError("--ttl", opts.ttl, `${DURATION_EXAMPLES}, at least 1s`);
        const room = checkedName("--room", opts.room, tokenClaimsSchema.shape.room);
        const track = checkedName("--track", opts.track, tokenClaimsSchema.shape.track);
        process.stdout.write(`${issueToken(secret, { room, track, perm: opts.perm, exp: systemClock.now() + ttl })}\n`);
        return Promise.resolve();
      }),
    );

  cmd
    .command("inspect")
    .description("Print a token's header and claims, and whether it verifies (when a secret is given)")
    .argument("<jwt>", "the token")
    .option("--secret-file <file>", `a file holding the SFU's token secret (default: $${SECRET_ENV}); without one the signature is not checked`)
    .action(
      runAction(async (jwt: string, opts: { secretFile?: string }) => {
        const decoded = decode(jwt.trim());
        const now = systemClock.now();
        process.stdout.write(`header:   ${JSON.stringify(decoded.header)}\n`);
        process.stdout.write(`claims:   ${JSON.stringify(decoded.claims)}\n`);
        const exp = decoded.claims["exp"];
        if (typeof exp === "number") {
          const left = exp * 1000 - now;
          const span = formatDuration(Math.max(1, Math.round(Math.abs(left) / 1000)) * 1000);
          process.stdout.write(`expires:  ${new Date(exp * 1000).toISOString()} (${left > 0 ? `in ${span}` : `${span} ago`})\n`);
        }
        const secret = readSecret(opts.secretFile);
        if (secret === undefined) {
          process.stdout.write(`verified: not checked (no secret: --secret-file or ${SECRET_ENV})\n`);
          return;
        }
        const r = await verifyTokenClaims(secret, jwt.trim(), now);
        if (r.ok) {
          process.stdout.write("verified: yes\n");
          return;
        }
        process.stdout.write(`verified: no: ${r.error}: ${r.detail}\n`);
        process.exitCode = 1;
      }),
    );
  cmd.addCommand(agentTokenCommand());
  return cmd;
}

function agentTokenCommand(): Command {
  return new Command("agent")
    .description("Print the ingest token of one region's probe agent (derived from the analyzer token)")
    .requiredOption("--region <region>", "the probe agent's region, e.g. eu-central")
    .option("--secret-file <file>", `a file holding the analyzer token (default: $${ANALYZER_TOKEN_ENV} or $${ANALYZER_TOKEN_ENV}_FILE)`)
    .addHelpText("after", "\nExample: relaywatch token agent --region eu-central --secret-file /etc/relaywatch/credentials/analyzer.token\nThe token only reports probe pairs of its region; rotating the analyzer token revokes it.")
    .action(
      runAction((opts: { region: string; secretFile?: string }) => {
        const secret = readAnalyzerSecret({ file: opts.secretFile, env: ANALYZER_TOKEN_ENV, option: "--secret" });
        if (secret === undefined) throw new ConfigError(`--secret-file or ${ANALYZER_TOKEN_ENV}`, undefined, "the analyzer token");
        if (secret.length < ANALYZER_TOKEN_MIN_CHARS) throw new ConfigError(opts.secretFile === undefined ? ANALYZER_TOKEN_ENV : "--secret-file", `${secret.length} characters`, `an analyzer token of at least ${ANALYZER_TOKEN_MIN_CHARS} characters`);
        const region = regionSchema.safeParse(opts.region);
        if (!region.success) throw new ConfigError("--region", opts.region, "a region name like eu-central (lowercase letters, digits, dashes)");
        process.stdout.write(`${issueAgentToken(secret, region.data)}\n`);
        return Promise.resolve();
      }),
    );
}

function decode(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  try {
    return { header: decodeProtectedHeader(jwt), claims: decodeJwt(jwt) };
  } catch {
    throw new ConfigError("<jwt>", `${jwt.length} characters`, "a JWT: three base64url parts (header.claims.signature), header and claims JSON objects");
  }
}

/** The secret from the file (one trailing newline dropped, as `echo` writes it) or the environment. */
function readSecret(file: string | undefined): string | undefined {
  if (file !== undefined) {
    try {
      return readFileSync(file, "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      throw new ConfigError("--secret-file", file, `a readable file (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  const v = process.env[SECRET_ENV];
  return v === undefined || v === "" ? undefined : v;
}

function checkedName(key: string, value: string, schema: { safeParse(v: unknown): { success: boolean } }): string {
  if (!schema.safeParse(value).success) throw new ConfigError(key, value, "a URL-safe name of 1-128 characters (A-Z a-z 0-9 . _ ~ -)");
  return value;
}
