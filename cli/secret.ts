// Secrets for the relaywatch commands: from an option, the environment (NAME), or a file
// (an option's file form, or NAME_FILE — as Docker and systemd credentials hand them over).
// The only place secrets are read from the environment or disk; values are never logged.
import { readFileSync } from "node:fs";
import { ConfigError } from "../core/errors.js";

export interface SecretSources {
  /** The option's value (`--analyzer-token`), when given. */
  value?: string | undefined;
  /** The file option's value (`--analyzer-token-file`), when given. */
  file?: string | undefined;
  /** The environment variable, e.g. RELAYWATCH_ANALYZER_TOKEN; NAME_FILE is read too. */
  env: string;
  /** The option names, for errors. */
  option: string;
}

/**
 * The secret from the first source that has one: option, file option, NAME, NAME_FILE.
 * A file's trailing newline is dropped; an empty or unreadable file is a ConfigError.
 */
export function readSecret(s: SecretSources, environment: NodeJS.ProcessEnv = process.env): string | undefined {
  if (s.value !== undefined && s.value !== "") return s.value;
  if (s.file !== undefined) return fromFile(`${s.option}-file`, s.file);
  const direct = environment[s.env];
  if (direct !== undefined && direct !== "") return direct;
  const file = environment[`${s.env}_FILE`];
  if (file !== undefined && file !== "") return fromFile(`${s.env}_FILE`, file);
  return undefined;
}

function fromFile(key: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(key, path, `a readable file holding the secret (${(err as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
  const secret = text.replace(/\r?\n$/, "");
  if (secret === "" || secret.includes("\n")) throw new ConfigError(key, path, "a file holding the secret on one line");
  return secret;
}
