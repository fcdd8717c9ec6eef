// The CLI's conventions, checked on every subcommand: help texts read complete (no
// description cut mid-sentence, no pointer to a DESIGN file users do not have), and usage
// errors exit 2 with one line naming the flag or key, the bad value and what is expected —
// never a stack trace. Help is read in-process from the command objects; errors through the
// real entry point (test/support/run-cli.ts).
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { actionCommand } from "../../cli/commands/action.js";
import { analyzeCommand } from "../../cli/commands/analyze.js";
import { dashboardsCommand } from "../../cli/commands/dashboards.js";
import { incidentCommand } from "../../cli/commands/incident.js";
import { labCommand } from "../../cli/commands/lab.js";
import { probeCommand } from "../../cli/commands/probe.js";
import { scenarioCommand } from "../../cli/commands/scenario.js";
import { sfuCommand } from "../../cli/commands/sfu.js";
import { storeCommand } from "../../cli/commands/store.js";
import { tokenCommand } from "../../cli/commands/token.js";
import { tuiCommand } from "../../cli/commands/tui.js";
import { upCommand } from "../../cli/commands/up.js";
import { runCli } from "../support/run-cli.js";

const COMMANDS = [actionCommand, analyzeCommand, dashboardsCommand, incidentCommand, labCommand, probeCommand, scenarioCommand, sfuCommand, storeCommand, tokenCommand, tuiCommand, upCommand];

function* everyCommand(cmd: Command, path: string): Generator<{ path: string; cmd: Command }> {
  yield { path, cmd };
  for (const sub of cmd.commands) yield* everyCommand(sub, `${path} ${sub.name()}`);
}

/** A sentence that stops here was cut: a possessive, a comma, or a word that needs a next one. */
const CUT_ENDING = /('s|,|:|\b(a|an|the|of|and|or|with|for|from|into|every|its|their))$/i;

const dir = mkdtempSync(join(tmpdir(), "relaywatch-cli-usage-"));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe("relaywatch help texts", () => {
  for (const make of COMMANDS) {
    const root = make();
    it(`every description and option of \`${root.name()}\` reads complete and points at nothing users lack`, () => {
      for (const { path, cmd } of everyCommand(root, root.name())) {
        const description = cmd.description().trim();
        if (cmd.name() !== "help") expect(description, `${path}: no description`).not.toBe("");
        expect(description, `${path}: description cut`).not.toMatch(CUT_ENDING);
        for (const o of cmd.options) expect(o.description.trim(), `${path} ${o.flags}`).not.toMatch(CUT_ENDING);
        const help = cmd.helpInformation();
        expect(help, `${path} help`).not.toMatch(/DESIGN/);
      }
    });
  }
});

describe("relaywatch usage and configuration errors", () => {
  const scenario = join(dir, "typo.yaml");
  writeFileSync(scenario, "name: typo\nduration: 60s\nregions: [us-east, us-west]\nexpect:\n  - { alert: RelayLop, after: 5s, within: 5s }\n");
  const cases: { args: string[]; says: RegExp[] }[] = [
    { args: ["sfu", "--region", "eu-west", "--bogus"], says: [/unknown option '--bogus'/] },
    { args: ["probe", "--region"], says: [/--region/, /argument missing/] },
    { args: ["store", "migrate", "--ttl-days", "abc", "--dry-run"], says: [/--ttl-days/, /'abc'/, /positive whole number/] },
    { args: ["token", "mint", "--room", "r", "--track", "t", "--perm", "admin"], says: [/--perm/, /admin/] },
    { args: ["scenario", "check", scenario], says: [/typo\.yaml:5:\d+/, /expect\[0\]\.alert/, /"RelayLop"/, /alert names/, /did you mean RelayLoop/] },
    { args: ["scenario", "run"], says: [/missing required argument 'file'/] },
    { args: ["nosuchcommand"], says: [/unknown command 'nosuchcommand'/] },
  ];
  it("exit 2 with one line naming what was wrong, and never a stack trace", async () => {
    const results = await Promise.all(cases.map((c) => runCli(c.args, { cwd: dir, env: { RELAYWATCH_TOKEN_SECRET: "", RELAYWATCH_RELAY_SECRET: "" } })));
    results.forEach((r, i) => {
      const c = cases[i]!;
      const what = `relaywatch ${c.args.join(" ")}\n${r.stderr}`;
      expect(r.code, what).toBe(2);
      for (const s of c.says) expect(r.stderr, what).toMatch(s);
      expect(r.stderr, what).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
      expect(r.stderr, what).not.toMatch(/ZodError|received undefined|Invalid input/);
    });
  }, 120_000);
});
