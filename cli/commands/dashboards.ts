// `relaywatch dashboards build [--check]` regenerates the Grafana dashboards' JSON and the
// Alertmanager example from dashboards/src; `--check` writes nothing and exits 1 naming the
// stale files (CI). `relaywatch dashboards alertmanager --regions a,b` prints the example
// for other region names. `relaywatch dashboards dir` prints where the generated files are.
// `relaywatch dashboards rules --runbook-base-url URL [--tests]` prints the Prometheus rules (or
// their unit tests) with runbook_url under that base.
// The generated files ship in the package; regenerating them is a development task: it needs
// @grafana/grafana-foundation-sdk, a devDependency, imported only by `build`.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import type * as Generator from "../../dashboards/src/render.js";
import { packageRoot } from "../../core/package-root.js";
import { StartupError } from "../lifecycle.js";
import { runAction } from "../run-action.js";

/** The generated and hand-written files: grafana/, prometheus/, alertmanager/, provisioning/. */
const SHIPPED_DASHBOARDS_DIR = join(packageRoot(), "dashboards");

/** The dashboards generator; without its devDependency (an `npm install --omit=dev`), a clear StartupError. */
async function loadGenerator(): Promise<typeof Generator> {
  try {
    return await import("../../dashboards/src/render.js");
  } catch (err) {
    const missing = err instanceof Error && "code" in err && err.code === "ERR_MODULE_NOT_FOUND" && err.message.includes("@grafana/grafana-foundation-sdk");
    if (!missing) throw err;
    throw new StartupError(
      `regenerating dashboards needs the development dependency @grafana/grafana-foundation-sdk (a source checkout after \`npm ci\`); the generated files ship ready to use in ${SHIPPED_DASHBOARDS_DIR}`,
      { cause: err },
    );
  }
}

export function dashboardsCommand(): Command {
  const cmd = new Command("dashboards").description("Grafana dashboards, Prometheus rules and the Alertmanager example (dashboards/)");

  cmd
    .command("build")
    .description("Regenerate dashboards/grafana/*.json and dashboards/alertmanager/alertmanager.example.yml (a development task)")
    .option("--check", "write nothing; exit 1 when a generated file is stale")
    .option("--dir <dir>", "the dashboards directory", SHIPPED_DASHBOARDS_DIR)
    .action(
      runAction(async (opts: { check?: boolean; dir: string }) => {
        const { buildArtifacts } = await loadGenerator();
        const report = await buildArtifacts({ dir: opts.dir, check: opts.check === true });
        if (opts.check === true) {
          if (report.stale.length === 0) {
            process.stdout.write("dashboards: generated files are up to date\n");
            return;
          }
          for (const f of report.stale) process.stderr.write(`stale: ${f}\n`);
          process.stderr.write("run `relaywatch dashboards build` and commit the result\n");
          process.exitCode = 1;
          return;
        }
        for (const f of report.written) process.stdout.write(`wrote ${f}\n`);
        if (report.written.length === 0) process.stdout.write("dashboards: nothing to do, generated files are up to date\n");
      }),
    );

  cmd
    .command("alertmanager")
    .description("Print the example Alertmanager configuration with per-region inhibitions for these regions")
    .requiredOption("--regions <list>", "comma-separated region names, e.g. us-east,eu-central")
    .action(async (opts: { regions: string }) => {
      const { renderAlertmanagerExample } = await import("../../dashboards/src/alertmanager-config.js");
      const regions = opts.regions.split(",").map((r) => r.trim()).filter((r) => r !== "");
      process.stdout.write(renderAlertmanagerExample(regions));
    });

  cmd
    .command("dir")
    .description("Print the directory of the shipped files (grafana/, prometheus/, alertmanager/, provisioning/), e.g. to copy them to a host")
    .action(() => {
      process.stdout.write(`${SHIPPED_DASHBOARDS_DIR}\n`);
    });

  cmd
    .command("rules")
    .description("Print the Prometheus rules (or their promtool unit tests) with every runbook_url under your base URL")
    .requiredOption("--runbook-base-url <url>", "where your team reads docs/runbooks, e.g. https://wiki.example/relaywatch/runbooks")
    .option("--tests", "print relaywatch.rules.test.yml (rebased the same way) instead")
    .action(
      runAction(async (opts: { runbookBaseUrl: string; tests?: boolean }) => {
        const { rebaseRunbookUrls } = await import("../../dashboards/src/rules-runbooks.js");
        const file = join(SHIPPED_DASHBOARDS_DIR, "prometheus", opts.tests === true ? "relaywatch.rules.test.yml" : "relaywatch.rules.yml");
        process.stdout.write(rebaseRunbookUrls(await readFile(file, "utf8"), opts.runbookBaseUrl));
      }),
    );

  return cmd;
}
