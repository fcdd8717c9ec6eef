// Checks a command runs before it opens anything (cli/lifecycle.ts): can it bind its port,
// write its data, start its media engine, reach the analyzer it needs. Each failure is one
// StartupError line naming the flag and the value (exit 1); bad values themselves are
// ConfigErrors (exit 2). These checks make failures early and clear; they do not replace
// handling the real failure later (a port can be taken between check and bind), which the
// closer stack does.
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { ConfigError, errorMessage } from "../core/errors.js";
import { mediasoupAvailable } from "../sfu/media/mediasoup/loader.js";
import { StartupError } from "./lifecycle.js";

/** 2 s to answer /healthz: an analyzer on a healthy network answers in milliseconds. */
export const REACHABLE_TIMEOUT_MS = 2_000;

/** HOST:PORT → parts; `flag` names the option in the error. */
export function parseHostPort(flag: string, value: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(value);
  const port = Number(m?.[2]);
  if (m === null || port > 65535) throw new ConfigError(flag, value, "HOST:PORT, e.g. 127.0.0.1:7101");
  return { host: (m[1] ?? "").replace(/^\[(.*)\]$/, "$1"), port };
}

/** Binds and releases `host:port`; port 0 (any free port) always passes. */
export async function checkPortFree(flag: string, host: string, port: number): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  const problem = await new Promise<string | null>((done) => {
    server.once("error", (err: NodeJS.ErrnoException) => { done(err.code === "EADDRINUSE" ? "address already in use" : err.code ?? err.message); });
    server.listen(port, host, () => { server.close(() => { done(null); }); });
  });
  if (problem !== null) throw new StartupError(`${flag} ${host}:${port}: ${problem}`);
}

/**
 * A directory this process can create or write: it exists and is writable, or its nearest
 * existing ancestor is a writable directory.
 */
export function checkWritableDir(flag: string, dir: string): void {
  let p = resolve(dir);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  let problem: string | null = null;
  if (!statSync(p).isDirectory()) problem = `${p} is not a directory`;
  else {
    try {
      accessSync(p, constants.W_OK | constants.X_OK);
    } catch {
      problem = `${p} is not writable`;
    }
  }
  if (problem !== null) throw new StartupError(`${flag} ${dir}: cannot write there (${problem})`);
}

/**
 * `--engine mediasoup` needs a worker binary here: the one mediasoup would run — the
 * MEDIASOUP_WORKER_BIN it is given, else its package's own. "auto" falls back to werift.
 */
export function checkEngineAvailable(flag: string, engine: string, workerBinEnv: string | undefined): void {
  if (engine !== "mediasoup") return;
  const found = mediasoupAvailable();
  if (!found.ok) throw new StartupError(`${flag} mediasoup: ${found.reason}`);
  if (workerBinEnv !== undefined && workerBinEnv !== "") {
    try {
      accessSync(workerBinEnv, constants.X_OK);
    } catch {
      throw new StartupError(`${flag} mediasoup: MEDIASOUP_WORKER_BIN=${workerBinEnv} is not an executable file`);
    }
  }
}

/** GET `url` answers 2xx within REACHABLE_TIMEOUT_MS; `signal` (a shutdown) aborts the wait. */
export async function checkReachable(flag: string, url: string, signal: AbortSignal, headers: Record<string, string> = {}): Promise<void> {
  let status: string;
  try {
    const res = await fetch(url, { headers, signal: AbortSignal.any([signal, AbortSignal.timeout(REACHABLE_TIMEOUT_MS)]) });
    await res.body?.cancel();
    if (res.ok) return;
    status = res.status === 401 || res.status === 403 ? `HTTP ${res.status}: the token was refused` : `HTTP ${res.status}`;
  } catch (err) {
    if (signal.aborted) throw err;
    const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
    status = typeof cause?.code === "string" ? cause.code : err instanceof Error && err.name === "TimeoutError" ? `no answer within ${REACHABLE_TIMEOUT_MS} ms` : errorMessage(err);
  }
  throw new StartupError(`${flag}: cannot reach ${url} (${status})`);
}

/** A secret from the environment, present and long enough; its value never appears in errors. */
export function requiredSecret(env: NodeJS.ProcessEnv, name: string, minBytes: number): string {
  const v = env[name];
  if (v === undefined || v === "") throw new ConfigError(name, v, `a secret of at least ${minBytes} bytes in the environment`);
  if (Buffer.byteLength(v) < minBytes) throw new ConfigError(name, `(${Buffer.byteLength(v)} bytes, hidden)`, `a secret of at least ${minBytes} bytes`);
  return v;
}
