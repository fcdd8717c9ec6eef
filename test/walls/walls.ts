// The import rules of DESIGN.md ("Top-level layout", "Data flows one way") as data, and a
// checker over an import graph. Kept in test/: it reads the repository, it ships nowhere.
import type { SourceImports } from "./import-graph.js";

/** Where one production folder may import from (its own folder is always allowed). */
export interface Wall {
  folder: string;
  mayImport: readonly string[];
  why: string;
}

/**
 * Every production folder and what it may import. Anything not listed is forbidden,
 * including test/ and bench/ (test support lives under test/ only) and any new top-level
 * folder until someone decides where it sits.
 */
export const WALLS: readonly Wall[] = [
  { folder: "core", mayImport: [], why: "core/ imports nothing of ours: everyone shares types through it" },
  { folder: "store", mayImport: ["core"], why: "the store is below every component that writes or reads it" },
  { folder: "sfu", mayImport: ["core"], why: "nothing in sfu/ imports analyzer/, probes/, store/ or lab/; it talks HTTP/SSE/RTP" },
  { folder: "probes", mayImport: ["core", "store"], why: "probes talk to SFUs over WHIP/WHEP and to the analyzer over HTTP; the embedded store sink writes rows" },
  { folder: "analyzer", mayImport: ["core", "store"], why: "the analyzer reads regions and probes over HTTP/SSE and owns the store" },
  { folder: "tui", mayImport: ["core", "store"], why: "the TUI reads the analyzer over HTTP/SSE, and the store in replay" },
  { folder: "dashboards", mayImport: ["core", "store"], why: "dashboards are queries over the store's tables and the SFU's metric names" },
  { folder: "lab", mayImport: ["core", "store", "sfu", "probes", "analyzer", "tui"], why: "the lab launcher wires the components together" },
  { folder: "cli", mayImport: ["core", "store", "sfu", "probes", "analyzer", "tui", "dashboards", "lab"], why: "cli/ wires the components together in one process" },
];

/**
 * Packages only tests use (test runners, property testing, Ink's test renderer, the PromQL
 * grammar the dashboards' tests parse with): a production file importing one is test
 * support in the wrong place.
 */
export const TEST_ONLY_PACKAGES: readonly string[] = ["vitest", "fast-check", "ink-testing-library", "@prometheus-io/lezer-promql"];

/** Path segments that name test support, which belongs under test/ (never in a production folder). */
export const TEST_SUPPORT_PATH = /(^|\/)(testing|conformance[^/]*)(\/|\.tsx?$)/;

export interface WallViolation {
  file: string;
  /** The imported repository path or package, or the file itself for a misplaced file. */
  target: string;
  reason: string;
}

/** A test file may sit next to its code and may import anything (tests wire components together). */
export function isTestFile(file: string): boolean {
  return /\.test\.tsx?$/.test(file);
}

function topFolder(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Every import in `graph` that crosses a wall, every test-only package in production code, every misplaced test support file. */
export function checkWalls(graph: readonly SourceImports[], walls: readonly Wall[] = WALLS): WallViolation[] {
  const byFolder = new Map(walls.map((w) => [w.folder, w]));
  const out: WallViolation[] = [];
  for (const src of graph) {
    const wall = byFolder.get(topFolder(src.file));
    if (wall === undefined || isTestFile(src.file)) continue;
    if (TEST_SUPPORT_PATH.test(src.file)) out.push({ file: src.file, target: src.file, reason: "test support belongs under test/" });
    for (const target of src.local) {
      const to = topFolder(target);
      if (to !== wall.folder && !wall.mayImport.includes(to)) {
        out.push({ file: src.file, target, reason: `${wall.folder}/ may import only ${[wall.folder, ...wall.mayImport].join(", ")}: ${wall.why}` });
      }
    }
    for (const pkg of src.packages) {
      if (TEST_ONLY_PACKAGES.includes(pkg)) out.push({ file: src.file, target: pkg, reason: "a test-only package in production code: test support belongs under test/" });
    }
  }
  return out;
}
