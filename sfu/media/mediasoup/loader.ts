// Finds mediasoup at run time and says whether its worker can be used here. mediasoup is
// not a dependency: `npm run setup:mediasoup` builds 3.8.4 into `.cache/mediasoup-3.8.4/`
// (offline), and a user with internet may `npm install mediasoup` (current 3.x ships a
// prebuilt worker). This module only looks at files and loads the module; it never
// installs or builds anything, and never reads the environment (callers pass paths).
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { packageRoot } from "../../../core/package-root.js";
import type { MediasoupModule } from "./mediasoup-api.js";

/** The version `npm run setup:mediasoup` builds: the last one that builds offline. */
export const CACHED_MEDIASOUP_VERSION = "3.8.4";

/** Where both 3.8.4 and current 3.x put the worker binary inside the package. */
const WORKER_REL = join("worker", "out", "Release", "mediasoup-worker");

/** The repository root, or the installed package's (compiled code runs from its dist/). */
export const PROJECT_ROOT = packageRoot();

export type MediasoupAvailability =
  | { ok: true; version: string; workerPath: string; modulePath: string; origin: "node_modules" | "cache" }
  | { ok: false; reason: string };

export interface LocateOptions {
  /** Repository root to search; defaults to this checkout. */
  projectRoot?: string;
  /** An explicit package directory (e.g. from a CLI flag); searched first. */
  modulePath?: string;
}

function packageVersion(dir: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
    return pkg.name === "mediasoup" && typeof pkg.version === "string" ? pkg.version : null;
  } catch {
    return null;
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where mediasoup is and whether its worker binary is there: an explicit path, then the
 * project's node_modules (a user's own install wins), then the setup cache.
 */
export function mediasoupAvailable(options: LocateOptions = {}): MediasoupAvailability {
  const root = options.projectRoot ?? PROJECT_ROOT;
  const candidates: { dir: string; origin: "node_modules" | "cache" }[] = [];
  if (options.modulePath !== undefined) candidates.push({ dir: options.modulePath, origin: "node_modules" });
  candidates.push({ dir: join(root, "node_modules", "mediasoup"), origin: "node_modules" });
  candidates.push({ dir: join(root, ".cache", `mediasoup-${CACHED_MEDIASOUP_VERSION}`, "node_modules", "mediasoup"), origin: "cache" });
  const problems: string[] = [];
  for (const { dir, origin } of candidates) {
    if (!existsSync(dir)) continue;
    const version = packageVersion(dir);
    if (version === null) {
      problems.push(`${dir} is not a mediasoup package`);
      continue;
    }
    if (!version.startsWith("3.")) {
      problems.push(`${dir} is mediasoup ${version}; this engine is written for 3.x`);
      continue;
    }
    const workerPath = join(dir, WORKER_REL);
    if (!executable(workerPath)) {
      problems.push(`${dir} (mediasoup ${version}) has no worker binary at ${WORKER_REL}`);
      continue;
    }
    return { ok: true, version, workerPath, modulePath: dir, origin };
  }
  const why = problems.length > 0 ? problems.join("; ") : "mediasoup is not installed";
  return { ok: false, reason: `${why} (run \`npm run setup:mediasoup\` to build mediasoup ${CACHED_MEDIASOUP_VERSION} offline)` };
}

function isMediasoupModule(mod: unknown): mod is MediasoupModule {
  if (typeof mod !== "object" || mod === null) return false;
  const m = mod as Record<string, unknown>;
  return typeof m["createWorker"] === "function" && typeof m["version"] === "string";
}

/** Loads the located package (CommonJS in every 3.x); rejects with the reason when unavailable. */
export function loadMediasoup(options: LocateOptions = {}): { module: MediasoupModule; availability: Extract<MediasoupAvailability, { ok: true }> } {
  const availability = mediasoupAvailable(options);
  if (!availability.ok) throw new Error(`mediasoup unavailable: ${availability.reason}`);
  const require = createRequire(import.meta.url);
  const mod: unknown = require(availability.modulePath);
  if (!isMediasoupModule(mod)) throw new Error(`mediasoup at ${availability.modulePath} does not export createWorker()`);
  return { module: mod, availability };
}
