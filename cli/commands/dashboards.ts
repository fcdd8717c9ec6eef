// `relaywatch dashboards build [--check]` regenerates the Grafana dashboards' JSON and the
// Alertmanager example from dashboards/src; `--check` writes nothing and exits 1 naming the
// stale files (CI). `relaywatch dashboards alertmanager --regions a,b` prints the example
// for other region names.
import { Command } from "commander";
import { renderAlertmanagerExample } from "../../dashboards/src/alertmanager-config.js";
import { buildArtifacts, DASHBOARDS_DIR } from "../../dashboards/src/render.js";
import { runAction } from "../run-action.js";

export function dashboardsCommand(): Command {
  const cmd = new Command("dashboards").description("Grafana dashboards, Prometheus rules and the Alertmanager example (dashboards/)");

  cmd
    .command("build")
    .description("Regenerate dashboards/grafana/*.json and dashboards/alertmanager/alertmanager.example.yml")
    .option("--check", "write nothing; exit 1 when a generated file is stale")
    .option("--dir <dir>", "the dashboards directory", DASHBOARDS_DIR)
    .action(
      runAction(async (opts: { check?: boolean; dir: string }) => {
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
    .action((opts: { regions: string }) => {
      const regions = opts.regions.split(",").map((r) => r.trim()).filter((r) => r !== "");
      process.stdout.write(renderAlertmanagerExample(regions));
    });

  return cmd;
}
