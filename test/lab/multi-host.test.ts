// relaywatch across hosts: three regions, their probe agents and the analyzer, each in its
// own Linux network namespace with its own private address on a bridge (test/support/netns.ts),
// the package installed from its tarball with --omit=dev, TLS everywhere (a private CA made
// here), tokens on (WHIP/WHEP, relay HMAC, analyzer and agent tokens). Nothing of the world
// talks over 127.0.0.1: the SFUs listen on 0.0.0.0 and announce their address, the agents
// bind theirs. Every ordered pair must be ok; then one region's SFU is killed and the
// analyzer must fire RegionUnreachable for it. Teardown kills every process and deletes
// every namespace, also when the test fails. Needs root: CI must run it (fails without).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueAgentToken } from "../../analyzer/ingest/agent-token.js";
import { alertsResponseSchema, overviewSchema, type Overview } from "../../core/analyzer-api.js";
import type { Alert } from "../../core/alert.js";
import { installRelaywatch } from "../support/installed-package.js";
import { NetnsHttpClient, NetnsWorld, netnsSupport, type HostProcess } from "../support/netns.js";
import { skipWithout } from "../support/real-part.js";
import { OPENSSL, makeTestPki, type TestPki } from "../support/test-pki.js";

const REGIONS = ["us-east", "eu-central", "ap-south"] as const;
const SFU_PORT = 7101;
const ANALYZER_PORT = 7700;
const METRICS_PORT = 9464;
const support = netnsSupport();
const skip = skipWithout(support.ok && OPENSSL !== null, support.ok ? "openssl" : `Linux network namespaces (${support.reason})`);

/**
 * Hosts and their last address octet: SFUs .11-.13, agents .21-.23, the analyzer .2, the
 * test's own client .99. Loopback is down everywhere but on the SFU that may run mediasoup
 * (its worker's internal legs are loopback): 127.0.0.1 does not even exist there.
 */
const HOSTS = [
  { name: "analyzer", octet: 2, loopback: false },
  ...REGIONS.map((r, i) => ({ name: `sfu-${r}`, octet: 11 + i, loopback: r === REGIONS[2] })),
  ...REGIONS.map((r, i) => ({ name: `probe-${r}`, octet: 21 + i, loopback: false })),
  { name: "client", octet: 99, loopback: false },
];

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | null>, describeLast: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${describeLast()}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

