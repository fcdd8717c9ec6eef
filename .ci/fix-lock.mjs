// npm leaves optional platform packages that the registry does not serve (chdb's macOS and
// arm64 builds are absent from the registry these machines reach) out of package-lock.json,
// and `npm ci` then refuses the lock as out of sync. This adds them back as optional
// entries for their own os/cpu, which npm ci skips on this platform. Run after `npm install`:
//   node .ci/fix-lock.mjs
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const pkgs = lock.packages;
let added = 0;
for (const [key, meta] of Object.entries(pkgs)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const target = `node_modules/${dep}`;
    if (pkgs[target] !== undefined) continue;
    const m = /lib-(darwin|linux|win32)-(arm64|x64)/.exec(dep);
    if (m === null) continue;
    pkgs[target] = { version, optional: true, os: [m[1]], cpu: [m[2]] };
    added++;
    process.stdout.write(`added ${target}@${version} (optional, ${m[1]}/${m[2]}) for ${key || "root"}\n`);
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)));
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(`${added} entr${added === 1 ? "y" : "ies"} added\n`);
