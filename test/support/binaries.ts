// The Debian binaries the rule and config tests run (.ci/run installs them).
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";

/** Where Debian and manual installs put them. */
const BIN_DIRS = ["/usr/bin", "/usr/local/bin", "/bin"];

/** Absolute path of `name`, or null when it is not installed. */
export function findBinary(name: string, dirs: readonly string[] = BIN_DIRS): string | null {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface RunResult {
  code: number;
  output: string;
}

export function run(binary: string, args: readonly string[], cwd: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(binary, args, { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}
