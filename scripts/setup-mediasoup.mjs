#!/usr/bin/env node
// `npm run setup:mediasoup` — makes a mediasoup worker available to the mediasoup media
// engine (sfu/media/mediasoup/), offline.
//
// Why it exists: mediasoup >= 3.9 downloads a prebuilt worker or its C++ dependencies at
// install time, which these build machines cannot reach. mediasoup 3.8.4 on the npm
// registry vendors every C++ dependency and builds offline (~3 min on 2 cores) given:
//   - PYTHON = a Python 2.7 or <= 3.9 (its bundled gyp breaks on 3.10+), and
//   - on glibc >= 2.34, where SIGSTKSZ is no longer a constant (abseil's
//     failure_signal_handler.cc does std::max(SIGSTKSZ, 65536)), a forced-include header
//     that redefines it — for C++ only: in C it breaks OpenSSL's dso_dlfcn.c.
//
// What it does, in order; the first that succeeds wins:
//   1. keeps a mediasoup in the project's node_modules that has a worker binary (a user
//      with internet who ran `npm install mediasoup`);
//   2. keeps our cache (.cache/mediasoup-3.8.4/, gitignored) when its worker starts;
//   3. installs mediasoup@3.8.4 into that cache (--ignore-scripts, never into the
//      project's node_modules or package-lock) and builds its worker the way its own
//      npm-scripts.js postinstall does (`make -C worker`).
// It is strict (issue 17): mediasoup is the reference engine and the end-to-end suite runs
// on it, so a failed build exits 1 with "mediasoup engine unavailable: <why>" and CI fails.
// `--optional` (a user without a C++ toolchain) exits 0 instead: `--engine auto` then runs
// the embedded werift engine and says so at start.
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const VERSION = "3.8.4";
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CACHE = join(ROOT, ".cache", `mediasoup-${VERSION}`);
const PKG_DIR = join(CACHE, "node_modules", "mediasoup");
const WORKER_REL = join("worker", "out", "Release", "mediasoup-worker");
const STAMP = join(CACHE, "relaywatch-build.json");
const LOG = join(CACHE, "build.log");
/** Heartbeat while make runs, so CI logs show the build is alive. */
const HEARTBEAT_MS = 20_000;
/** Quick check that the worker starts and answers: a few seconds at most. */
const VERIFY_TIMEOUT_MS = 20_000;

/** `--strict` is the default and kept as a no-op for old invocations; `--optional` relaxes it. */
const strict = !process.argv.includes("--optional");
const force = process.argv.includes("--force");
const started = Date.now();

function info(msg) {
  console.log(`setup:mediasoup | ${msg}`);
}

function elapsed() {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}

function unavailable(why) {
  const then = strict ? "failing (run with --optional to accept the werift fallback)" : "--optional: `--engine auto` will run the embedded werift engine";
  console.log(`setup:mediasoup | mediasoup engine unavailable: ${why}; ${then}`);
  process.exit(strict ? 1 : 0);
}

/** Starts a worker from `pkgDir` in a child Node and closes it: proof the binary runs here. */
function verifyWorker(pkgDir) {
  const script = `
    const ms = require(${JSON.stringify(pkgDir)});
    ms.createWorker({ logLevel: "error" }).then(async (w) => {
      const r = await w.createRouter({ mediaCodecs: [{ kind: "audio", mimeType: "audio/opus", clockRate: 48000, channels: 2 }] });
      r.close(); w.close(); console.log("ok " + ms.version);
    }).catch((e) => { console.error(String(e && e.message || e)); process.exit(1); });`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: VERIFY_TIMEOUT_MS });
  if (r.status === 0 && r.stdout.startsWith("ok ")) return { ok: true, version: r.stdout.trim().slice(3) };
  return { ok: false, reason: (r.stderr || r.stdout || `exit ${r.status ?? r.signal}`).trim().split("\n").slice(-3).join(" ") };
}

