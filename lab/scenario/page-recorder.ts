// What the analyzer delivers, as a receiver sees it: a loopback endpoint speaking
// Alertmanager's API v2 (`POST /api/v2/alerts`), handed to the world's analyzer as its
// Alertmanager, that records pages (DESIGN: a notification delivered as firing with
// `severity: critical` and not muted — muted alerts are never sent — once per firing
// episode). Re-sends of the same episode (same fingerprint and startsAt) count once; an
// alert first delivered as a warning pages when it is first delivered as critical.
// It judges nothing: evaluate.ts counts the pages against the scenario's budget.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import type { Page } from "./evaluate.js";

const amAlertSchema = z.object({
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: z.string(),
  endsAt: z.string().optional(),
});
const amPostSchema = z.array(amAlertSchema);
type AmAlert = z.infer<typeof amAlertSchema>;

/** 8 MB: the analyzer batches at most 500 alerts with ≤ 2 kB of evidence each (~1.5 MB). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface PageRecorderOptions {
  /** Wall-clock ms; pages are stamped with the delivery time. */
  now?: () => number;
}

/** A delivered alert is firing while its endsAt lies ahead (Alertmanager's own rule). */
function firingAt(a: AmAlert, now: number): boolean {
  if (a.endsAt === undefined) return true;
  const ends = Date.parse(a.endsAt);
  return Number.isNaN(ends) || ends > now;
}

export class PageRecorder {
  readonly url: string;
  private readonly server: Server;
  private readonly now: () => number;
  private readonly episodes = new Map<string, { name: string; labels: Record<string, string>; at: number }>();
  private closed = false;

  private constructor(server: Server, now: () => number) {
    this.server = server;
    this.now = now;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(o: PageRecorderOptions = {}): Promise<PageRecorder> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => { resolve(); });
    });
    const r = new PageRecorder(server, o.now ?? Date.now);
    server.on("request", (req, res) => { r.handle(req, res); });
    return r;
  }

  /** Every page so far, first delivery first, with times relative to `t0`. */
  pages(t0: number): Page[] {
    return [...this.episodes.values()].sort((a, b) => a.at - b.at).map((p) => ({ name: p.name, labels: p.labels, atMs: p.at - t0 }));
  }

  /** Records one delivered batch (what a POST carries). */
  record(alerts: readonly AmAlert[]): void {
    const now = this.now();
    for (const a of alerts) {
      const { alertname, ...labels } = a.labels;
      if (alertname === undefined || labels["severity"] !== "critical" || !firingAt(a, now)) continue;
      const key = `${a.annotations["relaywatch_fingerprint"] ?? JSON.stringify(a.labels)}@${a.startsAt}`;
      if (!this.episodes.has(key)) this.episodes.set(key, { name: alertname, labels, at: now });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => { this.server.close(() => { resolve(); }); });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== "POST" || req.url !== "/api/v2/alerts") {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on("end", () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400).end("invalid JSON");
        return;
      }
      const parsed = amPostSchema.safeParse(body);
      if (!parsed.success) {
        res.writeHead(400).end(parsed.error.message);
        return;
      }
      this.record(parsed.data);
      res.writeHead(200).end();
    });
  }
}
