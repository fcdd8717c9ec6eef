// `relaywatch lab wan show|set|partition|isolate|link-down|link-up|heal`: the WAN
// emulator's controls, spoken to its HTTP control API (lab/wan/control-server.ts). Never
// talks to region processes; a control API that cannot be reached is one clear line and
// exit code 1.
import { Command, Option } from "commander";
import { ConfigError, errorMessage } from "../../core/errors.js";
import { formatDuration, parseDuration } from "../../core/duration.js";
import { parseBandwidth } from "../../lab/wan/link-params.js";
import type { SetLinkBody } from "../../lab/wan/control-schema.js";
import type { LinkView } from "../../lab/wan/wan-link.js";
import { formatTable } from "../format-table.js";
import { EXIT_FAILURE, EXIT_OK, lifecycleAction, type Life } from "../lifecycle.js";

/** 5 s: the control API answers from memory; longer means it is wedged or not there. */
const REQUEST_TIMEOUT_MS = 5000;

/** The control API could not be reached or refused the request. */
class WanControlError extends Error {
  override name = "WanControlError";
}

interface UrlOpts {
  url: string;
}

interface SetOpts extends UrlOpts {
  from: string;
  to: string;
  latency?: string;
  jitter?: string;
  loss?: string;
  burst?: string;
  bandwidth?: string;
  reorder?: boolean;
  down?: boolean;
  up?: boolean;
  both?: boolean;
}

function urlOption(): Option {
  return new Option("--url <url>", "the WAN emulator's control API, e.g. http://127.0.0.1:7800").env("RELAYWATCH_WAN_URL").makeOptionMandatory();
}

/** A task (cli/lifecycle.ts): SIGTERM/SIGINT end it at once with 128+n; an unreachable control API is exit 1. */
function wanAction<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return lifecycleAction({ kind: "task" }, async (_life: Life, ...args: A) => {
    try {
      await fn(...args);
      return EXIT_OK;
    } catch (err) {
      if (!(err instanceof WanControlError)) throw err;
      process.stderr.write(`relaywatch lab wan: ${err.message}\n`);
      return EXIT_FAILURE;
    }
  });
}

async function callControl(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  let url: URL;
  try {
    url = new URL(path, base);
  } catch {
    throw new ConfigError("--url", base, "an http URL like http://127.0.0.1:7800");
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new WanControlError(`cannot reach the WAN emulator at ${base} (${describeFetchError(err)}); is the lab running, and is --url its control API?`);
  }
  const text = await res.text();
  let parsed: unknown = null;
  if (text !== "") {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new WanControlError(`${base} answered ${res.status} with something other than JSON: is --url the WAN emulator's control API?`);
    }
  }
  if (!res.ok) {
    const e = parsed as { error?: unknown; detail?: unknown } | null;
    const detail = typeof e?.detail === "string" ? e.detail : JSON.stringify(e?.detail ?? text);
    const code = typeof e?.error === "string" ? e.error : "error";
    throw new WanControlError(`${method} ${path} failed: ${res.status} ${code}: ${detail}`);
  }
  return parsed;
}

function describeFetchError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === "string") return cause.code;
  if (err instanceof Error && err.name === "TimeoutError") return `no answer within ${REQUEST_TIMEOUT_MS} ms`;
  return errorMessage(err);
}

function durationArg(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new ConfigError(flag, text, "a duration like 70ms or 1.5s");
  return ms;
}

function numberArg(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < min || n > max) throw new ConfigError(flag, text, `a number from ${min} to ${max}`);
  return n;
}

/** Builds the PUT body from the flags; exported for tests. */
export function setBodyFromOptions(o: SetOpts): SetLinkBody {
  const body: SetLinkBody = {};
  if (o.latency !== undefined) body.latency = durationArg("--latency", o.latency);
  if (o.jitter !== undefined) body.jitter = durationArg("--jitter", o.jitter);
  if (o.loss !== undefined) body.loss = numberArg("--loss", o.loss, 0, 1);
  if (o.burst !== undefined) body.burst = numberArg("--burst", o.burst, 1, 10_000);
  if (o.bandwidth !== undefined) {
    const bps = /^\d+(\.\d+)?$/.test(o.bandwidth) ? Number(o.bandwidth) : parseBandwidth(o.bandwidth);
    if (bps === null) throw new ConfigError("--bandwidth", o.bandwidth, "bits/s or a rate like 512kbit, 10mbit (0 = unlimited)");
    body.bandwidth = bps;
  }
  if (o.reorder !== undefined) body.reorder = o.reorder;
  if (o.down === true) body.down = true;
  if (o.up === true) body.down = false;
  if (Object.keys(body).length === 0) {
    throw new ConfigError("options", "none", "at least one of --latency, --jitter, --loss, --burst, --bandwidth, --reorder, --down, --up");
  }
  if (o.both === true) body.both = true;
  return body;
}