function existingInNodeModules() {
  const dir = join(ROOT, "node_modules", "mediasoup");
  if (!existsSync(join(dir, "package.json"))) return null;
  if (!existsSync(join(dir, WORKER_REL))) {
    info(`node_modules/mediasoup is installed but has no worker binary (${WORKER_REL}); not using it`);
    return null;
  }
  return dir;
}

/** Python 2.7 or 3.x <= 3.9, as mediasoup 3.8.4's gyp needs. */
function pythonVersion(bin) {
  const r = spawnSync(bin, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
  if (r.status !== 0) return null;
  const [maj, min] = r.stdout.trim().split(".").map(Number);
  return maj === undefined || min === undefined ? null : { maj, min, text: `${maj}.${min}` };
}

function pythonFits(v) {
  return v !== null && ((v.maj === 2 && v.min === 7) || (v.maj === 3 && v.min <= 9));
}

function findPython() {
  const candidates = [];
  if (process.env.PYTHON) candidates.push(process.env.PYTHON);
  const pyenvRoot = process.env.PYENV_ROOT || join(homedir(), ".pyenv");
  const versionsDir = join(pyenvRoot, "versions");
  if (existsSync(versionsDir)) {
    // Newest fitting 3.x first, then 2.7: 3.9 is the best supported by this gyp.
    const versions = readdirSync(versionsDir)
      .filter((v) => /^(3\.[0-9]|2\.7)\.\d+$/.test(v))
      .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
    for (const v of versions) candidates.push(join(versionsDir, v, "bin", "python"));
  }
  candidates.push("python3.9", "python3.8", "python3.7", "python2.7", "python2", "python3", "python");
  const rejected = [];
  for (const c of candidates) {
    const v = pythonVersion(c);
    if (pythonFits(v)) return { bin: c, version: v.text };
    if (v !== null) rejected.push(`${c} (${v.text})`);
  }
  return { bin: null, rejected };
}

function haveTool(bin) {
  return spawnSync(bin, ["--version"], { stdio: "ignore" }).status === 0;
}

/** glibc >= 2.34 made SIGSTKSZ a runtime value; older or non-glibc systems need no fix. */
function needsSigstkszFix() {
  const report = process.report?.getReport?.();
  const glibc = report?.header?.glibcVersionRuntime;
  if (typeof glibc !== "string") return false;
  const [maj, min] = glibc.split(".").map(Number);
  return maj > 2 || (maj === 2 && min >= 34);
}

function run(cmd, args, opts) {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    const log = opts.log;
    child.stdout.on("data", (b) => (log ? log.write(b) : process.stdout.write(b)));
    child.stderr.on("data", (b) => (log ? log.write(b) : process.stderr.write(b)));
    child.on("error", (err) => resolveRun({ code: -1, error: err }));
    child.on("close", (code, signal) => resolveRun({ code: code ?? -1, signal }));
  });
}

