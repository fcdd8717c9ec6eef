// Ports for a lab world on loopback, chosen outside Linux's ephemeral range (32768–60999
// by default). A port picked with bind-and-release and bound later by a child process can
// otherwise be handed out in between as the ephemeral port of someone's outgoing socket
// or port-0 listener (the WAN emulator's proxies, werift's ICE sockets): the child then
// fails with EADDRINUSE. The WAN emulator's UDP proxies use 20000–32000 (lab/wan).
import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Region } from "../../core/region.js";
import type { WorldPorts } from "./plan.js";
import { RELAY_PORTS_PER_REGION } from "./plan.js";

/** TCP listeners (region and analyzer HTTP, WAN control, probe metrics): above the ephemeral range. */
export const TCP_PORT_LOW = 61_000;
export const TCP_PORT_HIGH = 65_000;
/** UDP relay ranges: below the tests' band (15000–19999) and the WAN emulator's proxy range. */
export const RELAY_PORT_LOW = 10_000;
export const RELAY_PORT_HIGH = 14_999;
const ATTEMPTS = 200;

/**
 * Cross-process reservations. Two worlds starting at once (parallel test files, a
 * developer's `up` beside a test run) could both find a port free and both hand it to a
 * child; the loser's readiness check would then reach the winner's process. A port is
 * taken only by creating `<dir>/<proto>-<port>` exclusively; a file whose owner pid is
 * dead is stale and reclaimed. Reservations last for the owning process's lifetime.
 */
const RESERVATION_DIR = join(tmpdir(), "relaywatch-port-reservations");

function reserve(proto: "tcp" | "udp", port: number): boolean {
  mkdirSync(RESERVATION_DIR, { recursive: true });
  const file = join(RESERVATION_DIR, `${proto}-${port}`);
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" });
    return true;
  } catch {
    const owner = Number(readFileSync(file, "utf8"));
    if (owner === process.pid || pidAlive(owner)) return false;
    try {
      unlinkSync(file);
      writeFileSync(file, String(process.pid), { flag: "wx" });
      return true;
    } catch {
      return false;
    }
  }
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tcpFree(port: number): Promise<boolean> {
  const srv = createServer();
  return new Promise((resolve) => {
    srv.once("error", () => { resolve(false); });
    srv.listen(port, "127.0.0.1", () => srv.close(() => { resolve(true); }));
  });
}

function udpFree(port: number): Promise<boolean> {
  const sock = createSocket("udp4");
  return new Promise((resolve) => {
    sock.once("error", () => { sock.close(); resolve(false); });
    sock.bind(port, "127.0.0.1", () => sock.close(() => { resolve(true); }));
  });
}

/** A loopback TCP port outside the ephemeral range that is free now. */
export async function freePort(taken: ReadonlySet<number> = new Set()): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = randomInt(TCP_PORT_LOW, TCP_PORT_HIGH);
    if (!taken.has(port) && (await tcpFree(port)) && reserve("tcp", port)) return port;
  }
  throw new Error(`no free loopback TCP port in ${TCP_PORT_LOW}-${TCP_PORT_HIGH}`);
}

/** `size` consecutive UDP ports below the WAN emulator's range, all free now. */
export async function freeUdpRange(size: number, taken: readonly { min: number; max: number }[] = []): Promise<{ min: number; max: number }> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const min = RELAY_PORT_LOW + size * randomInt(0, Math.floor((RELAY_PORT_HIGH - RELAY_PORT_LOW) / size));
    const max = min + size - 1;
    if (taken.some((t) => min <= t.max && t.min <= max)) continue;
    let ok = true;
    for (let p = min; p <= max && ok; p++) ok = await udpFree(p);
    // Bases are multiples of `size` above RELAY_PORT_LOW, so equal-size ranges never
    // overlap and reserving a range's first port reserves the range.
    if (ok && reserve("udp", min)) return { min, max };
  }
  throw new Error(`no ${size} free consecutive UDP ports in ${RELAY_PORT_LOW}-${RELAY_PORT_HIGH}`);
}

export async function allocateWorldPorts(regions: readonly Region[]): Promise<WorldPorts> {
  const tcp = new Set<number>();
  const next = async (): Promise<number> => {
    const p = await freePort(tcp);
    tcp.add(p);
    return p;
  };
  const ranges: { min: number; max: number }[] = [];
  const regionPorts = new Map<Region, { http: number; relay: { min: number; max: number } }>();
  for (const r of regions) {
    const relay = await freeUdpRange(RELAY_PORTS_PER_REGION, ranges);
    ranges.push(relay);
    regionPorts.set(r, { http: await next(), relay });
  }
  const probeMetrics = new Map<Region, number>();
  for (const r of regions) probeMetrics.set(r, await next());
  return { regions: regionPorts, analyzer: await next(), wanControl: await next(), probeMetrics };
}
