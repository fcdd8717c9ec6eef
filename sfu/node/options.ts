// RegionNode options: what a test or the CLI passes, and the resolved form with defaults.
// Config errors name the key, the value and what was expected.
import { isIP } from "node:net";
import { trace, type Tracer } from "@opentelemetry/api";
import { Registry } from "prom-client";
import { systemClock, type Clock } from "../../core/clock.js";
import { ConfigError } from "../../core/errors.js";
import { silentLogger, type Logger } from "../../core/logger.js";
import { regionSchema, type Region } from "../../core/region.js";
import type { ServerTls } from "../../core/tls.js";
import { MIN_SECRET_BYTES } from "../auth/tokens.js";
import type { IsolationOptions } from "../health/isolation-policy.js";
import type { WhipHttpOptions } from "../http/whip-http.js";
import type { PeerTableOptions } from "../health/peer-table.js";
import type { AccessTokenVerifier } from "../http/access-tokens.js";
import type { MediaEngine } from "../media/engine.js";
import { NO_LEGACY_BEHAVIOURS, parseBehaviours, type LegacyBehaviours } from "../relay/legacy-behaviours.js";
import { ANTI_ENTROPY_INTERVAL_MS } from "../relay/track-table.js";
import { createAccessTokenVerifier, createRelayCallAuth } from "./auth-adapters.js";
import { DEFAULT_HEARTBEAT_MS, DEFAULT_HEARTBEAT_TIMEOUT_MS } from "./health-monitor.js";
import type { PeerConfig } from "./peers.js";
import type { RelayCallAuth } from "./relay-call-auth.js";
import { DEFAULT_SESSION_CONNECT_TIMEOUT_MS, DEFAULT_SESSION_MEDIA_TIMEOUT_MS, type SessionLimits } from "./session-expiry.js";

/** 5 s: a subscriber reconnecting (page reload, ICE restart) finds its relay still up. */
export const DEFAULT_LINGER_MS = 5_000;
/** 10 s: longer than any sane relay setup over the lab's slowest path; then 504. */
export const DEFAULT_SUBSCRIBE_TIMEOUT_MS = 10_000;
/**
 * 10 s: a relay whose upstream region no heartbeat has reached for this long is torn down and
 * its subscribers re-locate (a copy elsewhere, or the origin). Longer than the blips the
 * 2024-02-07 incident taught us not to act on — a 3 s partition heals with the relay
 * resuming — and than the loop guard's 5 s pending-pull timeout.
 */
export const DEFAULT_UPSTREAM_LOST_MS = 10_000;
/** 5 s: clients retry an offline region soon, as failover to another takes about that long. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;
/** HMAC-SHA256 keys of at least 32 bytes (RFC 7518 §3.2), as sfu/auth requires. */
export const MIN_SECRET_LENGTH = MIN_SECRET_BYTES;
/** Admin bearer tokens shorter than this are typos or placeholders. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;
/**
 * An embedded node (tests, the lab) listens on loopback unless told otherwise: nothing is
 * exposed by accident. Real hosts pass their address (`relaywatch sfu --listen`).
 */
export const DEFAULT_LISTEN_HOST = "127.0.0.1";
/** Addresses that bind every interface: they name no host, so they cannot be announced. */
const WILDCARD_HOSTS: ReadonlySet<string> = new Set(["0.0.0.0", "::", "[::]"]);

export interface RegionNodeOptions {
  region: Region;
  listen?: { host?: string; port?: number };
  /**
   * The address peers send relay media to (advertised in pulls; the engine's ICE candidates
   * are its own option): the host's public or routed address. Default: the listen host,
   * which must then not be a wildcard.
   */
  announce?: string;
  /** Serve HTTPS (signaling, relay, observe, admin, metrics) with this certificate and key. */
  tls?: ServerTls | null;
  peers?: readonly PeerConfig[];
  engine: MediaEngine;
  clock?: Clock;
  logger?: Logger;
  registry?: Registry;
  /** OTel tracer; the global API's (a no-op unless an SDK is registered) by default. */
  tracer?: Tracer;
  secrets: { tokenSecret: string; relaySecret: string };
  /** Legacy behaviours at start (`announce-early`, `no-loop-guard`, `isolation=naive`). */
  behaviours?: LegacyBehaviours | readonly string[];
  isolation?: IsolationOptions;
  peerTable?: PeerTableOptions;
  witnessUrl?: string;
  /** WHIP/WHEP HTTP conventions: CORS origins, ICE servers for `Link` (none by default). */
  http?: WhipHttpOptions;
  lingerMs?: number;
  upstreamLostMs?: number;
  heartbeatMs?: number;
  heartbeatTimeoutMs?: number;
  antiEntropyMs?: number;
  /** announce-early's settle wait before locating. */
  settleMs?: number;
  subscribeTimeoutMs?: number;
  /** A WHIP/WHEP session not connected this long after its 201 is ended (session-expiry.ts). */
  sessionConnectTimeoutMs?: number;
  /** A connected session whose media stopped this long is ended. */
  sessionMediaTimeoutMs?: number;
  retryAfterSeconds?: number;
  admin?: { enabled: boolean; token?: string };
  /** Seams for tests; built from `secrets` when absent. */
  tokens?: AccessTokenVerifier;
  relayAuth?: RelayCallAuth;
}

