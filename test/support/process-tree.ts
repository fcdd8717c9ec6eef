// What a test process has left running: its descendant processes (from /proc), what CPU
// another process has used (benches), and whether a loopback TCP port can be bound again. For tests that check a start or a
// shutdown leaves nothing behind.
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** Every live process below `pid` (children, grandchildren…), read from /proc/<pid>/stat. */
export function descendantPids(pid: number = process.pid): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z") continue; // a zombie has exited; only its reaping is pending
    const ppid = Number(fields[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of parents.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** Linux USER_HZ: /proc/<pid>/stat times are in 1/100 s on every mainstream kernel. */
const CLOCK_TICKS_PER_S = 100;

/** CPU µs (user + system) another process has used so far, from /proc/<pid>/stat (fields 14, 15). */
export function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S) * 1e6;
}

/** True when nothing listens on 127.0.0.1:`port` (we could bind it). */
export function canBindTcp(port: number, host = "127.0.0.1"): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once("error", () => { resolve(false); });
    s.listen(port, host, () => s.close(() => { resolve(true); }));
  });
}
