// What the kernel says a process costs, for benches that measure whole processes (probe,
// lab): CPU time from /proc/<pid>/stat (all threads; kernel time included), PSS from
// /proc/<pid>/smaps_rollup (shared pages split among the processes that map them, so a
// world's PSS adds up to its real footprint), and a process's descendants. Linux only.
import { readFileSync, readdirSync } from "node:fs";

/** USER_HZ: /proc times are in 1/100 s on every Linux this runs on (getconf CLK_TCK). */
const TICKS_PER_SECOND = 100;

/** The fields after "(comm)", which may itself hold spaces and parentheses. */
function statFields(pid: number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    return s.slice(s.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

/** User + system CPU seconds of `pid` so far; null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  const f = statFields(pid);
  if (f === null) return null;
  // stat(5): utime and stime are fields 14 and 15, i.e. 11 and 12 after "(comm)".
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
}

/** Proportional set size in bytes; null once the process is gone. */
export function pssBytes(pid: number): number | null {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m?.[1] === undefined ? null : Number(m[1]) * 1024;
  } catch {
    return null;
  }
}

/** Every live descendant of `pid` (children, their children, ...). */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f !== null) parentOf.set(Number(name), Number(f[1]));
  }
  const out: number[] = [];
  const frontier = [pid];
  while (frontier.length > 0) {
    const p = frontier.pop();
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        out.push(child);
        frontier.push(child);
      }
    }
  }
  return out;
}

/** CPU seconds of a set of processes over a window: start() then stop(), summed per group. */
export class CpuWindow<G extends string> {
  private readonly start = new Map<number, number>();
  private t0 = 0;
  private readonly groups: ReadonlyMap<number, G>;

  constructor(groups: ReadonlyMap<number, G>) {
    this.groups = groups;
  }

  begin(): void {
    this.t0 = performance.now();
    for (const pid of this.groups.keys()) this.start.set(pid, cpuSeconds(pid) ?? 0);
  }

  /** Cores used per group over the window (CPU seconds / wall seconds), and the window's length. */
  end(): { cores: Map<G, number>; seconds: number } {
    const seconds = (performance.now() - this.t0) / 1000;
    const cores = new Map<G, number>();
    for (const [pid, group] of this.groups) {
      const used = (cpuSeconds(pid) ?? this.start.get(pid) ?? 0) - (this.start.get(pid) ?? 0);
      cores.set(group, (cores.get(group) ?? 0) + used / seconds);
    }
    return { cores, seconds };
  }
}
