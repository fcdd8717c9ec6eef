// Trace export from the real `relaywatch sfu` process: with OTEL_EXPORTER_OTLP_ENDPOINT set
// (the standard OpenTelemetry variable), its spans reach an OTLP/HTTP receiver on loopback —
// here a WHEP subscribe's span, continuing the caller's W3C traceparent, named and
// attributed, with the bearer token nowhere in what is exported. Unset, nothing is exported.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startTracing } from "../../cli/tracing.js";
import { portWindow } from "../conformance/engine-helpers.js";
import { freePort, waitFor } from "../support/ports.js";
import { prepareSubscriber, SECRETS, token } from "./sfu-kit.js";

const BIN = join(import.meta.dirname, "../../cli/bin.mjs");
const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

interface OtlpBody {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: { name: string; traceId: string; attributes?: KeyValue[] }[] }[] }[];
}
interface KeyValue {
  key: string;
  value: { stringValue?: string };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver(): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (d: string) => (body += d));
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/v1/traces") bodies.push(body);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => { resolve(); }); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

function attr(list: readonly KeyValue[] | undefined, key: string): string | undefined {
  return list?.find((a) => a.key === key)?.value.stringValue;
}

describe("OTLP trace export (relaywatch sfu)", () => {
  it("sends the WHEP subscribe span, in the caller's trace, to OTEL_EXPORTER_OTLP_ENDPOINT, without the token", async () => {
    const rx = await receiver();
    const port = await freePort();
    const relay = portWindow(7);
    const child: ChildProcess = spawn(process.execPath, [BIN, "sfu", "--region", "eu-west", "--listen", `127.0.0.1:${port}`, "--relay-ports", `${relay.min}-${relay.max}`, "--log-level", "warn"], {
      env: { ...process.env, RELAYWATCH_TOKEN_SECRET: SECRETS.tokenSecret, RELAYWATCH_RELAY_SECRET: SECRETS.relaySecret, OTEL_EXPORTER_OTLP_ENDPOINT: rx.url, OTEL_BSP_SCHEDULE_DELAY: "100" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => { resolve(code); }));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    });
    const url = `http://127.0.0.1:${port}`;
    expect(await waitFor(() => fetch(`${url}/healthz`).then((r) => r.ok, () => false), 20_000), stderr).toBe(true);

    const track = "probe/nobody-publishes-this";
    const bearer = token(track);
    const { subscriber, offer } = await prepareSubscriber("audio");
    cleanups.push(() => subscriber.close());
    const res = await fetch(`${url}/whep/${track}`, {
      method: "POST", body: offer,
      headers: { "content-type": "application/sdp", authorization: `Bearer ${bearer}`, traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(404);

    const spanIn = (body: string): boolean => body.includes('"whep.subscribe"');
    expect(await waitFor(() => rx.bodies.some(spanIn), 10_000), `bodies: ${rx.bodies.join("\n")}\nstderr: ${stderr}`).toBe(true);
    const body = JSON.parse(rx.bodies.find(spanIn)!) as OtlpBody;
    const rs = body.resourceSpans?.[0];
    expect(attr(rs?.resource?.attributes, "service.name")).toBe("relaywatch-sfu");
    expect(attr(rs?.resource?.attributes, "relaywatch.region")).toBe("eu-west");
    const span = rs?.scopeSpans?.flatMap((s) => s.spans ?? []).find((s) => s.name === "whep.subscribe");
    expect(span?.traceId).toBe(TRACE_ID);
    expect(attr(span?.attributes, "relaywatch.track")).toBe(track);
    for (const b of rx.bodies) expect(b).not.toContain(bearer);

    child.kill("SIGTERM");
    expect(await exited, stderr).toBe(0);
  }, 60_000);

  it("registers nothing unless an OTLP endpoint is set, or when OTEL_SDK_DISABLED=true", async () => {
    expect(await startTracing("sfu", {}, {})).toBeNull();
    expect(await startTracing("sfu", {}, { OTEL_EXPORTER_OTLP_ENDPOINT: "" })).toBeNull();
    expect(await startTracing("sfu", {}, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "true" })).toBeNull();
  });
});
