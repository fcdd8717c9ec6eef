// Inter-region calls are signed for one destination: a call captured on its way to one
// region (the whole mesh shares the relay secret) and replayed to another is refused with
// 401, while the same call delivered where it was meant to go is accepted.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../core/clock.js";
import { createRelayCallAuth } from "../../sfu/node/auth-adapters.js";
import { PeerClient } from "../../sfu/node/peer-client.js";
import { PeerDirectory } from "../../sfu/node/peers.js";
import { RELAY_PATHS } from "../../sfu/node/relay-protocol.js";
import { labScope, SECRETS } from "./sfu-kit.js";

interface Captured {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A loopback HTTP server standing in for the network between two regions: it records one call. */
async function startCapture(): Promise<{ url: string; calls: Captured[]; close(): Promise<void> }> {
  const calls: Captured[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k.startsWith("x-relaywatch-")) headers[k] = v;
      calls.push({ url: req.url ?? "", headers, body });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }),
  };
}

describe("relay call signatures name the destination region", () => {
  const scope = labScope();

  it("refuses with 401 a call signed for region b and replayed to region c; b accepts it", async () => {
    const lab = await scope.start({ regions: ["b", "c"] });
    const capture = scope.defer(await startCapture());
    // Region a's real client, sending to "b" — whose address is the capturing server.
    const client = new PeerClient("a", new PeerDirectory("a", [{ region: "b", url: capture.url }]), createRelayCallAuth(SECRETS.relaySecret, systemClock));
    const sent = await client.post("b", RELAY_PATHS.heartbeat, { region: "a", ts: Date.now() });
    client.close();
    expect(sent.ok).toBe(true);
    const call = capture.calls[0];
    expect(call).toBeDefined();
    if (call === undefined) return;

    const replay = (region: "b" | "c"): Promise<Response> =>
      fetch(`${lab.node(region).url}${call.url}`, { method: "POST", body: call.body, headers: { "content-type": "application/json", ...call.headers } });
    const toC = await replay("c");
    expect(toC.status).toBe(401);
    expect(await toC.json()).toMatchObject({ error: "bad_signature" });
    // The captured call itself was valid: delivered to its destination, it is accepted.
    const toB = await replay("b");
    expect(toB.status).toBe(200);
    expect(await toB.json()).toMatchObject({ region: "b" });
  });
});
