// A real loopback HTTP receiver that records every JSON body POSTed to it: stands in for
// an on-call webhook (Slack bridge, PagerDuty relay) in tests.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface WebhookReceiver {
  url: string;
  bodies: unknown[];
  /** Resolves with the first recorded body matching `pred`, or rejects after `timeoutMs`. */
  waitFor(pred: (body: unknown) => boolean, timeoutMs?: number): Promise<unknown>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(path = "/hook"): Promise<WebhookReceiver> {
  const bodies: unknown[] = [];
  const waiters: { pred: (b: unknown) => boolean; resolve: (b: unknown) => void }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        body = { unparsable: Buffer.concat(chunks).toString("utf8") };
      }
      bodies.push(body);
      for (const w of [...waiters]) {
        if (w.pred(body)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(body);
        }
      }
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  let closed = false;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    bodies,
    waitFor(pred, timeoutMs = 10_000) {
      const hit = bodies.find(pred);
      if (hit !== undefined) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (b: unknown) => { clearTimeout(t); resolve(b); } };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`no matching webhook body within ${timeoutMs} ms; got ${JSON.stringify(bodies).slice(0, 500)}`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => { r(); }));
    },
  };
}
