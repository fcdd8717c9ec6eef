// The committed JSON under dashboards/grafana/ (and the Alertmanager example) is exactly
// what dashboards/src generates: editing the TypeScript without rebuilding fails here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildArtifacts, DASHBOARDS_DIR, generatedFiles } from "./src/render.js";
import { DASHBOARDS } from "./src/catalog.js";

const scratch = mkdtempSync(join(tmpdir(), "relaywatch-dash-build-"));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("relaywatch dashboards build", () => {
  it("the committed generated files are up to date (run `npm run relaywatch -- dashboards build`)", async () => {
    const report = await buildArtifacts({ dir: DASHBOARDS_DIR, check: true });
    expect(report.stale).toEqual([]);
  });

  it("--check names a stale file and writes nothing; a build then fixes it", async () => {
    await buildArtifacts({ dir: scratch });
    const path = join(scratch, "grafana", "mesh-overview.json");
    writeFileSync(path, "{}\n");
    const check = await buildArtifacts({ dir: scratch, check: true });
    expect(check.stale).toEqual([join("grafana", "mesh-overview.json")]);
    expect(readFileSync(path, "utf8")).toBe("{}\n");
    const build = await buildArtifacts({ dir: scratch });
    expect(build.written).toEqual([join("grafana", "mesh-overview.json")]);
    expect((await buildArtifacts({ dir: scratch, check: true })).stale).toEqual([]);
  });

  it("dashboards have unique uids and unique panel ids", () => {
    const uids = new Set<string>();
    for (const f of generatedFiles().filter((g) => g.path.endsWith(".json"))) {
      const d = JSON.parse(f.content) as { uid: string; panels: { id: number }[] };
      expect(uids.has(d.uid)).toBe(false);
      uids.add(d.uid);
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect([...uids].sort()).toEqual(DASHBOARDS.map((d) => d.uid).sort());
  });
});
