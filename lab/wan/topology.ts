// Who is in the emulated world and how they address each other. Pure: validation of the
// endpoint list (loopback only, disjoint port ranges) and the relay port mapping a region
// is configured with, the way an SFU is told a NAT's port mapping.
//
// Mapping contract: for an ordered pair (from, to) the emulator listens on a contiguous
// proxy range; `from` reaches `to`'s relay port p at relay.host:(relay.proxyBase + p -
// relay.targetMin). Replies come back from `to`'s own proxy range towards `from`, so a
// pipe whose two ends were each given the other's mapped address sees exactly the source
// it expects.
import { ConfigError } from "../../core/errors.js";
import { regionSchema } from "../../core/region.js";

/** The only address the emulator listens on or sends to: no traffic ever leaves loopback. */
export const LOOPBACK_HOST = "127.0.0.1";

/**
 * 1024 ports per relay range: plenty for a lab region (a port per relay), while a typo like
 * mediasoup's default 10000-59999 would otherwise make the emulator bind 50k sockets per link.
 */
export const MAX_RELAY_RANGE_PORTS = 1024;

export type EndpointKind = "region" | "observer";

export interface PortRange {
  min: number;
  max: number;
}

export interface EndpointSpec {
  /** A region name (`eu-central`) or an outside endpoint's name (`analyzer`, `probes`). */
  name: string;
  /** Where the endpoint listens; only 127.0.0.1 is accepted. */
  host?: string;
  /** Its HTTP (TCP) port: heartbeats, relay API, announcements, or the analyzer's API. */
  httpPort?: number;
  /** The UDP ports it may receive relay media on, inclusive. */
  relayPortRange?: PortRange;
}

export interface Endpoint {
  name: string;
  kind: EndpointKind;
  httpPort: number | null;
  relayPortRange: PortRange | null;
}

/** How `from` reaches `to`'s relay ports through the emulator. */
export interface RelayPortMapping {
  host: string;
  /** `to`'s own relay port range. */
  targetMin: number;
  targetMax: number;
  /** The proxy port standing for targetMin; targetMin + k is reached at proxyBase + k. */
  proxyBase: number;
}

/** Everything `from` needs, as ordinary configuration, to talk to `to`. */
export interface WanRoute {
  from: string;
  to: string;
  /** Base URL for `to`'s HTTP API, or null when `to` has no httpPort. */
  httpUrl: string | null;
  httpPort: number | null;
  relay: RelayPortMapping | null;
}

/** The proxy port `from` sends to in order to reach `to`'s relay port `port`. */
export function mapRelayPort(mapping: RelayPortMapping, port: number): number {
  if (!Number.isInteger(port) || port < mapping.targetMin || port > mapping.targetMax) {
    throw new ConfigError("port", port, `a relay port in ${mapping.targetMin}-${mapping.targetMax}`);
  }
  return mapping.proxyBase + (port - mapping.targetMin);
}

/** The inverse of mapRelayPort: the target port a proxy port stands for, or null. */
export function unmapRelayPort(mapping: RelayPortMapping, proxyPort: number): number | null {
  const k = proxyPort - mapping.proxyBase;
  if (!Number.isInteger(k) || k < 0 || k > mapping.targetMax - mapping.targetMin) return null;
  return mapping.targetMin + k;
}

export function rangeSize(r: PortRange): number {
  return r.max - r.min + 1;
}

/** True for the addresses the emulator accepts as a target: loopback IPv4 only. */
export function isLoopbackTarget(host: string): boolean {
  return host === LOOPBACK_HOST || host === "localhost";
}

/** Validates the endpoint lists; throws ConfigError naming the first bad key. */
export function buildEndpoints(regions: readonly EndpointSpec[], observers: readonly EndpointSpec[]): Endpoint[] {
  const out: Endpoint[] = [];
  const names = new Set<string>();
  const lists = [
    ["regions", "region", regions],
    ["observers", "observer", observers],
  ] as const;
  for (const [listKey, kind, list] of lists) {
    list.forEach((spec, i) => {
      const at = `${listKey}[${i}]`;
      if (!regionSchema.safeParse(spec.name).success) {
        throw new ConfigError(`${at}.name`, spec.name, "a name like eu-central (lowercase letters, digits, dashes)");
      }
      if (names.has(spec.name)) throw new ConfigError(`${at}.name`, spec.name, "a name not used by another endpoint");
      names.add(spec.name);
      if (spec.host !== undefined && !isLoopbackTarget(spec.host)) {
        throw new ConfigError(`${at}.host`, spec.host, `${LOOPBACK_HOST}: the WAN emulator never sends traffic off loopback`);
      }
      if (spec.httpPort !== undefined && !isPort(spec.httpPort)) throw new ConfigError(`${at}.httpPort`, spec.httpPort, "a TCP port 1-65535");
      const r = spec.relayPortRange;
      if (r !== undefined) {
        if (!isPort(r.min)) throw new ConfigError(`${at}.relayPortRange.min`, r.min, "a UDP port 1-65535");
        if (!isPort(r.max) || r.max < r.min) throw new ConfigError(`${at}.relayPortRange.max`, r.max, `a UDP port from ${r.min} to 65535`);
        if (rangeSize(r) > MAX_RELAY_RANGE_PORTS) {
          throw new ConfigError(`${at}.relayPortRange`, `${r.min}-${r.max}`, `at most ${MAX_RELAY_RANGE_PORTS} ports`);
        }
        const clash = out.find((e) => e.relayPortRange !== null && overlaps(e.relayPortRange, r));
        if (clash !== undefined) throw new ConfigError(`${at}.relayPortRange`, `${r.min}-${r.max}`, `a range not overlapping ${clash.name}'s`);
      }
      out.push({ name: spec.name, kind, httpPort: spec.httpPort ?? null, relayPortRange: r ?? null });
    });
  }
  if (!out.some((e) => e.kind === "region")) throw new ConfigError("regions", regions, "at least one region");
  return out;
}

/** Directed links: every ordered pair of distinct endpoints except observer→observer. */
export function directedPairs(endpoints: readonly Endpoint[]): Array<[Endpoint, Endpoint]> {
  const pairs: Array<[Endpoint, Endpoint]> = [];
  for (const a of endpoints) {
    for (const b of endpoints) {
      if (a === b || (a.kind === "observer" && b.kind === "observer")) continue;
      pairs.push([a, b]);
    }
  }
  return pairs;
}

export function overlaps(a: PortRange, b: PortRange): boolean {
  return a.min <= b.max && b.min <= a.max;
}

function isPort(p: unknown): p is number {
  return typeof p === "number" && Number.isInteger(p) && p >= 1 && p <= 65535;
}