function tail(file, lines) {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

async function installPackage() {
  if (existsSync(join(PKG_DIR, "package.json")) && existsSync(join(PKG_DIR, "npm-scripts.js"))) {
    info(`mediasoup@${VERSION} already in the cache (${CACHE}); building its worker`);
    return true;
  }
  info(`installing mediasoup@${VERSION} from the npm registry into ${CACHE} (--ignore-scripts: the worker is built next)`);
  mkdirSync(CACHE, { recursive: true });
  const npm = process.env.npm_execpath && process.env.npm_execpath.endsWith(".js") ? [process.execPath, [process.env.npm_execpath]] : ["npm", []];
  const r = await run(npm[0], [...npm[1], "install", "--ignore-scripts", "--no-save", "--no-audit", "--no-fund", "--prefix", CACHE, `mediasoup@${VERSION}`], { cwd: CACHE });
  return r.code === 0;
}

async function build(python) {
  const cores = Math.max(1, Number(process.env.MEDIASOUP_MAX_CORES) || availableParallelism());
  const env = { ...process.env, PYTHON: python.bin, MEDIASOUP_MAX_CORES: String(cores) };
  // The cache's build is ours: never inherit a MEDIASOUP_WORKER_BIN that would skip it.
  delete env.MEDIASOUP_WORKER_BIN;
  if (needsSigstkszFix()) {
    const header = join(CACHE, "sigstksz-fix.h");
    writeFileSync(
      header,
      "/* relaywatch: glibc >= 2.34 made SIGSTKSZ non-constant; abseil needs a constant. C++ only. */\n" +
        "#include <signal.h>\n#undef SIGSTKSZ\n#define SIGSTKSZ 16384\n",
    );
    env.CXXFLAGS = `${env.CXXFLAGS ? `${env.CXXFLAGS} ` : ""}-include ${header}`;
    info(`glibc >= 2.34: C++ gets -include ${header} (SIGSTKSZ fix for abseil); C is left alone (OpenSSL)`);
  }
  info(`building the worker: node npm-scripts.js postinstall (make -C worker) with PYTHON=${python.bin} (${python.version}), ${cores} core(s); log: ${LOG}`);
  info("this takes about 3 minutes on 2 cores, once per machine");
  const log = createWriteStream(LOG);
  const timer = setInterval(() => {
    const objs = tail(LOG, 1).slice(0, 100);
    info(`still building (${elapsed()}) … ${objs}`);
  }, HEARTBEAT_MS);
  const r = await run(process.execPath, ["npm-scripts.js", "postinstall"], { cwd: PKG_DIR, env, log });
  clearInterval(timer);
  await new Promise((res) => log.end(res));
  return r.code === 0;
}

async function main() {
  info(`mediasoup ${VERSION} worker setup (why: mediasoup >= 3.9 needs internet at install; 3.8.4 builds offline)`);
  if (process.platform === "win32") unavailable("building the mediasoup worker on Windows is not supported by this script");

  const nm = existingInNodeModules();
  if (nm !== null) {
    const v = verifyWorker(nm);
    if (v.ok) {
      info(`keeping node_modules/mediasoup ${v.version}: its worker starts (${elapsed()})`);
      return;
    }
    info(`node_modules/mediasoup's worker does not start (${v.reason}); falling back to the cache`);
  }

  const workerBin = join(PKG_DIR, WORKER_REL);
  if (!force && existsSync(workerBin) && existsSync(STAMP)) {
    const v = verifyWorker(PKG_DIR);
    if (v.ok) {
      info(`cached worker ready: ${workerBin} (mediasoup ${v.version}, verified in ${elapsed()}); nothing to do`);
      return;
    }
    info(`cached worker does not start (${v.reason}); rebuilding`);
  }
  if (force) info("--force: rebuilding the cached worker");

  const python = findPython();
  if (python.bin === null) {
    unavailable(
      `no Python 2.7 or <= 3.9 found for mediasoup 3.8.4's gyp (set PYTHON=..., or install one, e.g. pyenv install 3.9.18)` +
        (python.rejected.length ? `; found only ${python.rejected.join(", ")}` : ""),
    );
  }
  for (const tool of ["make", "c++", "cc"]) {
    if (!haveTool(tool)) unavailable(`\`${tool}\` not found: building the worker needs make and a C/C++ toolchain (e.g. apt-get install build-essential)`);
  }

  if (!(await installPackage())) unavailable(`npm could not install mediasoup@${VERSION} into ${CACHE} (see npm's output above)`);
  rmSync(STAMP, { force: true });

  if (!(await build(python))) {
    console.log(tail(LOG, 30));
    unavailable(`the worker build failed after ${elapsed()} (last lines above, full log in ${LOG})`);
  }
  if (!existsSync(workerBin)) unavailable(`the build finished but ${workerBin} is missing (log: ${LOG})`);
  const v = verifyWorker(PKG_DIR);
  if (!v.ok) unavailable(`the built worker does not start: ${v.reason}`);
  writeFileSync(STAMP, `${JSON.stringify({ version: VERSION, python: python.version, builtAt: new Date().toISOString(), seconds: (Date.now() - started) / 1000 }, null, 2)}\n`);
  info(`mediasoup ${v.version} worker built and verified in ${elapsed()}: ${workerBin}`);
}

main().catch((err) => unavailable(`unexpected error: ${err instanceof Error ? err.message : String(err)}`));
