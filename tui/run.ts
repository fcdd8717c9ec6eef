// Mounts the dashboard on a terminal: the alternate screen (the user's scrollback is left
// as it was), raw keys, and a clean unmount on `q` that restores screen and cursor. The
// streams and clock are injected; only cli/ passes process.stdout/stdin.
import { render } from "ink";
import { createElement } from "react";
import type { Clock } from "../core/clock.js";
import { App } from "./components/App.js";
import type { ActionOps } from "./hooks/use-actions.js";
import type { AlertOps } from "./source/alertmanager-ops.js";
import type { DashboardSource } from "./source/dashboard-state.js";

export interface RunTuiOptions {
  source: DashboardSource;
  clock: Clock;
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
  /** Acknowledge and silence from the Alerts view (live only). */
  alertOps?: AlertOps | null;
  /** Mitigations from the Alerts and Regions views (live only). */
  actionOps?: ActionOps | null;
}

/** Runs until the user quits; resolves after the terminal is restored and the source closed. */
export async function runTui(options: RunTuiOptions): Promise<void> {
  const { source } = options;
  source.start();
  const instance = render(createElement(App, { source, clock: options.clock, alertOps: options.alertOps ?? null, actionOps: options.actionOps ?? null }), {
    stdout: options.stdout,
    stdin: options.stdin,
    stderr: options.stderr,
    // The caller checked for a TTY; Ink's own guess says "not interactive" whenever CI is
    // set in the environment, which would leave a plain log instead of a dashboard.
    interactive: true,
    alternateScreen: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  try {
    await instance.waitUntilExit();
  } finally {
    instance.cleanup();
    await source.close();
  }
}
