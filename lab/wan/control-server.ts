// The WAN emulator's HTTP control API (for `relaywatch lab wan ...`, the scenario runner
// and people with curl), listening on 127.0.0.1 unless given another address (it changes the
// world's network: expose it only on purpose). Bad input gets a 4xx JSON error
// `{"error","detail"}`, never a crash. It never sends traffic itself.
import express, { type NextFunction, type Request, type Response } from "express";
import type { Server } from "node:http";
import type { z } from "zod";
import { ConfigError, errorMessage } from "../../core/errors.js";
import { silentLogger, type Logger } from "../../core/logger.js";
import { formatPath } from "../../core/validate.js";
import { cutBodySchema, linkPairBodySchema, setLinkBodySchema, type ControlErrorBody } from "./control-schema.js";
import { settingsToPatch } from "./link-params.js";
import { LOOPBACK_HOST } from "./topology.js";
import type { WanEmulator } from "./wan-emulator.js";

/** 16 KiB: the largest legitimate body is a partition of a few dozen region names. */
export const CONTROL_BODY_LIMIT = "16kb";

export interface WanControlOptions {
  emulator: WanEmulator;
  /** 0 (the default) for any free port. */
  port?: number;
  /** The address to listen on; loopback by default (the lab is one machine). */
  host?: string;
  logger?: Logger;
}

class BadRequest extends Error {
  readonly body: ControlErrorBody;
  readonly status: number;
  constructor(status: number, body: ControlErrorBody) {
    super(typeof body.detail === "string" ? body.detail : body.error);
    this.status = status;
    this.body = body;
  }
}

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new BadRequest(400, {
    error: "invalid_body",
    detail: { path: issue === undefined ? "" : formatPath(issue.path), message: issue?.message ?? "invalid body" },
  });
}

function param(req: Request, name: string): string {
  const v: unknown = req.params[name];
  return typeof v === "string" ? v : "";
}

export function createWanControlApp(emulator: WanEmulator, logger: Logger = silentLogger): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: CONTROL_BODY_LIMIT }));

  app.get("/healthz", (_req, res) => {
    res.json({ ok: !emulator.isClosed });
  });

  app.get("/v1/links", (_req, res) => {
    res.json({ links: emulator.listLinks(), cuts: emulator.activeCuts() });
  });

  app.get("/v1/links/:from/:to", (req, res) => {
    res.json({ link: linkOr404(() => emulator.getLink(param(req, "from"), param(req, "to"))) });
  });

  app.put("/v1/links/:from/:to", (req, res) => {
    const body = parseBody(setLinkBodySchema, req.body);
    const from = param(req, "from");
    const to = param(req, "to");
    const patch = settingsToPatch(body);
    linkOr404(() => emulator.getLink(from, to));
    const links = [emulator.setLink(from, to, patch)];
    if (body.both === true) links.push(emulator.setLink(to, from, patch));
    logger.info({ from, to, patch, both: body.both === true }, "control | link set");
    res.json({ links });
  });

  app.get("/v1/routes", (_req, res) => {
    res.json({ routes: emulator.endpoints.flatMap((e) => emulator.routesFrom(e.name)) });
  });

  for (const kind of ["partition", "isolate"] as const) {
    app.post(`/v1/${kind}`, (req, res) => {
      const body = parseBody(cutBodySchema, req.body);
      const handle = emulator[kind](body.regions, body.for);
      res.status(201).json({ cut: { id: handle.id, kind: handle.kind, names: handle.names } });
    });
  }

  app.post("/v1/link-down", (req, res) => {
    const body = parseBody(linkPairBodySchema, req.body);
    emulator.linkDown(body.between, body.for);
    res.json({ links: [emulator.getLink(body.between[0], body.between[1]), emulator.getLink(body.between[1], body.between[0])] });
  });

  app.post("/v1/link-up", (req, res) => {
    const body = parseBody(linkPairBodySchema, req.body);
    emulator.linkUp(body.between);
    res.json({ links: [emulator.getLink(body.between[0], body.between[1]), emulator.getLink(body.between[1], body.between[0])] });
  });

  app.post("/v1/heal", (_req, res) => {
    emulator.heal();
    res.json({ cuts: emulator.activeCuts() });
  });

  app.delete("/v1/cuts/:id", (req, res) => {
    const id = param(req, "id");
    if (!emulator.healCut(id)) throw new BadRequest(404, { error: "not_found", detail: `no active cut ${id}` });
    res.status(204).end();
  });

  app.get("/metrics", async (_req, res) => {
    res.type(emulator.registry.contentType).send(await emulator.registry.metrics());
  });

  app.use((req, res) => {
    res.status(404).json({ error: "not_found", detail: `${req.method} ${req.path}` } satisfies ControlErrorBody);
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const [status, body] = toErrorResponse(err);
    if (status >= 500) logger.error({ err: errorMessage(err) }, "control | request failed");
    res.status(status).json(body);
  });
  return app;
}

function linkOr404<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ConfigError) throw new BadRequest(404, { error: "not_found", detail: err.message });
    throw err;
  }
}

function toErrorResponse(err: unknown): [number, ControlErrorBody] {
  if (err instanceof BadRequest) return [err.status, err.body];
  if (err instanceof ConfigError) return [400, { error: "invalid_request", detail: err.message }];
  if (err instanceof Error && "type" in err) {
    // body-parser's errors carry a `type`
    if (err.type === "entity.parse.failed") return [400, { error: "invalid_json", detail: err.message }];
    if (err.type === "entity.too.large") return [413, { error: "body_too_large", detail: `at most ${CONTROL_BODY_LIMIT}` }];
  }
  // Every other client error body-parser names (unsupported charset or content-encoding: 415,
  // a body shorter than its Content-Length: 400...) is the client's, with its own status.
  const status = typeof err === "object" && err !== null && "status" in err ? err.status : undefined;
  if (typeof status === "number" && status >= 400 && status < 500) return [status, { error: "invalid_request", detail: errorMessage(err) }];
  return [500, { error: "internal", detail: errorMessage(err) }];
}

/** The control API, bound to 127.0.0.1 unless told another address. */
export class WanControlServer {
  private readonly server: Server;
  private readonly host: string;
  private closed = false;

  private constructor(server: Server, host: string) {
    this.server = server;
    this.host = host;
  }

  static async start(options: WanControlOptions): Promise<WanControlServer> {
    const app = createWanControlApp(options.emulator, options.logger);
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(options.port ?? 0, options.host ?? LOOPBACK_HOST, (err?: Error) => {
        if (err === undefined) resolve(s);
        else reject(err);
      });
    });
    return new WanControlServer(server, options.host ?? LOOPBACK_HOST);
  }

  get port(): number {
    const a = this.server.address();
    return a !== null && typeof a === "object" ? a.port : 0;
  }

  get url(): string {
    return `http://${this.host.includes(":") ? `[${this.host}]` : this.host}:${this.port}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}
