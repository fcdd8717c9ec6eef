// The TURN probe's configuration from the agent's flags: `--ice-server` (the region's TURN
// server) with exactly one source of credentials, `--turn-secret-file` (TURN REST API
// shared secret; `--turn-user` names the probe in the derived usernames) or
// `--turn-credentials-file` (static username and password). Files are read through the
// injected reader, so this stays testable and free of process state.
import { ConfigError } from "../../core/errors.js";
import { parseCredentialFile, parseSecretFile, type CredentialSource } from "./credentials.js";
import { parseTurnServer } from "./ice-server.js";
import type { TurnProbeConfig } from "./turn-probe.js";

export interface TurnFlags {
  iceServer?: string | undefined;
  turnSecretFile?: string | undefined;
  turnCredentialsFile?: string | undefined;
  turnUser: string;
  relayOnly?: boolean | undefined;
}

/** undefined when no --ice-server is given (no TURN probe); throws ConfigError on a bad combination. */
export function turnProbeConfig(f: TurnFlags, read: (file: string) => string): TurnProbeConfig | undefined {
  if (f.iceServer === undefined) {
    for (const [flag, v] of [["--turn-secret-file", f.turnSecretFile], ["--turn-credentials-file", f.turnCredentialsFile], ["--relay-only", f.relayOnly === true ? "set" : undefined]] as const) {
      if (v !== undefined) throw new ConfigError(flag, v, "used with --ice-server turn:HOST:PORT");
    }
    return undefined;
  }
  const server = parseTurnServer("--ice-server", f.iceServer);
  if ((f.turnSecretFile === undefined) === (f.turnCredentialsFile === undefined)) {
    throw new ConfigError("--ice-server", f.iceServer, "exactly one of --turn-secret-file (TURN REST API shared secret) or --turn-credentials-file (username and password)");
  }
  let credentials: CredentialSource;
  if (f.turnSecretFile !== undefined) credentials = parseSecretFile("--turn-secret-file", readOrFail("--turn-secret-file", f.turnSecretFile, read), f.turnUser);
  else credentials = parseCredentialFile("--turn-credentials-file", readOrFail("--turn-credentials-file", f.turnCredentialsFile ?? "", read));
  return { server, credentials };
}

function readOrFail(flag: string, file: string, read: (file: string) => string): string {
  try {
    return read(file);
  } catch (err) {
    throw new ConfigError(flag, file, `a readable file (${err instanceof Error ? err.message : String(err)})`);
  }
}
