// TLS on real servers and clients (core/tls.ts): a private CA made by openssl in the test,
// region nodes serving HTTPS to each other, a client without the CA refused with an error
// that names --tls-ca, and the same client accepted once the CA is trusted.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tls from "node:tls";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { createHttpServer, describeRequestError, readServerTls, trustCaFile, type ServerTls } from "../../core/tls.js";
import { WeriftEngine } from "../../sfu/media/werift/werift-engine.js";
import { RegionNode } from "../../sfu/node/region-node.js";
import { portWindow } from "../conformance/engine-helpers.js";
import { skipWithout } from "../support/real-part.js";
import { OPENSSL, makeTestPki, type TestPki } from "../support/test-pki.js";

const SECRETS = { tokenSecret: "tls-test-token-secret-0123456789abcdef", relaySecret: "tls-test-relay-secret-0123456789abcdef" } as const;

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(skipWithout(OPENSSL !== null, "openssl"))("TLS servers and clients (core/tls.ts)", () => {
  const defaults = tls.getCACertificates("default");
  let dir = "";
  let pki: TestPki;
  let serverTls: ServerTls;
  const nodes: RegionNode[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "relaywatch-tls-"));
    pki = makeTestPki(dir, ["127.0.0.1"]);
    serverTls = readServerTls(pki.cert, pki.key) as ServerTls;
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    tls.setDefaultCACertificates(defaults);
    rmSync(dir, { recursive: true, force: true });
  });

  it("readServerTls() wants both files, PEM in each, and the key of the certificate", () => {
    expect(readServerTls(undefined, undefined)).toBeNull();
    expect(() => readServerTls(pki.cert, undefined)).toThrow(/--tls-key/);
    expect(() => readServerTls(undefined, pki.key)).toThrow(/--tls-cert/);
    const notPem = join(dir, "not.pem");
    writeFileSync(notPem, "hello\n");
    expect(() => readServerTls(notPem, pki.key)).toThrow(ConfigError);
    expect(() => readServerTls(pki.cert, join(dir, "missing.key"))).toThrow(/--tls-key.*missing\.key/);
    // The CA's key does not belong to the server certificate.
    expect(() => readServerTls(pki.cert, join(dir, "ca.key"))).toThrow(/the private key of/);
  });

  it("region nodes serve HTTPS; a client without the CA is refused naming --tls-ca, with it accepted; peers heartbeat over https", async () => {
    const [a, b] = await Promise.all(["eu-west", "eu-central"].map((region, i) => {
      const ports = portWindow(i);
      return RegionNode.start({
        region, tls: serverTls, listen: { host: "127.0.0.1", port: 0 },
        engine: new WeriftEngine({ rtpPortRange: ports, bindAddress: "127.0.0.1" }),
        registry: new Registry(), secrets: SECRETS, heartbeatMs: 100, heartbeatTimeoutMs: 500,
      });
    })) as [RegionNode, RegionNode];
    nodes.push(a, b);
    expect(a.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    a.setPeers([{ region: b.region, url: b.url }]);
    b.setPeers([{ region: a.region, url: a.url }]);

    const refused = await fetch(`${a.url}/healthz`).then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(Error);
    expect(describeRequestError(refused)).toMatch(/TLS certificate is not trusted.*--tls-ca/);
    // Peers are refused the same way: no heartbeat gets through.
    await new Promise((r) => setTimeout(r, 300));
    expect(a.snapshot().peers.find((p) => p.region === b.region)?.reachable ?? false).toBe(false);

    expect(trustCaFile(pki.caCert)).toBe(1);
    const res = await fetch(`${a.url}/healthz`);
    expect(res.status).toBe(200);
    await until("both peers reachable over https", () =>
      a.snapshot().peers.some((p) => p.region === b.region && p.reachable) && b.snapshot().peers.some((p) => p.region === a.region && p.reachable));
  });

  it("createHttpServer() without key material is plain HTTP", async () => {
    const server = createHttpServer(null, (_req, res) => { res.end("plain"); });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const port = (server.address() as { port: number }).port;
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("plain");
    } finally {
      await new Promise<void>((r) => server.close(() => { r(); }));
    }
  });

  it("trustCaFile() refuses a file without a certificate, naming the flag", () => {
    expect(() => trustCaFile(pki.key)).toThrow(/--tls-ca/);
  });
});
