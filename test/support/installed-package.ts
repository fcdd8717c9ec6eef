// relaywatch installed the way an operator installs it: `npm pack` of this checkout (which
// builds dist/ through prepack), then `npm install --omit=dev <tarball>` in an empty
// directory. Returns how to run the installed `relaywatch` with this Node. A tarball made
// earlier can be given with RELAYWATCH_TEST_TARBALL (CI may pack once for several tests).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "../..");
export interface InstalledRelaywatch {
  tarball: string;
  /** The installed package's executable script: run as `node <bin> …`. */
  bin: string;
}

function npm(args: readonly string[], cwd: string): string {
  return execFileSync("npm", args, {
    cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 600_000,
    env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" },
  });
}

/** Packs this checkout (or takes RELAYWATCH_TEST_TARBALL) and installs it with --omit=dev into `dir`/app. */
export function installRelaywatch(dir: string): InstalledRelaywatch {
  let tarball = process.env["RELAYWATCH_TEST_TARBALL"];
  if (tarball === undefined || tarball === "") {
    const out = npm(["pack", "--pack-destination", dir, "--json"], REPO);
    const name = (JSON.parse(out.slice(out.indexOf("["))) as { filename: string }[])[0]?.filename ?? "";
    tarball = join(dir, name);
  }
  const app = join(dir, "app");
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "relaywatch-install-test", private: true })}\n`);
  npm(["install", "--omit=dev", "--prefer-offline", "--no-save", tarball], app);
  return { tarball, bin: join(app, "node_modules/relaywatch/cli/bin.mjs") };
}