export interface ResolvedOptions {
  region: Region;
  listen: { host: string; port: number };
  /** The advertised relay address; undefined when the listen host is a name, not an address. */
  announce: string | undefined;
  tls: ServerTls | null;
  peers: readonly PeerConfig[];
  engine: MediaEngine;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  tracer: Tracer;
  behaviours: LegacyBehaviours;
  isolation: IsolationOptions;
  peerTable: PeerTableOptions;
  witnessUrl: string | undefined;
  http: WhipHttpOptions;
  lingerMs: number;
  upstreamLostMs: number;
  heartbeatMs: number;
  heartbeatTimeoutMs: number;
  antiEntropyMs: number;
  settleMs: number | undefined;
  subscribeTimeoutMs: number;
  sessionLimits: SessionLimits;
  retryAfterSeconds: number;
  admin: { enabled: boolean; token: string };
  tokens: AccessTokenVerifier;
  relayAuth: RelayCallAuth;
}

export function resolveOptions(o: RegionNodeOptions): ResolvedOptions {
  if (!regionSchema.safeParse(o.region).success) throw new ConfigError("region", o.region, "a region name like eu-central");
  for (const key of ["tokenSecret", "relaySecret"] as const) {
    if (o.tokens === undefined || o.relayAuth === undefined) {
      if (typeof o.secrets[key] !== "string" || Buffer.byteLength(o.secrets[key]) < MIN_SECRET_LENGTH) {
        throw new ConfigError(`secrets.${key}`, "(hidden)", `a secret of at least ${MIN_SECRET_LENGTH} bytes`);
      }
    }
  }
  const admin = o.admin ?? { enabled: false };
  if (admin.enabled && (admin.token === undefined || admin.token.length < MIN_ADMIN_TOKEN_LENGTH)) {
    throw new ConfigError("admin.token", "(hidden)", `a token of at least ${MIN_ADMIN_TOKEN_LENGTH} characters when the admin API is enabled`);
  }
  const clock = o.clock ?? systemClock;
  const logger = (o.logger ?? silentLogger).child({ region: o.region });
  const listen = { host: o.listen?.host ?? DEFAULT_LISTEN_HOST, port: o.listen?.port ?? 0 };
  return {
    region: o.region,
    listen,
    announce: announceOf(o.announce, listen.host),
    tls: o.tls ?? null,
    peers: o.peers ?? [],
    engine: o.engine,
    clock,
    logger,
    registry: o.registry ?? new Registry(),
    tracer: o.tracer ?? trace.getTracer("relaywatch-sfu"),
    behaviours: behavioursOf(o.behaviours),
    isolation: o.isolation ?? {},
    peerTable: o.peerTable ?? {},
    witnessUrl: o.witnessUrl,
    http: o.http ?? {},
    lingerMs: positive("lingerMs", o.lingerMs ?? DEFAULT_LINGER_MS, 0),
    upstreamLostMs: positive("upstreamLostMs", o.upstreamLostMs ?? DEFAULT_UPSTREAM_LOST_MS, 1),
    heartbeatMs: positive("heartbeatMs", o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, 10),
    heartbeatTimeoutMs: positive("heartbeatTimeoutMs", o.heartbeatTimeoutMs ?? Math.min(DEFAULT_HEARTBEAT_TIMEOUT_MS, o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS), 1),
    antiEntropyMs: positive("antiEntropyMs", o.antiEntropyMs ?? ANTI_ENTROPY_INTERVAL_MS, 100),
    settleMs: o.settleMs,
    subscribeTimeoutMs: positive("subscribeTimeoutMs", o.subscribeTimeoutMs ?? DEFAULT_SUBSCRIBE_TIMEOUT_MS, 1),
    sessionLimits: {
      connectTimeoutMs: positive("sessionConnectTimeoutMs", o.sessionConnectTimeoutMs ?? DEFAULT_SESSION_CONNECT_TIMEOUT_MS, 1),
      mediaTimeoutMs: positive("sessionMediaTimeoutMs", o.sessionMediaTimeoutMs ?? DEFAULT_SESSION_MEDIA_TIMEOUT_MS, 1),
    },
    retryAfterSeconds: positive("retryAfterSeconds", o.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS, 1),
    admin: { enabled: admin.enabled, token: admin.token ?? "" },
    tokens: o.tokens ?? createAccessTokenVerifier(o.secrets.tokenSecret, clock),
    relayAuth: o.relayAuth ?? createRelayCallAuth(o.secrets.relaySecret, clock),
  };
}

/** The announced address: given (an IP address), else the listen host when it is a specific address. */
export function announceOf(announce: string | undefined, listenHost: string, key = "announce"): string | undefined {
  if (announce !== undefined) {
    if (isIP(announce) === 0 || WILDCARD_HOSTS.has(announce)) throw new ConfigError(key, announce, "the IP address peers and clients reach this node at, e.g. 203.0.113.7");
    return announce;
  }
  if (WILDCARD_HOSTS.has(listenHost)) throw new ConfigError(key, "(unset)", `an address to announce, as listen ${listenHost} names no host`);
  return isIP(listenHost) === 0 ? undefined : listenHost;
}

function behavioursOf(b: RegionNodeOptions["behaviours"]): LegacyBehaviours {
  if (b === undefined) return NO_LEGACY_BEHAVIOURS;
  if (b instanceof Set) return b;
  const parsed = parseBehaviours(b as readonly string[]);
  if (!parsed.ok) throw new ConfigError("behaviours", parsed.error.value, parsed.error.expected);
  return parsed.behaviours;
}

function positive(key: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) throw new ConfigError(key, value, `a number of at least ${min}`);
  return value;
}
