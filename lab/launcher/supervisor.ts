// Child processes of the lab (`relaywatch up`, the scenario runner): start with readiness
// checks, kill on demand (a scenario's `kill`), restart, and stop everything with no orphan
// left behind. Children get an IPC channel; relaywatch commands exit when it disconnects,
// so even a SIGKILLed launcher leaves nothing running (see cli/exit-with-parent.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { InvalidStateError, RelaywatchError } from "../../core/errors.js";
import { TypedEmitter } from "../../core/events.js";
import { silentLogger, type Logger } from "../../core/logger.js";

export interface ProcessSpec {
  name: string;
  command: string;
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** Polled until it answers 2xx: the process is ready. */
  readyUrl?: string;
}

export interface ProcessInfo {
  name: string;
  pid: number | null;
  running: boolean;
  restarts: number;
  logFile: string | null;
}

export type SupervisorEvents = {
  exit: [{ name: string; code: number | null; signal: NodeJS.Signals | null; expected: boolean }];
};

interface Managed {
  spec: ProcessSpec;
  child: ChildProcess | null;
  exited: Promise<void>;
  expectedExit: boolean;
  restarts: number;
  log: WriteStream | null;
  logFile: string | null;
}

/**
 * 30 s: a region node or the analyzer with the embedded store is up in 1–3 s on an idle
 * machine, but a mediasoup region (worker spawn and its header-extension calibration) took
 * 14 s on the 2-core machine at load average 20, and lab worlds failed on a 10 s wait. A
 * child that dies is reported at once (it exited before it was ready), so only a hung start
 * waits this long.
 */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** 5 s of SIGTERM grace: long enough to flush the store writer, short enough for Ctrl-C. */
export const DEFAULT_STOP_GRACE_MS = 5_000;
const READY_POLL_MS = 100;

export class Supervisor {
  readonly events: TypedEmitter<SupervisorEvents>;
  private readonly procs = new Map<string, Managed>();
  private readonly logger: Logger;
  private readonly logDir: string | null;
  private closed = false;

  constructor(options: { logger?: Logger; logDir?: string } = {}) {
    this.logger = (options.logger ?? silentLogger).child({ component: "supervisor" });
    this.logDir = options.logDir ?? null;
    if (this.logDir !== null) mkdirSync(this.logDir, { recursive: true });
    this.events = new TypedEmitter(this.logger);
  }

  /** Starts a process and, if it has a readyUrl, waits until it answers. */
  async start(spec: ProcessSpec, readyTimeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    if (this.closed) throw new InvalidStateError("supervisor is stopped");
    if (this.procs.get(spec.name)?.child != null) throw new RelaywatchError("invalid_state", `${spec.name} is already running`);
    const m: Managed = this.procs.get(spec.name) ?? { spec, child: null, exited: Promise.resolve(), expectedExit: false, restarts: 0, log: null, logFile: null };
    m.spec = spec;
    this.procs.set(spec.name, m);
    this.spawn(m);
    if (spec.readyUrl !== undefined) await this.waitReady(m, spec.readyUrl, readyTimeoutMs);
  }

  /**
   * Sends a signal (default SIGKILL, as a scenario's `kill`); the exit is expected. A
   * process that has not exited `graceMs` after a gentler signal is SIGKILLed.
   */
  async kill(name: string, signal: NodeJS.Signals = "SIGKILL", graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
    const m = this.get(name);
    const child = m.child;
    if (child === null) return;
    m.expectedExit = true;
    child.kill(signal);
    const timer = signal === "SIGKILL" ? null : setTimeout(() => child.kill("SIGKILL"), graceMs);
    await m.exited;
    if (timer !== null) clearTimeout(timer);
  }

  async restart(name: string, readyTimeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    const m = this.get(name);
    if (m.child !== null) await this.kill(name, "SIGTERM");
    m.restarts++;
    await this.start(m.spec, readyTimeoutMs);
  }

  info(): ProcessInfo[] {
    return [...this.procs.values()].map((m) => ({ name: m.spec.name, pid: m.child?.pid ?? null, running: m.child !== null, restarts: m.restarts, logFile: m.logFile }));
  }

  /** SIGTERM to all, SIGKILL to whatever is left after the grace period; resolves when all exited. */
  async stopAll(graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
    this.closed = true;
    const running = [...this.procs.values()].filter((m) => m.child !== null);
    for (const m of running) {
      m.expectedExit = true;
      m.child?.kill("SIGTERM");
    }
    const timer = setTimeout(() => {
      for (const m of running) m.child?.kill("SIGKILL");
    }, graceMs);
    await Promise.all(running.map((m) => m.exited));
    clearTimeout(timer);
    for (const m of this.procs.values()) m.log?.end();
  }

  private get(name: string): Managed {
    const m = this.procs.get(name);
    if (m === undefined) throw new RelaywatchError("not_found", `no process named ${name}`);
    return m;
  }

  private spawn(m: Managed): void {
    const { spec } = m;
    if (this.logDir !== null && m.log === null) {
      m.logFile = join(this.logDir, `${spec.name}.log`);
      m.log = createWriteStream(m.logFile, { flags: "a" });
    }
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      // Its own process group: a terminal's Ctrl-C (SIGINT to the foreground group) reaches the
      // launcher only, which stops its children once, in order. Were they in its group, they
      // would get the SIGINT and then the launcher's SIGTERM, a second signal (exit at once,
      // no clean close). A launcher that dies still takes them along (exitWithParent, IPC).
      detached: true,
    });
    m.child = child;
    m.expectedExit = false;
    const log = m.log;
    if (log !== null) {
      child.stdout?.pipe(log, { end: false });
      child.stderr?.pipe(log, { end: false });
    } else {
      child.stdout?.resume();
      child.stderr?.resume();
    }
    m.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        m.child = null;
        const expected = m.expectedExit;
        if (!expected) this.logger.warn({ name: spec.name, code, signal }, "spawn() | process exited unexpectedly");
        this.events.safeEmit("exit", { name: spec.name, code, signal, expected });
        resolve();
      });
    });
    child.once("error", (err) => {
      this.logger.error({ name: spec.name, error: err.message }, "spawn() | could not start process");
    });
  }

  private async waitReady(m: Managed, url: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (m.child === null) throw new RelaywatchError("invalid_state", `${m.spec.name} exited before it was ready${m.logFile === null ? "" : ` (see ${m.logFile})`}`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new RelaywatchError("timeout", `${m.spec.name} not ready at ${url} after ${timeoutMs} ms${m.logFile === null ? "" : ` (see ${m.logFile})`}`);
      await new Promise((r) => setTimeout(r, READY_POLL_MS));
    }
  }
}
