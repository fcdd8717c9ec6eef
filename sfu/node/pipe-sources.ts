// Where a peer's relay pipe packets come from, as this region sees them: a sending pipe
// announces the local port it sends from (TrackMedia.sourcePort); its datagrams arrive from
// that port through the route to the peer — the peer's own address, or the port a WAN proxy
// maps it to (peers.ts relayTarget(), symmetric: what we send to is what we hear from).
// The engine pins each relay-in to these addresses (pipe-drop.ts). Pure over the directory.
import { isIP } from "node:net";
import type { Region } from "../../core/region.js";
import type { UdpEndpoint } from "../media/engine.js";
import { ANY_IP, type RelaySourceResolver } from "../media/pipe-drop.js";
import type { PeerDirectory } from "./peers.js";

/**
 * Where `region`'s pipe sending from `sourcePort` shows up here (null: no route); a peer
 * known by host name is matched on the port alone.
 */
export function pipeSourceOf(peers: PeerDirectory, region: Region, sourcePort: number): UdpEndpoint | null {
  const t = peers.relayTarget(region, sourcePort);
  return t === null ? null : { ip: isIP(t.ip) === 0 ? ANY_IP : t.ip, port: t.port };
}

/** One candidate per peer route (when the sending region is not known). */
export function pipeSourceResolver(peers: PeerDirectory): RelaySourceResolver {
  return (sourcePort) => peers.list().flatMap((p) => {
    const s = pipeSourceOf(peers, p.region, sourcePort);
    return s === null ? [] : [s];
  });
}
