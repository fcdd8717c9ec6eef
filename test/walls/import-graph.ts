// The repository's import graph, read from source: every relative import specifier (static,
// re-export, side-effect and dynamic `import()`) and every package import of each .ts/.tsx
// file, resolved to a repository path. Used by test/walls/walls.test.ts; no rules here.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** One source file and what it imports, paths relative to the repository root with `/`. */
export interface SourceImports {
  /** e.g. `sfu/media/engine.ts`. */
  file: string;
  /** Repository files this file imports, e.g. `core/region.ts` (`.js` suffixes mapped back to `.ts`). */
  local: string[];
  /** Package names imported, e.g. `vitest`, `node:fs`, `@clickhouse/client`. */
  packages: string[];
}

/** Folders never walked: installed packages, generated output, caches. */
const SKIP_DIRS = new Set(["node_modules", ".git", ".cache", "data", "dist", "coverage"]);

/** Every .ts/.tsx file under `root` (relative paths with `/`), skipping SKIP_DIRS and dot folders. */
export function listSources(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith(".")) out.push(...listSources(root, join(dir, entry.name)));
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      out.push(relative(root, join(dir, entry.name)).split(sep).join("/"));
    }
  }
  return out.sort();
}

/** The import specifiers written in `text`, as the TypeScript compiler's pre-processor sees them. */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** `file`'s imports split into repository paths and package names. */
export function resolveImports(file: string, specifiers: readonly string[]): SourceImports {
  const local: string[] = [];
  const packages: string[] = [];
  for (const spec of specifiers) {
    if (spec.startsWith(".")) {
      const target = posix.normalize(posix.join(posix.dirname(file), spec));
      local.push(target.replace(/\.js$/, ".ts").replace(/\.jsx$/, ".tsx"));
    } else {
      const parts = spec.split("/");
      packages.push(spec.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? spec));
    }
  }
  return { file, local, packages };
}

/** The import graph of every source file under `root` (a `.js` specifier of a `.tsx` file resolved to it). */
export function readImportGraph(root: string): SourceImports[] {
  const files = listSources(root);
  const known = new Set(files);
  return files.map((file) => {
    const s = resolveImports(file, importSpecifiers(readFileSync(join(root, file), "utf8")));
    return { ...s, local: s.local.map((p) => (!known.has(p) && known.has(`${p}x`) ? `${p}x` : p)) };
  });
}

/** The repository root (this file lives at test/walls/). */
export const REPO_ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
