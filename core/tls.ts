// TLS for every HTTP server and client of relaywatch, in one place. Servers: one
// `createHttpServer(tls)` that is plain HTTP without key material and HTTPS with it, and the
// URL scheme that goes with it. Clients: every one of them (fetch, node:https, the
// ClickHouse client, the OTLP exporter) verifies servers against the process's default CA
// list; `trustCaFile()` adds a private CA to that list once, at start (the CLI's --tls-ca),
// as NODE_EXTRA_CA_CERTS or curl's --cacert do, so no client carries its own copy of the
// trust configuration. This module never turns verification off.
import { readFileSync } from "node:fs";
import { createServer as createPlainServer, type RequestListener, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import * as tls from "node:tls";
import { ConfigError, errorMessage } from "./errors.js";

/** A server's certificate chain and private key, PEM. */
export interface ServerTls {
  cert: string;
  key: string;
}

/** Where the certificate and key files were named, for error messages (e.g. `--tls-cert`). */
export interface TlsFileNames {
  certKey: string;
  keyKey: string;
}

const DEFAULT_KEYS: TlsFileNames = { certKey: "--tls-cert", keyKey: "--tls-key" };

/**
 * Reads a certificate and key pair; both or neither (null). A file that cannot be read or
 * does not hold PEM is a ConfigError naming the flag and the file.
 */
export function readServerTls(certFile: string | undefined, keyFile: string | undefined, names: TlsFileNames = DEFAULT_KEYS): ServerTls | null {
  if (certFile === undefined && keyFile === undefined) return null;
  if (certFile === undefined) throw new ConfigError(names.certKey, "(unset)", `a certificate file, as ${names.keyKey} is set`);
  if (keyFile === undefined) throw new ConfigError(names.keyKey, "(unset)", `a private key file, as ${names.certKey} is set`);
  const cert = readPem(names.certKey, certFile, "CERTIFICATE");
  const key = readPem(names.keyKey, keyFile, "PRIVATE KEY");
  try {
    tls.createSecureContext({ cert, key });
  } catch (err) {
    throw new ConfigError(names.keyKey, keyFile, `the private key of ${certFile} (${errorMessage(err)})`);
  }
  return { cert, key };
}

/** A plain HTTP server, or an HTTPS one when `serverTls` is given; both are node:http Servers to their users. */
export function createHttpServer(serverTls: ServerTls | null, handler?: RequestListener): Server {
  if (serverTls === null) return handler === undefined ? createPlainServer() : createPlainServer(handler);
  const options = { cert: serverTls.cert, key: serverTls.key };
  return handler === undefined ? createTlsServer(options) : createTlsServer(options, handler);
}

/** `http` or `https`, as a server built by createHttpServer() speaks. */
export function schemeOf(serverTls: ServerTls | null): "http" | "https" {
  return serverTls === null ? "http" : "https";
}

/** A listening server's base URL, e.g. https://10.231.1.2:7101 (IPv6 in brackets). */
export function baseUrl(serverTls: ServerTls | null, address: { address: string; family: string; port: number }): string {
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `${schemeOf(serverTls)}://${host}:${address.port}`;
}

/**
 * Adds the CA certificates in `file` (PEM, one or more) to this process's default trust
 * list, which every TLS client here uses (Node ≥ 22.19 / 24.5: tls.setDefaultCACertificates).
 * The system's CAs stay trusted. Returns how many certificates were added.
 */
export function trustCaFile(file: string, key = "--tls-ca"): number {
  const pem = readPem(key, file, "CERTIFICATE");
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const setDefault = (tls as { setDefaultCACertificates?: (certs: string[]) => void }).setDefaultCACertificates;
  if (setDefault === undefined) throw new ConfigError(key, file, `a Node.js with tls.setDefaultCACertificates (≥ 22.19 or ≥ 24.5; this is ${process.version})`);
  try {
    setDefault([...tls.getCACertificates("default"), ...certs]);
  } catch (err) {
    throw new ConfigError(key, file, `PEM CA certificates (${errorMessage(err)})`);
  }
  return certs.length;
}

/** TLS verification failures, as OpenSSL names them, that mean "this CA is not trusted here". */
const UNTRUSTED_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_UNTRUSTED",
]);

/**
 * One line for a failed request (fetch's "fetch failed" hides the reason in `cause`): a
 * certificate this process does not trust says which flag fixes it.
 */
export function describeRequestError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause : null;
  const code = cause !== null && "code" in cause && typeof cause.code === "string" ? cause.code : undefined;
  if (code !== undefined && UNTRUSTED_CODES.has(code)) {
    return `the server's TLS certificate is not trusted (${code}: ${cause?.message ?? ""}); give its CA with --tls-ca FILE`;
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `the server's TLS certificate does not name this host (${cause?.message ?? ""})`;
  return cause === null ? err.message : `${err.message}: ${cause.message}`;
}

function readPem(key: string, file: string, label: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(key, file, `a readable PEM file (${errorMessage(err)})`);
  }
  if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(text)) throw new ConfigError(key, file, `a PEM file holding a ${label}`);
  return text;
}
