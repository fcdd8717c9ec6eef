// The peers a region node talks to, as configured: each one's base URL and how its relay
// ports are reached from here (a NAT-style mapping, e.g. through the lab's WAN emulator).
// The receiving region names its real relay-in port in a pull; the SENDER maps it with its
// own per-peer mapping, since only the sender knows which address reaches the receiver.
import { ConfigError } from "../../core/errors.js";
import { regionSchema, type Region } from "../../core/region.js";
import type { UdpEndpoint } from "../media/engine.js";

export interface RelayPortMap {
  /** The port standing for `targetMin`; targetMin + k is reached at proxyBase + k. */
  proxyBase: number;
  targetMin: number;
  /** Upper bound of the peer's relay range; unbounded when absent. */
  targetMax?: number;
  /** Host to send to; the peer URL's host when absent. */
  host?: string;
}

export interface PeerConfig {
  region: Region;
  /** Base URL of the peer's HTTP API, e.g. http://127.0.0.1:7101. */
  url: string;
  relayPortMap?: RelayPortMap;
}

export interface Peer {
  region: Region;
  url: URL;
  relayPortMap: RelayPortMap | null;
}

export class PeerDirectory {
  private peers = new Map<Region, Peer>();
  /** Relay addresses peers advertised in their signed pulls (their --announce). */
  private readonly advertised = new Map<Region, string>();
  private readonly self: Region;

  constructor(self: Region, configs: readonly PeerConfig[]) {
    this.self = self;
    this.set(configs);
  }

  /** Replaces the peer list (the CLI's --peers, or a test that learns ports after start). */
  set(configs: readonly PeerConfig[]): void {
    this.peers = resolvePeers(this.self, configs);
  }

  get(region: Region): Peer | undefined {
    return this.peers.get(region);
  }

  regions(): Region[] {
    return [...this.peers.keys()].sort();
  }

  list(): Peer[] {
    return this.regions().map((r) => this.peers.get(r) as Peer);
  }

  /**
   * Records the relay address `region` advertised (its announced address) in a signed pull:
   * its relay-ins are reached there rather than at its URL's host (a load balancer, a name,
   * another interface). A configured port map still wins: it says how this host reaches the peer.
   */
  advertise(region: Region, address: string): void {
    if (this.peers.has(region)) this.advertised.set(region, address);
  }

  /** Where to send plain RTP so it reaches `region`'s relay-in port `port`; null when not allowed. */
  relayTarget(region: Region, port: number): UdpEndpoint | null {
    const peer = this.peers.get(region);
    if (peer === undefined) return null;
    const map = peer.relayPortMap;
    if (map === null) return { ip: this.advertised.get(region) ?? urlHost(peer.url), port };
    const host = map.host ?? urlHost(peer.url);
    if (port < map.targetMin || (map.targetMax !== undefined && port > map.targetMax)) return null;
    const mapped = map.proxyBase + (port - map.targetMin);
    return mapped > 65535 ? null : { ip: host, port: mapped };
  }
}

/** A URL's host as a socket address: IPv6 without its brackets. */
function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/**
 * Checks peer configs and builds the directory's map: valid region names, never this
 * region itself, each listed once, http(s) URLs. Pure, so a caller can validate before it
 * opens anything (the CLI does).
 */
export function resolvePeers(self: Region, configs: readonly PeerConfig[]): Map<Region, Peer> {
  const next = new Map<Region, Peer>();
  configs.forEach((c, i) => {
    if (!regionSchema.safeParse(c.region).success) throw new ConfigError(`peers[${i}].region`, c.region, "a region name like eu-central");
    if (c.region === self) throw new ConfigError(`peers[${i}].region`, c.region, "a region other than this one");
    if (next.has(c.region)) throw new ConfigError(`peers[${i}].region`, c.region, "a region listed once");
    let url: URL;
    try {
      url = new URL(c.url);
    } catch {
      throw new ConfigError(`peers[${i}].url`, c.url, "an http URL like http://127.0.0.1:7101");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError(`peers[${i}].url`, c.url, "an http or https URL");
    next.set(c.region, { region: c.region, url, relayPortMap: c.relayPortMap ?? null });
  });
  return next;
}
