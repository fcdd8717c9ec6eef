// The TLS flags every command shares: `--tls-cert`/`--tls-key` for a command that serves
// HTTP (sfu, analyze, probe metrics), `--tls-ca` for every command that calls a server
// (the CA that signed the servers' certificates, added to this process's trust list by
// core/tls.ts). Certificate and key are flags only (an inherited environment must not turn
// a lab child into an HTTPS server); the CA may come from RELAYWATCH_TLS_CA.
import { Option } from "commander";
import { readServerTls, trustCaFile, type ServerTls } from "../core/tls.js";

export interface TlsOpts {
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
}

export function tlsCertOption(): Option {
  return new Option("--tls-cert <file>", "serve HTTPS with this PEM certificate (chain); needs --tls-key");
}

export function tlsKeyOption(): Option {
  return new Option("--tls-key <file>", "the PEM private key of --tls-cert");
}

export function tlsCaOption(): Option {
  return new Option("--tls-ca <file>", "trust this PEM CA for https:// URLs (in addition to the system's)").env("RELAYWATCH_TLS_CA");
}

/** Trusts --tls-ca (when given); returns the server key material of --tls-cert/--tls-key, or null for plain HTTP. */
export function applyTls(opts: TlsOpts): ServerTls | null {
  if (opts.tlsCa !== undefined) trustCaFile(opts.tlsCa);
  return readServerTls(opts.tlsCert, opts.tlsKey);
}

/** Trusts --tls-ca (when given): for commands that only call servers. */
export function applyTlsCa(opts: TlsOpts): void {
  if (opts.tlsCa !== undefined) trustCaFile(opts.tlsCa);
}
