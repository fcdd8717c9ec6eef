// Runs the real `relaywatch` entry point in a child process (the way users run it) and
// collects its output. For tests only.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const BIN = join(import.meta.dirname, "../../cli/bin.mjs");

export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited: its code (null if a signal ended it) and when its first stderr byte came. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; exitedAt: number; firstStderrAt: number | null }>;
}

/** Starts the real `relaywatch` entry point and leaves it running: for tests that signal it or watch it fail. */
export function startCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; ownProcessGroup?: boolean } = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    // Its own process group, as a shell gives a foreground job: `process.kill(-pid, …)` is a terminal's Ctrl-C.
    detached: options.ownProcessGroup === true,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let firstStderrAt: number | null = null;
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    firstStderrAt ??= Date.now();
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; exitedAt: number; firstStderrAt: number | null }>((resolve) => {
    child.once("close", (code, signal) => { resolve({ code, signal, exitedAt: Date.now(), firstStderrAt }); });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}
