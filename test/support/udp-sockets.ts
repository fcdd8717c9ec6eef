// Counts the UDP sockets a process tree holds, from /proc (Linux): a socket fd of the
// process whose inode is listed in /proc/net/udp or udp6. Tests use it to prove that
// ended sessions released their sockets — in this process (werift) and in its children
// (mediasoup workers) alike. Test code only.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** The rows (split into columns) of /proc/net/udp and udp6, header lines left out; a table that cannot be read adds none. */
function udpTableRows(): string[][] {
  const rows: string[][] = [];
  for (const table of ["/proc/net/udp", "/proc/net/udp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) rows.push(line.trim().split(/\s+/));
  }
  return rows;
}

function udpInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const cols of udpTableRows()) {
    const inode = cols[9];
    if (inode !== undefined) inodes.add(inode);
  }
  return inodes;
}

function socketInodes(pid: number): string[] {
  const out: string[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return out;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined) out.push(m[1]);
    } catch {
      // Closed while listing.
    }
  }
  return out;
}

/** `pid` and every process below it. */
export function processTree(pid: number = process.pid): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    const p = all[i] as number;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, "utf8").trim().split(/\s+/)) if (c !== "") all.push(Number(c));
      } catch {
        // The task ended while listing.
      }
    }
  }
  return all;
}

/** UDP sockets held by `pid` and its descendants. */
export function countUdpSockets(pid: number = process.pid): number {
  const udp = udpInodes();
  let n = 0;
  for (const p of processTree(pid)) for (const inode of socketInodes(p)) if (udp.has(inode)) n++;
  return n;
}

/** Local ports of the UDP sockets `pid` itself holds (not its children), from /proc/net/udp{,6}. */
export function udpPortsOf(pid: number): number[] {
  const portByInode = new Map<string, number>();
  for (const cols of udpTableRows()) {
    const local = cols[1];
    const inode = cols[9];
    if (local === undefined || inode === undefined) continue;
    portByInode.set(inode, Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16));
  }
  return socketInodes(pid).flatMap((inode) => {
    const port = portByInode.get(inode);
    return port === undefined ? [] : [port];
  });
}
