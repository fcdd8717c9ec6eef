// `relaywatch dashboards build [--check]` through the commander command the lead wires
// into cli/main.ts: --check exits 1 naming a stale file, build rewrites it, --check passes.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { dashboardsCommand } from "../cli/commands/dashboards.js";

const dir = mkdtempSync(join(tmpdir(), "relaywatch-dash-cli-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  process.exitCode = undefined;
  await dashboardsCommand().exitOverride().parseAsync(args, { from: "user" });
  const code = typeof process.exitCode === "number" ? process.exitCode : 0;
  vi.restoreAllMocks();
  return { out, err, code };
}

describe("relaywatch dashboards", () => {
  it("build --check exits 1 naming stale files; build fixes them; --check then passes", async () => {
    const first = await run(["build", "--check", "--dir", dir]);
    expect(first.code).toBe(1);
    expect(first.err).toContain("stale: grafana/mesh-overview.json");
    const build = await run(["build", "--dir", dir]);
    expect(build.code).toBe(0);
    expect(build.out).toContain("wrote grafana/alerts.json");
    writeFileSync(join(dir, "grafana", "region-health.json"), "{}");
    expect((await run(["build", "--check", "--dir", dir])).err).toBe("stale: grafana/region-health.json\nrun `relaywatch dashboards build` and commit the result\n");
    await run(["build", "--dir", dir]);
    const ok = await run(["build", "--check", "--dir", dir]);
    expect(ok).toMatchObject({ code: 0, out: "dashboards: generated files are up to date\n" });
  });

  it("alertmanager --regions prints per-region inhibitions for those regions", async () => {
    const { out, code } = await run(["alertmanager", "--regions", "mars-1,venus-2"]);
    expect(code).toBe(0);
    expect(out).toContain('dst="mars-1"');
    expect(out).toContain('region="venus-2"');
    expect(out).not.toContain("eu-central");
  });
});
