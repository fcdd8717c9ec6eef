// The TURN server a probe agent measures, from `--ice-server` (RFC 7065 URIs: `turn:host:port`,
// `turns:host:port`, `?transport=udp|tcp`). Only TURN: a STUN server yields no relay
// candidate, so it can neither be allocated on nor carry relayed media.
import { isIPv6 } from "node:net";
import { ConfigError } from "../../core/errors.js";

export type TurnScheme = "turn" | "turns";
export type TurnTransport = "udp" | "tcp";

export interface TurnServer {
  /** The URI as werift's RTCIceServer takes it. */
  url: string;
  scheme: TurnScheme;
  host: string;
  port: number;
  /** turns: is TLS over TCP (RFC 7065 §3); turn: defaults to UDP. */
  transport: TurnTransport;
}

/** 3478 / 5349: the IANA ports of turn and turns (RFC 8656 §4, RFC 7065 §3). */
const DEFAULT_PORTS: Record<TurnScheme, number> = { turn: 3478, turns: 5349 };

const URI = /^(turns?):(\[[0-9a-fA-F:.]+\]|[^:?[\]]+)(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/i;

export function parseTurnServer(flag: string, uri: string): TurnServer {
  const m = URI.exec(uri.trim());
  if (m === null) throw new ConfigError(flag, uri, "a TURN URI like turn:turn.example:3478?transport=udp (or turns:host:5349, ?transport=tcp)");
  const scheme = (m[1] ?? "turn").toLowerCase() as TurnScheme;
  const rawHost = m[2] ?? "";
  const host = rawHost.startsWith("[") ? rawHost.slice(1, -1) : rawHost;
  if (rawHost.startsWith("[") && !isIPv6(host)) throw new ConfigError(flag, uri, "a bracketed IPv6 address");
  const port = m[3] === undefined ? DEFAULT_PORTS[scheme] : Number(m[3]);
  if (port < 1 || port > 65_535) throw new ConfigError(flag, uri, "a port in 1–65535");
  const transportParam = m[4]?.toLowerCase() as TurnTransport | undefined;
  if (scheme === "turns" && transportParam === "udp") throw new ConfigError(flag, uri, "turns: over TCP (DTLS TURN is not supported)");
  const transport: TurnTransport = scheme === "turns" ? "tcp" : (transportParam ?? "udp");
  const hostPart = isIPv6(host) ? `[${host}]` : host;
  return { url: `${scheme}:${hostPart}:${port}?transport=${transport}`, scheme, host, port, transport };
}

/** `udp`, `tcp` or `tls`: what the probe speaks to the server. */
export function wireOf(s: TurnServer): "udp" | "tcp" | "tls" {
  return s.scheme === "turns" ? "tls" : s.transport;
}
