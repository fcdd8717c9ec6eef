// The lifecycle wrapper in-process: exit codes by outcome, closes in reverse, a hung close
// bounded by the deadline, the first signal ending a service (delivered as the process
// event the real signal raises). The real processes are in test/cli/.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../core/errors.js";
import { StartupError, lifecycleAction } from "./lifecycle.js";

let stderr = "";
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  stderr = "";
});

function captureStderr(): void {
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
}

describe("lifecycleAction", () => {
  it("a configuration error is one line and exit 2; what was opened is closed in reverse", async () => {
    captureStderr();
    const closed: string[] = [];
    await lifecycleAction({ kind: "service" }, async (life) => {
      life.closers.push("first", () => { closed.push("first"); });
      life.closers.push("second", () => { closed.push("second"); });
      await Promise.resolve();
      throw new ConfigError("--listen", "nowhere", "HOST:PORT");
    })();
    expect(process.exitCode).toBe(2);
    expect(stderr).toBe('relaywatch: --listen: got "nowhere", expected HOST:PORT\n');
    expect(closed).toEqual(["second", "first"]);
  });

  it("a startup error is exit 1; a task's own code is kept", async () => {
    captureStderr();
    await lifecycleAction({ kind: "service" }, () => Promise.reject(new StartupError("--listen 127.0.0.1:1: address already in use")))();
    expect(process.exitCode).toBe(1);
    await lifecycleAction({ kind: "task" }, () => Promise.resolve(3))();
    expect(process.exitCode).toBe(3);
  });

  it("a close that hangs is given up on at the deadline: exit 1 with a line saying so", async () => {
    captureStderr();
    const t0 = Date.now();
    await lifecycleAction({ kind: "service", closeDeadlineMs: 300 }, async (life) => {
      life.closers.push("hangs", () => new Promise<void>(() => undefined));
      await Promise.resolve();
      return 0;
    })();
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(process.exitCode).toBe(1);
    expect(stderr).toBe("relaywatch: while stopping: not everything closed within 300 ms (still closing: hangs); exiting anyway\n");
  });

  it("the first SIGTERM ends a service (exit 0) and a task (143), closing what was open; handlers are removed after", async () => {
    const listeners = process.listenerCount("SIGTERM");
    for (const [kind, code] of [["service", 0], ["task", 143]] as const) {
      const closed: string[] = [];
      const run = lifecycleAction({ kind }, async (life) => {
        life.closers.push("server", () => { closed.push("server"); });
        await life.stopped;
      })();
      await new Promise((r) => setTimeout(r, 10));
      process.emit("SIGTERM", "SIGTERM");
      await run;
      expect(process.exitCode).toBe(code);
      expect(closed).toEqual(["server"]);
    }
    expect(process.listenerCount("SIGTERM")).toBe(listeners);
  });
});
