// A real region node on loopback whose only peer is a URL where nothing listens: within a
// heartbeat its peer is unreachable, which is what RegionUnreachable is about. Used by the
// metric-name test (scraped /metrics) and the Prometheus integration test.
import { createServer } from "node:net";
import { Registry } from "prom-client";
import { portWindow } from "../conformance/engine-helpers.js";
import { WeriftEngine } from "../../sfu/media/werift/werift-engine.js";
import { RegionNode } from "../../sfu/node/region-node.js";

/** 32+ bytes each: the node refuses shorter secrets. */
const SECRETS = { tokenSecret: "dashboards-test-token-secret-0123456789", relaySecret: "dashboards-test-relay-secret-0123456789" } as const;

/** A loopback port nothing listens on (bound, read, released). */
export async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const address = s.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => s.close(() => { resolve(); }));
  return port;
}

export async function startRegionWithDeadPeer(region: string, peer: string): Promise<RegionNode> {
  const base = portWindow(0).min;
  return RegionNode.start({
    region,
    listen: { host: "127.0.0.1", port: 0 },
    engine: new WeriftEngine({ rtpPortRange: { min: base, max: base + 31 }, bindAddress: "127.0.0.1" }),
    registry: new Registry(),
    secrets: SECRETS,
    peers: [{ region: peer, url: `http://127.0.0.1:${await deadPort()}` }],
    heartbeatMs: 200,
    heartbeatTimeoutMs: 150,
  });
}
