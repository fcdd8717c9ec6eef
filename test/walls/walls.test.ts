// The import rules stay true: the repository's own graph crosses no wall, and the checker
// does catch a forbidden import, read from real files as well as from a synthetic graph.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { importSpecifiers, listSources, readImportGraph, REPO_ROOT, resolveImports } from "./import-graph.js";
import { checkWalls, WALLS } from "./walls.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A throwaway repository with the given files. */
function repoWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "walls-"));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe("the repository's import graph", () => {
  it("crosses no wall of DESIGN.md", () => {
    const graph = readImportGraph(REPO_ROOT);
    expect(graph.length).toBeGreaterThan(200);
    expect(checkWalls(graph)).toEqual([]);
  });

  it("resolves a .js specifier to the .tsx file it names", () => {
    const app = readImportGraph(REPO_ROOT).find((s) => s.file === "tui/run.ts");
    expect(app?.local).toContain("tui/components/App.tsx");
  });

  it("is read from every production folder the walls name", () => {
    const folders = new Set(listSources(REPO_ROOT).map((f) => f.split("/")[0]));
    for (const w of WALLS) expect(folders).toContain(w.folder);
  });
});

describe("importSpecifiers()", () => {
  it("sees static, type-only, re-export, side-effect and dynamic imports", () => {
    const text = [
      'import { a } from "./a.js";',
      'import type { B } from "../b.js";',
      'export { c } from "./c.js";',
      'import "./side.js";',
      'const d = await import("../../d.js");',
      'import express from "express";',
      "// import { no } from \"./comment.js\";",
    ].join("\n");
    expect(importSpecifiers(text)).toEqual(["./a.js", "../b.js", "./c.js", "./side.js", "../../d.js", "express"]);
  });

  it("resolves relative specifiers to repository .ts paths and packages to their names", () => {
    expect(resolveImports("sfu/node/x.ts", ["../../core/region.js", "./y.js", "@clickhouse/client", "node:fs", "zod/v4"])).toEqual({
      file: "sfu/node/x.ts",
      local: ["core/region.ts", "sfu/node/y.ts"],
      packages: ["@clickhouse/client", "node:fs", "zod"],
    });
  });
});

describe("checkWalls()", () => {
  it("fails when sfu/ imports probes/ and when probes/ imports sfu/", () => {
    const v = checkWalls([
      { file: "sfu/media/x.ts", local: ["probes/client/werift-peer.ts", "core/region.ts"], packages: [] },
      { file: "probes/y.ts", local: ["sfu/media/engine.ts"], packages: [] },
    ]);
    expect(v.map((x) => `${x.file} -> ${x.target}`)).toEqual(["sfu/media/x.ts -> probes/client/werift-peer.ts", "probes/y.ts -> sfu/media/engine.ts"]);
  });

  it("fails when core/ imports anything of ours, and when a production folder imports test/", () => {
    const v = checkWalls([
      { file: "core/a.ts", local: ["store/rows.ts"], packages: ["zod"] },
      { file: "analyzer/b.ts", local: ["test/support/ports.ts"], packages: [] },
      { file: "dashboards/c.ts", local: ["bench/run.ts"], packages: [] },
    ]);
    expect(v.map((x) => x.target)).toEqual(["store/rows.ts", "test/support/ports.ts", "bench/run.ts"]);
    expect(v[0]?.reason).toContain("core/ may import only core");
  });

  it("fails on test support in a production folder: a testing/ module, a conformance suite, vitest", () => {
    const v = checkWalls([
      { file: "analyzer/testing/fixtures.ts", local: [], packages: [] },
      { file: "sfu/media/conformance.ts", local: [], packages: ["vitest"] },
    ]);
    expect(v.map((x) => `${x.file}: ${x.target}`)).toEqual([
      "analyzer/testing/fixtures.ts: analyzer/testing/fixtures.ts",
      "sfu/media/conformance.ts: sfu/media/conformance.ts",
      "sfu/media/conformance.ts: vitest",
    ]);
  });

  it("lets tests, benches and the wiring folders import across", () => {
    expect(
      checkWalls([
        { file: "sfu/media/engine.test.ts", local: ["probes/client/werift-peer.ts", "test/conformance/engine-conformance.ts"], packages: ["vitest"] },
        { file: "test/sfu/sfu-kit.ts", local: ["sfu/node/region-node.ts", "probes/whip-client.ts"], packages: ["vitest"] },
        { file: "bench/x.bench.ts", local: ["analyzer/engine.ts"], packages: ["fast-check"] },
        { file: "cli/commands/up.ts", local: ["lab/world/world.ts", "tui/run.ts"], packages: [] },
        { file: "lab/world/world.ts", local: ["sfu/auth/tokens.ts"], packages: [] },
      ]),
    ).toEqual([]);
  });

  it("catches a forbidden import written in a real file", () => {
    const root = repoWith({
      "core/region.ts": "export type Region = string;\n",
      "probes/rotation.ts": 'import type { Region } from "../core/region.js";\nexport const r: Region = "a";\n',
      "sfu/node/locate.ts": 'import type { Region } from "../../core/region.js";\nexport const x: Region = "b";\n',
      "sfu/node/uses-probes.ts": 'import { r } from "../../probes/rotation.js";\nexport const y = r;\n',
      "sfu/node/uses-probes.test.ts": 'import { r } from "../../probes/rotation.js";\nexport const z = r;\n',
    });
    const v = checkWalls(readImportGraph(root));
    expect(v).toEqual([{ file: "sfu/node/uses-probes.ts", target: "probes/rotation.ts", reason: expect.stringContaining("sfu/ may import only sfu, core") as string }]);
    rmSync(join(root, "sfu/node/uses-probes.ts"));
    expect(checkWalls(readImportGraph(root))).toEqual([]);
  });
});
