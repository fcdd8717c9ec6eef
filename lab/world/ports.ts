// Ports for a lab world on loopback. HTTP ports: bind-and-release (free a moment ago; the
// child binds it right after). Relay ranges: a random base, so two worlds on one machine
// (a developer's `up` and a test run) rarely meet; the engine reports a clear error if so.
import { randomInt } from "node:crypto";
import { createServer } from "node:net";
import type { Region } from "../../core/region.js";
import type { WorldPorts } from "./plan.js";
import { RELAY_PORTS_PER_REGION } from "./plan.js";

/** Above the WAN emulator's proxy range (20000–32000) and below Linux's ephemeral ports (32768+)… */
const RELAY_BASE_LOW = 33_000;
/** …is too narrow for many worlds, so relay ranges sit above the ephemeral range's usual end instead. */
const RELAY_BASE_HIGH = 60_000;

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", resolve);
  });
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => { resolve(); }));
  if (addr === null || typeof addr === "string") throw new Error("could not allocate a loopback port");
  return addr.port;
}

export async function allocateWorldPorts(regions: readonly Region[]): Promise<WorldPorts> {
  const span = regions.length * RELAY_PORTS_PER_REGION;
  const base = randomInt(RELAY_BASE_LOW, RELAY_BASE_HIGH - span);
  const regionPorts = new Map<Region, { http: number; relay: { min: number; max: number } }>();
  for (const [i, r] of regions.entries()) {
    const min = base + i * RELAY_PORTS_PER_REGION;
    regionPorts.set(r, { http: await freePort(), relay: { min, max: min + RELAY_PORTS_PER_REGION - 1 } });
  }
  const probeMetrics = new Map<Region, number>();
  for (const r of regions) probeMetrics.set(r, await freePort());
  return { regions: regionPorts, analyzer: await freePort(), wanControl: await freePort(), probeMetrics };
}
