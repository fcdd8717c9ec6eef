// Where a peer's relay pipe packets come from, as this region sees them: a sending pipe
// announces the local port it sends from (TrackMedia.sourcePort); its datagrams arrive from
// that port through the route to the peer — the peer's own address, or the port a WAN proxy
// maps it to (peers.ts relayTarget(), symmetric: what we send to is what we hear from).
// The engine pins each relay-in to these addresses (pipe-drop.ts). Pure over the directory.
import { isIP } from "node:net";
import type { UdpEndpoint } from "../media/engine.js";
import { ANY_IP, type RelaySourceResolver } from "../media/pipe-drop.js";
import type { PeerDirectory } from "./peers.js";

/** One candidate per peer route; a peer known by host name is matched on the port alone. */
export function pipeSourceResolver(peers: PeerDirectory): RelaySourceResolver {
  return (sourcePort) => {
    const out: UdpEndpoint[] = [];
    for (const p of peers.list()) {
      const t = peers.relayTarget(p.region, sourcePort);
      if (t !== null) out.push({ ip: isIP(t.ip) === 0 ? ANY_IP : t.ip, port: t.port });
    }
    return out;
  };
}
