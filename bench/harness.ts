// The benchmark contract: every `bench/*.bench.ts` default-exports a Bench; `npm run bench`
// runs them and prints figures, each optionally with the baseline it was compared against
// in the same run and the ratio (value / baseline).

export interface Figure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  /** Free text shown next to the figure, e.g. the goal. */
  note?: string;
}

export interface Reporter {
  figure(metric: string, value: number, unit: string, extra?: { baseline?: number; note?: string }): void;
  /** Progress for long benches (stderr in text mode, silent with --json). */
  progress(text: string): void;
}

export interface Bench {
  name: string;
  description: string;
  run(report: Reporter): Promise<void>;
}

/** Quantile of an already sorted array (nearest-rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
}

export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}
