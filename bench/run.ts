// `npm run bench -- [NAME...] [--json]`: runs every bench (or the named ones) and prints
// figures; with --json one JSON object per line: {bench, metric, value, unit, baseline?, ratio?}.
import { readdir } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import type { Bench, Figure, Reporter } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));

async function loadBenches(): Promise<Bench[]> {
  const files = (await readdir(here)).filter((f) => f.endsWith(".bench.ts")).sort();
  const benches: Bench[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: Bench };
    benches.push(mod.default);
  }
  return benches;
}

function formatFigure(f: Figure): string {
  const value = formatNumber(f.value);
  let line = `${f.bench.padEnd(10)} ${f.metric.padEnd(48)} ${value.padStart(12)} ${f.unit}`;
  if (f.baseline !== undefined) line += `   baseline ${formatNumber(f.baseline)} ${f.unit}, ratio ${f.ratio?.toFixed(3) ?? "?"}`;
  if (f.note !== undefined) line += `   (${f.note})`;
  return line;
}

function formatNumber(v: number): string {
  if (Number.isInteger(v) || Math.abs(v) >= 1000) return Math.round(v).toString();
  return v.toPrecision(4);
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const names = argv.filter((a) => !a.startsWith("--"));
  const all = await loadBenches();
  if (argv.includes("--list")) {
    for (const b of all) process.stdout.write(`${b.name.padEnd(12)} ${b.description}\n`);
    return 0;
  }
  const unknown = names.filter((n) => !all.some((b) => b.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown bench: ${unknown.join(", ")}; known: ${all.map((b) => b.name).join(", ")}\n`);
    return 2;
  }
  const selected = names.length === 0 ? all : all.filter((b) => names.includes(b.name));
  for (const bench of selected) {
    const reporter: Reporter = {
      figure(metric, value, unit, extra) {
        const f: Figure = { bench: bench.name, metric, value, unit };
        if (extra?.baseline !== undefined) {
          f.baseline = extra.baseline;
          f.ratio = extra.baseline === 0 ? Number.NaN : value / extra.baseline;
        }
        if (extra?.note !== undefined) f.note = extra.note;
        process.stdout.write(json ? `${JSON.stringify(f)}\n` : `${formatFigure(f)}\n`);
      },
      progress(text) {
        if (!json) process.stderr.write(`[${bench.name}] ${text}\n`);
      },
    };
    if (!json) process.stderr.write(`== ${bench.name}: ${bench.description}\n`);
    await bench.run(reporter);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