describe.skipIf(skip)("relaywatch on separate hosts (network namespaces, TLS, installed package)", () => {
  let dir = "";
  let world: NetnsWorld | null = null;
  let client: NetnsHttpClient;
  let pki: TestPki;
  const sfus = new Map<string, HostProcess>();
  const all: HostProcess[] = [];
  const analyzerToken = randomBytes(24).toString("hex");
  const secrets = { RELAYWATCH_TOKEN_SECRET: randomBytes(32).toString("hex"), RELAYWATCH_RELAY_SECRET: randomBytes(32).toString("hex") };

  const url = (host: string, port: number): string => `https://${world?.host(host).address ?? "?"}:${port}`;
  const logs = (): string => all.map((p) => `--- ${p.host.name} (exit ${String(p.child.exitCode ?? p.child.signalCode)})\n${p.output().slice(-3000)}`).join("\n");

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "relaywatch-multihost-"));
    const pkg = installRelaywatch(dir);
    world = NetnsWorld.create(HOSTS);
    const w = world;
    pki = makeTestPki(dir, HOSTS.map((h) => w.host(h.name).address));
    const tls = ["--tls-cert", pki.cert, "--tls-key", pki.key, "--tls-ca", pki.caCert];
    const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: dir };
    const run = (host: string, args: string[], extraEnv: Record<string, string> = {}): HostProcess => {
      const p = w.spawn(host, process.execPath, [pkg.bin, ...args], { env: { ...env, ...extraEnv }, cwd: dir });
      all.push(p);
      return p;
    };
    const analyzerUrl = url("analyzer", ANALYZER_PORT);
    const configFile = join(dir, "relaywatch.yaml");
    writeFileSync(configFile, `${JSON.stringify({
      regions: REGIONS.map((r) => ({ name: r, url: url(`sfu-${r}`, SFU_PORT) })),
      analyzer: { listen: `${w.host("analyzer").address}:${ANALYZER_PORT}` },
      store: { spoolDir: join(dir, "spool") },
    })}\n`);
    run("analyzer", ["analyze", "--config", configFile, "--no-store", ...tls, "--log-level", "warn"], { RELAYWATCH_ANALYZER_TOKEN: analyzerToken });
    for (const r of REGIONS) {
      const peers = REGIONS.filter((o) => o !== r).map((o) => `${o}=${url(`sfu-${o}`, SFU_PORT)}`).join(",");
      sfus.set(r, run(`sfu-${r}`, [
        "sfu", "--region", r, "--listen", `0.0.0.0:${SFU_PORT}`, "--announce", w.host(`sfu-${r}`).address, "--peers", peers,
        // The last region on the default engine (auto: mediasoup when the installed package finds a
        // built worker, else werift — a fresh --omit=dev install has none), the others on werift.
        "--engine", r === REGIONS[2] ? "auto" : "werift", "--witness", `${analyzerUrl}/healthz`, ...tls, "--log-level", "warn",
      ], secrets));
    }
    for (const r of REGIONS) {
      const self = w.host(`probe-${r}`).address;
      run(`probe-${r}`, [
        "probe", "--region", r, "--regions", REGIONS.join(","), "--sfu", url(`sfu-${r}`, SFU_PORT), "--analyzer", analyzerUrl,
        "--bind", self, "--metrics-host", self, "--metrics-port", String(METRICS_PORT), "--interval", "1s", "--rotate", "10s",
        "--spool-dir", join(dir, `spool-${r}`), ...tls, "--log-level", "warn",
      ], { RELAYWATCH_TOKEN_SECRET: secrets.RELAYWATCH_TOKEN_SECRET, RELAYWATCH_ANALYZER_TOKEN: issueAgentToken(analyzerToken, r) });
    }
    client = new NetnsHttpClient(w, "client", pki.caCert);
  }, 600_000);

  afterAll(async () => {
    const w = world;
    world = null;
    try {
      await w?.destroy();
      expect(w?.remainingNamespaces() ?? []).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  const auth = (): Record<string, string> => ({ authorization: `Bearer ${analyzerToken}` });

  it("every ordered region pair is ok, measured across hosts over TLS", async () => {
    let last: Overview | null = null;
    const overview = await until("every pair ok", 150_000, async () => {
      const res = await client.get(`${url("analyzer", ANALYZER_PORT)}/v1/overview`, auth());
      if (res.status !== 200) return null;
      last = overviewSchema.parse(JSON.parse(res.body));
      const ok = last.pairs.filter((p) => p.src !== p.dst && p.status === "ok");
      return ok.length === REGIONS.length * (REGIONS.length - 1) ? last : null;
    }, () => `${JSON.stringify(last?.pairs.map((p) => `${p.src}>${p.dst}:${p.status}:${p.reason}`))}\n${logs()}`);
    expect(overview.regions.every((r) => r.connected)).toBe(true);
    // The agents' metrics are served where told (their own address), over TLS.
    const metrics = await client.get(`${url(`probe-${REGIONS[0]}`, METRICS_PORT)}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain("relaywatch_probe_");
    // Without the token the analyzer refuses.
    expect((await client.get(`${url("analyzer", ANALYZER_PORT)}/v1/overview`)).status).toBe(401);
  }, 180_000);

  it("a region whose SFU dies is RegionUnreachable", async () => {
    const victim = REGIONS[2];
    const sfu = sfus.get(victim);
    if (sfu === undefined || world === null) throw new Error("no world");
    await world.kill(sfu);
    let last: Alert[] = [];
    const alert = await until(`RegionUnreachable for ${victim}`, 60_000, async () => {
      const res = await client.get(`${url("analyzer", ANALYZER_PORT)}/v1/alerts`, auth());
      if (res.status !== 200) return null;
      last = alertsResponseSchema.parse(JSON.parse(res.body)).alerts;
      return last.find((a) => a.name === "RegionUnreachable" && a.labels["region"] === victim && a.state === "firing") ?? null;
    }, () => `${JSON.stringify(last.map((a) => `${a.name}:${JSON.stringify(a.labels)}:${a.state}`))}\n${logs()}`);
    expect(alert.labels["region"]).toBe(victim);
  }, 90_000);
});
