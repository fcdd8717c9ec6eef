// Renders the generated artifacts (dashboard JSON, the Alertmanager example) and writes or
// checks them. Output is deterministic: panel ids are assigned in order, JSON is 2-space
// indented with a trailing newline, so `git diff` shows real changes only. Each dashboard
// starts with its `__inputs`/`__requires` header (import-header.ts).
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import type { Panel, RowPanel } from "@grafana/grafana-foundation-sdk/dashboard";
import type { ClassicDashboard } from "./classic-dashboard.js";
import { renderAlertmanagerExample } from "./alertmanager-config.js";
import { DASHBOARDS } from "./catalog.js";
import { importHeader } from "./import-header.js";
import { packageRoot } from "../../core/package-root.js";

/** dashboards/ in this checkout (or installed package: compiled code runs from dist/, the files ship at the root). */
export const DASHBOARDS_DIR = join(packageRoot(), "dashboards");

export interface GeneratedFile {
  /** Path relative to dashboards/. */
  path: string;
  content: string;
}

export function renderDashboard(d: ClassicDashboard): string {
  let id = 1;
  const number = (p: Panel | RowPanel): void => {
    p.id = id++;
    if (p.type === "row" && "panels" in p) for (const child of p.panels) number(child);
  };
  for (const p of d.panels ?? []) number(p);
  return `${JSON.stringify({ ...importHeader(d), ...d }, null, 2)}\n`;
}

export function generatedFiles(): GeneratedFile[] {
  const files = DASHBOARDS.map((spec) => ({ path: join("grafana", spec.file), content: renderDashboard(spec.build()) }));
  files.push({ path: join("alertmanager", "alertmanager.example.yml"), content: renderAlertmanagerExample() });
  return files;
}

export interface BuildReport {
  /** Files whose content differs from what is generated (missing counts as stale). */
  stale: string[];
  written: string[];
}

/** Regenerates every file under `dir`; with `check`, writes nothing and reports stale files. */
export async function buildArtifacts(options: { dir?: string; check?: boolean } = {}): Promise<BuildReport> {
  const dir = options.dir ?? DASHBOARDS_DIR;
  const report: BuildReport = { stale: [], written: [] };
  for (const f of generatedFiles()) {
    const path = join(dir, f.path);
    const current = await readFile(path, "utf8").catch(() => null);
    if (current === f.content) continue;
    report.stale.push(relative(dir, path));
    if (options.check === true) continue;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.content);
    report.written.push(relative(dir, path));
  }
  return report;
}