function linkRows(links: readonly LinkView[]): Array<Record<string, unknown>> {
  return links.map((l) => ({
    from: l.from,
    to: l.to,
    latency: formatDuration(l.latencyMs),
    jitter: l.jitterMs === 0 ? "-" : formatDuration(l.jitterMs),
    loss: l.loss === 0 ? "-" : `${+(l.loss * 100).toFixed(3)}%${l.burst > 1 ? ` (bursts of ${l.burst})` : ""}`,
    bandwidth: l.bandwidthBps === 0 ? "-" : `${+(l.bandwidthBps / 1e6).toFixed(3)}mbit`,
    state: l.effectiveDown ? `DOWN${l.cutBy.length > 0 ? ` (${l.cutBy.join(", ")})` : ""}` : "up",
    http: l.httpProxyPort ?? "-",
    relayBase: l.relayProxyBase ?? "-",
  }));
}

function printLinks(links: readonly LinkView[]): void {
  process.stdout.write(formatTable(linkRows(links)));
}

function wanCommand(): Command {
  const wan = new Command("wan").description("Inspect and change the emulated WAN between lab regions");
  addWanShow(wan);
  addWanSet(wan);
  addWanCuts(wan);
  wan
    .command("heal")
    .description("Remove every partition and isolation and bring every link up")
    .addOption(urlOption())
    .action(
      wanAction(async (o: UrlOpts) => {
        await callControl(o.url, "POST", "/v1/heal");
        process.stdout.write("healed: no active cuts, every link up\n");
      }),
    );
  return wan;
}

function addWanShow(wan: Command): void {
  wan
    .command("show")
    .description("Every directed link with its latency, jitter, loss, bandwidth and state, and the active cuts")
    .addOption(urlOption())
    .option("--json", "print the control API's JSON")
    .action(
      wanAction(async (o: UrlOpts & { json?: boolean }) => {
        const body = (await callControl(o.url, "GET", "/v1/links")) as { links: LinkView[]; cuts: Array<{ id: string; names: string[] }> };
        if (o.json === true) {
          process.stdout.write(`${JSON.stringify(body)}\n`);
          return;
        }
        printLinks(body.links);
        for (const c of body.cuts) process.stdout.write(`active: ${c.id} [${c.names.join(", ")}]\n`);
      }),
    );
}

function addWanSet(wan: Command): void {
  wan
    .command("set")
    .description("Change one directed link (--both for the reverse direction too); unchanged settings stay")
    .addOption(urlOption())
    .requiredOption("--from <endpoint>", "sending side, e.g. us-west")
    .requiredOption("--to <endpoint>", "receiving side, e.g. eu-central")
    .option("--latency <duration>", "one-way latency, e.g. 70ms")
    .option("--jitter <duration>", "delay varies within ± this, e.g. 5ms")
    .option("--loss <ratio>", "share of packets lost, 0..1, e.g. 0.01")
    .option("--burst <packets>", "mean loss-burst length (1 = independent loss)")
    .option("--bandwidth <rate>", "cap, e.g. 10mbit, 512kbit, or bits/s; 0 = unlimited")
    .option("--reorder", "let jitter reorder datagrams")
    .addOption(new Option("--down", "take the link down").conflicts("up"))
    .addOption(new Option("--up", "bring the link back up").conflicts("down"))
    .option("--both", "apply to to→from as well")
    .action(
      wanAction(async (o: SetOpts) => {
        const body = setBodyFromOptions(o);
        const path = `/v1/links/${encodeURIComponent(o.from)}/${encodeURIComponent(o.to)}`;
        const res = (await callControl(o.url, "PUT", path, body)) as { links: LinkView[] };
        printLinks(res.links);
      }),
    );
}

/** partition, isolate, link-down, link-up: the cuts, as the control API names them. */
function addWanCuts(wan: Command): void {
  for (const kind of ["partition", "isolate"] as const) {
    wan
      .command(`${kind} <regions...>`)
      .description(
        kind === "partition"
          ? "Cut regions off from the other regions (the analyzer and probes still reach them)"
          : "Cut regions off from everything that goes through the emulator, analyzer included",
      )
      .addOption(urlOption())
      .option("--for <duration>", "heal by itself after this long, e.g. 3s")
      .action(
        wanAction(async (regions: string[], o: UrlOpts & { for?: string }) => {
          const body = { regions, ...(o.for === undefined ? {} : { for: durationArg("--for", o.for) }) };
          const res = (await callControl(o.url, "POST", `/v1/${kind}`, body)) as { cut: { id: string } };
          process.stdout.write(`${res.cut.id} applied${o.for === undefined ? " until healed" : ` for ${o.for}`}\n`);
        }),
      );
  }

  for (const [name, path] of [
    ["link-down", "/v1/link-down"],
    ["link-up", "/v1/link-up"],
  ] as const) {
    wan
      .command(`${name} <a> <b>`)
      .description(name === "link-down" ? "Take both directions between a and b down" : "Bring both directions between a and b back up")
      .addOption(urlOption())
      .option("--for <duration>", "link-down only: bring it back up after this long")
      .action(
        wanAction(async (a: string, b: string, o: UrlOpts & { for?: string }) => {
          const body = { between: [a, b], ...(o.for === undefined || name === "link-up" ? {} : { for: durationArg("--for", o.for) }) };
          const res = (await callControl(o.url, "POST", path, body)) as { links: LinkView[] };
          printLinks(res.links);
        }),
      );
  }
}

export function labCommand(): Command {
  return new Command("lab").description("Lab tools: the WAN emulator's controls").addCommand(wanCommand());
}
