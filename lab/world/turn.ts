// One coturn (`turnserver`, Debian package coturn 4.6) per lab region: the region's TURN
// service, which the region's probe agent measures (probes/turn/). Config in a file (mode
// 600: the shared secret is not on any command line), TURN REST API auth (use-auth-secret,
// the scheme the agents derive credentials from), loopback only, no TLS/DTLS, no CLI, its
// own user DB and pid file (never the system's /var/lib/turn). Ready means: an Allocate
// with fresh credentials succeeds. Without turnserver installed the lab runs without TURN
// probes and says so.
import { accessSync, constants, writeFileSync } from "node:fs";
import { join } from "node:path";
import { systemClock, type Clock } from "../../core/clock.js";
import { RelaywatchError } from "../../core/errors.js";
import type { Region } from "../../core/region.js";
import { allocate, describeAllocation } from "../../probes/turn/allocate.js";
import { restCredentials } from "../../probes/turn/credentials.js";
import { parseTurnServer, type TurnServer } from "../../probes/turn/ice-server.js";

/** Where Debian puts it; PATH is not searched, so a lab never runs a stray binary. */
export const TURNSERVER_PATHS = ["/usr/bin/turnserver", "/usr/local/bin/turnserver"];
/**
 * Relay ports 61000–65000: above Linux's default ephemeral range (32768–60999), where the
 * lab's own free-port allocator hands out SFU relay ranges, so coturn never takes a port a
 * region node is about to bind. Several coturns share the range; each skips ports in use.
 */
export const TURN_RELAY_PORTS = { min: 61_000, max: 65_000 } as const;
export const TURN_REALM = "relaywatch.lab";
/** 10 s: coturn starts in well under a second; a loaded 2-core CI machine gets ten times that. */
const READY_TIMEOUT_MS = 10_000;

export function findTurnserver(paths: readonly string[] = TURNSERVER_PATHS): string | null {
  for (const p of paths) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

export interface CoturnPlan {
  region: Region;
  port: number;
  /** The region's TURN server as its probe agent's --ice-server takes it. */
  url: string;
  configFile: string;
}

/** turnserver.conf for one region (pure but for the file name). */
export function coturnConfig(o: { port: number; dir: string; region: Region; secret: string }): string {
  return [
    "listening-ip=127.0.0.1",
    "relay-ip=127.0.0.1",
    `listening-port=${o.port}`,
    `min-port=${TURN_RELAY_PORTS.min}`,
    `max-port=${TURN_RELAY_PORTS.max}`,
    "use-auth-secret",
    `static-auth-secret=${o.secret}`,
    `realm=${TURN_REALM}`,
    // The lab's SFUs listen on loopback: without this coturn refuses them as peers (403).
    "allow-loopback-peers",
    "no-tls",
    "no-dtls",
    "no-cli",
    "no-tcp-relay",
    "no-software-attribute",
    "fingerprint",
    "simple-log",
    "log-file=stdout",
    `userdb=${join(o.dir, `turndb-${o.region}`)}`,
    `pidfile=${join(o.dir, `turnserver-${o.region}.pid`)}`,
    "",
  ].join("\n");
}

/** Writes one region's config (mode 600) and returns how to run it. */
export function planCoturn(o: { region: Region; port: number; dir: string; secret: string }): CoturnPlan {
  const configFile = join(o.dir, `turnserver-${o.region}.conf`);
  writeFileSync(configFile, coturnConfig(o), { mode: 0o600 });
  return { region: o.region, port: o.port, url: `turn:127.0.0.1:${o.port}?transport=udp`, configFile };
}

export function coturnArgs(plan: CoturnPlan): string[] {
  return ["-c", plan.configFile];
}

/** Resolves once an Allocate on `server` succeeds; rejects with the last failure after the deadline. */
export async function waitTurnReady(server: TurnServer | string, secret: string, o: { timeoutMs?: number; clock?: Clock } = {}): Promise<void> {
  const s = typeof server === "string" ? parseTurnServer("turn", server) : server;
  const clock = o.clock ?? systemClock;
  const deadline = clock.now() + (o.timeoutMs ?? READY_TIMEOUT_MS);
  for (;;) {
    const a = await allocate({ server: s, credentials: restCredentials(secret, "lab-ready", clock.now()), clock, timeoutMs: 1000, bindAddress: "127.0.0.1" });
    if (a.ok) return;
    if (clock.now() > deadline) throw new RelaywatchError("timeout", `TURN server ${s.url} not ready: ${describeAllocation(a)}`);
    await new Promise<void>((r) => {
      clock.setTimeout(r, 100);
    });
  }
}

/** The lab's TURN servers, one per region, under the world's supervisor (`turn-<region>`). */
export interface TurnFleetOptions {
  regions: readonly Region[];
  /** Holds the shared secret (mode 600) and the servers' configs, DBs and pid files. */
  dir: string;
  binary: string;
  /** Starts a child process under the world's supervisor (no readiness URL: see waitTurnReady). */
  start: (spec: { name: string; command: string; args: string[] }) => Promise<void>;
  /** Stops a child the fleet started (SIGTERM, then SIGKILL). */
  stop: (name: string) => Promise<void>;
  /** One free loopback port. */
  port: () => Promise<number>;
}

/** TURN REST API shared secret of the lab's servers, in its data directory: the agents read it. */
export const TURN_SECRET_FILE = "turn.secret";

export class TurnFleet {
  readonly secretFile: string;
  private readonly plans = new Map<Region, CoturnPlan>();
  private readonly secret: string;
  private readonly o: TurnFleetOptions;

  private constructor(o: TurnFleetOptions, secret: string) {
    this.o = o;
    this.secret = secret;
    this.secretFile = join(o.dir, TURN_SECRET_FILE);
    writeFileSync(this.secretFile, `${secret}\n`, { mode: 0o600 });
  }

  /** Starts every region's coturn and waits until each allocates. */
  static async start(o: TurnFleetOptions, secret: string): Promise<TurnFleet> {
    const fleet = new TurnFleet(o, secret);
    for (const region of o.regions) fleet.plans.set(region, planCoturn({ region, port: await o.port(), dir: o.dir, secret }));
    await Promise.all(o.regions.map((r) => fleet.up(r)));
    return fleet;
  }

  /** The region's TURN URI for its probe agent's --ice-server. */
  url(region: Region): string {
    return this.plan(region).url;
  }

  /** Stops the region's TURN server (a scenario's turnDown). */
  async down(region: Region): Promise<void> {
    await this.o.stop(`turn-${region}`);
  }

  /** Starts the region's TURN server (again) on the same port and waits until it allocates. */
  async up(region: Region): Promise<void> {
    const plan = this.plan(region);
    await this.o.start({ name: `turn-${region}`, command: this.o.binary, args: coturnArgs(plan) });
    await waitTurnReady(plan.url, this.secret);
  }

  private plan(region: Region): CoturnPlan {
    const p = this.plans.get(region);
    if (p === undefined) throw new RelaywatchError("not_found", `no TURN server for region ${region}`);
    return p;
  }
}
