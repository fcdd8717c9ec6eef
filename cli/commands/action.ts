// `relaywatch action …`: the on-call mitigations from the shell (issue 18), through the
// analyzer (POST /v1/actions), which calls the regions' admin APIs, records who/when/what
// and verifies the effect. Every action is shown first (what it will do, region by region)
// and runs only once confirmed: a y at the prompt, or --yes.
import { userInfo } from "node:os";
import { createInterface } from "node:readline/promises";
import { Command, Option } from "commander";
import type { ActionPlan, ActionRecord, ActionRequest } from "../../core/actions.js";
import { actionSettled, ActionsClient } from "../../core/actions-client.js";
import { ConfigError, RelaywatchError } from "../../core/errors.js";
import { runAction } from "../run-action.js";
import { readSecret } from "../secret.js";
import { applyTlsCa, tlsCaOption, type TlsOpts } from "../tls-options.js";

interface ActionOpts extends TlsOpts {
  analyzer?: string;
  token?: string;
  yes?: boolean;
  wait: boolean;
  actor?: string;
  json?: boolean;
}

/** 120 s: the analyzer verifies for up to 90 s (analyzer/actions/action-runner.ts), plus the calls themselves. */
const WAIT_LIMIT_MS = 120_000;
const POLL_MS = 1_000;

export function actionCommand(): Command {
  const cmd = new Command("action").description("On-call mitigations on the SFU's regions, through the analyzer: shown, confirmed, run, recorded and verified");
  const common = (c: Command): Command => c
    .addOption(new Option("--analyzer <url>", "the analyzer's API, e.g. http://127.0.0.1:7700").env("RELAYWATCH_ANALYZER_URL"))
    .addOption(new Option("--token <token>", "bearer token for the analyzer").env("RELAYWATCH_ANALYZER_TOKEN"))
    .addOption(tlsCaOption())
    .option("-y, --yes", "run without asking for confirmation")
    .option("--no-wait", "do not wait for the verification")
    .option("--actor <name>", "who runs it, for the record (default: the local user)")
    .option("--json", "print the action record as JSON");
  cmd.addCommand(common(new Command("loop-break"))
    .description("Break a relay loop: loop guard back on in the cycle's regions, their looped relays dropped and re-located from the origin")
    .option("--regions <list>", "the cycle's regions, comma-separated (the RelayLoop's regions label)")
    .option("--track <id>", "only this looped track (room/track)")
    .option("--keep-behaviours", "leave the regions' behaviours as they are (the next fresh tracks may loop again)")
    .action(runAction(async (o: ActionOpts & { regions?: string; track?: string; keepBehaviours?: boolean }) => {
      const regions = o.regions?.split(",").map((r) => r.trim()).filter((r) => r !== "");
      if (regions === undefined && o.track === undefined) throw new ConfigError("--regions/--track", "", "the cycle's regions (--regions a,b) or a looped track (--track room/track)");
      await act({ kind: "loop-break", ...(regions === undefined ? {} : { regions }), ...(o.track === undefined ? {} : { track: o.track }), ...(o.keepBehaviours === true ? { restoreLoopGuard: false } : {}) }, o);
    })));
  cmd.addCommand(common(new Command("override-isolation"))
    .description("Bring a falsely isolated region back online; its isolation policy decides again from then on")
    .argument("<region>")
    .action(runAction(async (region: string, o: ActionOpts) => { await act({ kind: "override-isolation", region }, o); })));
  cmd.addCommand(common(new Command("behaviours"))
    .description("Switch a region's legacy behaviours (none given: back to the defaults)")
    .argument("<region>")
    .argument("[behaviours...]", "announce-early, no-loop-guard, isolation=naive")
    .action(runAction(async (region: string, set: string[], o: ActionOpts) => { await act({ kind: "behaviours", region, set }, o); })));
  cmd.addCommand(common(new Command("drain"))
    .description("Drain a region: end every publish and subscribe session there")
    .argument("<region>")
    .action(runAction(async (region: string, o: ActionOpts) => { await act({ kind: "drain", region }, o); })));
  return cmd;
}

async function act(request: ActionRequest, o: ActionOpts): Promise<void> {
  if (o.analyzer === undefined) throw new ConfigError("--analyzer", "", "the analyzer's URL (or RELAYWATCH_ANALYZER_URL)");
  applyTlsCa(o);
  const client = new ActionsClient({ url: o.analyzer, token: o.token ?? readSecret({ env: "RELAYWATCH_ANALYZER_TOKEN", option: "--token" }), fetch: globalThis.fetch });
  const planned = await client.plan(request);
  if (!planned.ok) throw new RelaywatchError("invalid_state", `the analyzer will not plan it: ${planned.error}`);
  const out = o.json === true ? process.stderr : process.stdout;
  out.write(`${formatPlan(planned.value.plan).join("\n")}\n`);
  if (!planned.value.enabled) throw new RelaywatchError("invalid_state", "the analyzer has no SFU admin token (RELAYWATCH_ADMIN_TOKEN): actions are off");
  if (o.yes !== true && !(await confirm(out))) {
    out.write("not run\n");
    process.exitCode = 1;
    return;
  }
  const ran = await client.run(request, o.actor ?? userInfo().username);
  if (!ran.ok) throw new RelaywatchError("invalid_state", `the action was refused: ${ran.error}`);
  let a = ran.value;
  out.write(`${formatRecord(a).join("\n")}\n`);
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (o.wait && !actionSettled(a) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const got = await client.get(a.id);
    if (got.ok && (got.value.state !== a.state || got.value.verification !== a.verification)) {
      a = got.value;
      out.write(`  ${a.state}: ${a.verification}\n`);
    }
  }
  if (o.json === true) process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
  if (a.state === "failed" || a.state === "unverified") process.exitCode = 1;
}

async function confirm(out: NodeJS.WritableStream): Promise<boolean> {
  if (!process.stdin.isTTY) throw new ConfigError("--yes", "", "--yes to run without a terminal to confirm at");
  const rl = createInterface({ input: process.stdin, output: out });
  try {
    return /^y(es)?$/i.test((await rl.question("Run it? [y/N] ")).trim());
  } finally {
    rl.close();
  }
}

export function formatPlan(p: ActionPlan): string[] {
  const verify = [...p.verify.alerts.map((a) => `${a.name} resolves`), ...(p.verify.regions.length === 0 ? [] : [`every pair ${p.verify.pairs === "into" ? "into" : "into or out of"} ${p.verify.regions.join(", ")} is ok`])];
  return [
    `${p.kind} ${p.target}: ${p.summary}`,
    ...p.steps.map((s, i) => `  ${i + 1}. ${s.says}   (${s.method} ${s.path})`),
    `  verify: ${verify.length === 0 ? "nothing to verify (the calls' answers are the result)" : verify.join("; ")}`,
  ];
}

export function formatRecord(a: ActionRecord): string[] {
  return [
    `action ${a.id} by ${a.actor} at ${new Date(a.requestedAt).toISOString()}: ${a.state}`,
    ...a.steps.map((s) => `  ${s.ok ? "ok  " : "FAIL"} ${s.says} → HTTP ${s.status}${s.ok ? "" : ` ${s.detail}`}`),
    ...(a.verification === "" ? [] : [`  ${a.verification}`]),
  ];
}
