// `relaywatch tui`: the on-call dashboard, live from an analyzer or replayed from the store.
// The only place the TUI meets process streams, the environment and the real clock.
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import { Command, Option } from "commander";
import { systemClock } from "../../core/clock.js";
import { ConfigError } from "../../core/errors.js";
import { openStore } from "../../store/open.js";
import { describeLocation, parseStoreUrl } from "../../store/url.js";
import { parseReplayTime, parseSpeed } from "../../tui/replay-args.js";
import type { RunTuiOptions } from "../../tui/run.js";
import { LiveAlertOps } from "../../tui/source/alertmanager-ops.js";
import { ActionsClient } from "../../core/actions-client.js";
import { LiveSource } from "../../tui/source/live-source.js";
import { ReplaySource } from "../../tui/source/replay-source.js";
import { StartupError, lifecycleAction, type Life } from "../lifecycle.js";
import { checkReachable } from "../preflight.js";
import { readSecret } from "../secret.js";
import { applyTlsCa, tlsCaOption, type TlsOpts } from "../tls-options.js";

interface TuiOpts extends TlsOpts {
  analyzer?: string;
  token?: string;
  store?: string;
  at?: string;
  speed: string;
  alertmanager?: string;
  user?: string;
  runbookBaseUrl?: string;
}

export function tuiCommand(): Command {
  return new Command("tui")
    .description("On-call terminal dashboard: live from an analyzer, or replayed from the store")
    .addOption(new Option("--analyzer <url>", "live: the analyzer's API, e.g. http://127.0.0.1:7700").env("RELAYWATCH_ANALYZER_URL"))
    .addOption(new Option("--token <token>", "bearer read token for the analyzer").env("RELAYWATCH_ANALYZER_TOKEN"))
    .addOption(tlsCaOption())
    .addOption(new Option("--store <url>", "replay: a store directory (embedded chdb) or http://user:pass@host:8123/db"))
    .option("--at <time>", "replay: where to start: ISO time (2024-02-07T19:25:00Z), epoch ms, or a duration ago (-15m)")
    .option("--speed <speed>", "replay: playback speed (space plays/pauses)", "10x")
    .addOption(new Option("--alertmanager <url>", "live: the Alertmanager to silence alerts in (s, S in the Alerts view), e.g. http://127.0.0.1:9093").env("RELAYWATCH_ALERTMANAGER_URL"))
    .addOption(new Option("--user <name>", "who acknowledges and silences (default: your login name)").env("RELAYWATCH_USER"))
    .addOption(new Option("--runbook-base-url <url>", "where runbook links point: <url>/<AlertName>.md (default: this installation's docs/runbooks)").env("RELAYWATCH_RUNBOOK_BASE_URL"))
    .addHelpText("after", "\nKeys: tab/1-4 views, arrows move, Enter opens, m latency/loss, / filter, ? help, q quits.\nAlerts: a acknowledge, s silence (Alertmanager), S silences (x expires).\nReplay: , . step 1 s, [ ] 10 s, { } 1 min, space play/pause.")
    .action(lifecycleAction({ kind: "service" }, runTuiCommand));
}

/** Flags, terminal and (live) the analyzer answering: checked before the dashboard opens. */
async function runTuiCommand(life: Life, opts: TuiOpts): Promise<void> {
  if ((opts.analyzer === undefined) === (opts.store === undefined)) throw new ConfigError("--analyzer/--store", opts.analyzer ?? opts.store, "exactly one of --analyzer URL (live) or --store URL|PATH --at TIME (replay)");
  if (opts.analyzer !== undefined && !/^https?:\/\//.test(opts.analyzer)) throw new ConfigError("--analyzer", opts.analyzer, "an http:// or https:// URL");
  const replay = opts.store === undefined ? null : planReplay(opts.store, opts);
  applyTlsCa(opts);
  const token = opts.token ?? readSecret({ env: "RELAYWATCH_ANALYZER_TOKEN", option: "--token" });
  // With the token the dashboard will use: an analyzer that refuses it is found here, not after the screen opens.
  if (opts.analyzer !== undefined) await checkReachable("--analyzer", `${opts.analyzer.replace(/\/$/, "")}/healthz`, life.abort, token === undefined ? {} : { authorization: `Bearer ${token}` });
  if (!process.stdout.isTTY || !process.stdin.isTTY) throw new ConfigError("terminal", "not a TTY", "an interactive terminal on stdin and stdout");
  const runTui = await loadRenderer();
  const streams = { stdout: process.stdout, stdin: process.stdin, stderr: process.stderr, clock: systemClock };
  if (replay === null) {
    const actionOps = { client: new ActionsClient({ url: opts.analyzer ?? "", token, fetch: globalThis.fetch }), user: opts.user ?? userInfo().username };
    await runTui({ ...streams, alertOps: liveAlertOps(opts, opts.analyzer ?? "", token), actionOps, source: new LiveSource({ url: opts.analyzer ?? "", token, fetch: globalThis.fetch, clock: systemClock }) });
    return;
  }
  const store = await life.closers.open("store", () => openStore({ url: replay.url }), (s) => s.close());
  await runTui({ ...streams, source: new ReplaySource({ store, at: replay.at, speed: replay.speed, clock: systemClock, label: describeLocation(parseStoreUrl(replay.url)) }) });
}

/** Acknowledge (the analyzer) and silences (--alertmanager, checked here), as --user. */
function liveAlertOps(opts: TuiOpts, analyzerUrl: string, token: string | undefined): LiveAlertOps {
  if (opts.alertmanager !== undefined && !/^https?:\/\//.test(opts.alertmanager)) throw new ConfigError("--alertmanager", opts.alertmanager, "an http:// or https:// URL");
  if (opts.runbookBaseUrl !== undefined && !URL.canParse(opts.runbookBaseUrl)) throw new ConfigError("--runbook-base-url", opts.runbookBaseUrl, "an absolute URL");
  const user = opts.user ?? userInfo().username;
  return new LiveAlertOps({ analyzerUrl, token, user, alertmanagerUrl: opts.alertmanager, runbookBaseUrl: opts.runbookBaseUrl, fetch: globalThis.fetch });
}

/** Replay needs --at, a speed, and a store that exists (an embedded one is never created here). */
function planReplay(url: string, opts: TuiOpts): { url: string; at: number; speed: number } {
  if (opts.at === undefined) throw new ConfigError("--at", undefined, "a time to replay from, with --store");
  const at = parseReplayTime(opts.at, systemClock.now());
  const speed = parseSpeed(opts.speed);
  const loc = parseStoreUrl(url, "--store");
  if (loc.kind === "chdb" && !existsSync(loc.path)) throw new StartupError(`--store ${loc.path}: no store there`);
  return { url, at, speed };
}

/**
 * Loads Ink and React for production unless told otherwise: React's development build
 * costs about 5x per render (element validation, component tracing), which a 20-region
 * mesh at one update per second can feel. Loaded lazily so NODE_ENV is set first.
 */
async function loadRenderer(): Promise<(options: RunTuiOptions) => Promise<void>> {
  process.env["NODE_ENV"] ??= "production";
  const { runTui } = await import("../../tui/run.js");
  return runTui;
}
