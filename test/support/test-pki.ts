// A throwaway PKI for TLS tests, made with the real openssl CLI: a CA, and one server
// certificate it signs for the given IP addresses (subjectAltName), as an operator's
// private CA would. Everything lives in `dir`, which the caller removes.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { findBinary } from "./binaries.js";

export const OPENSSL = findBinary("openssl");

export interface TestPki {
  /** The CA certificate clients are given with --tls-ca. */
  caCert: string;
  /** The server certificate (signed by the CA) and its key, for --tls-cert / --tls-key. */
  cert: string;
  key: string;
}

/** A CA and a server certificate for `ips`, valid for one day (P-256 keys: fast to make). */
export function makeTestPki(dir: string, ips: readonly string[]): TestPki {
  if (OPENSSL === null) throw new Error("openssl is not installed");
  const openssl = (args: string[]): void => {
    execFileSync(OPENSSL, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"], timeout: 30_000 });
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=relaywatch test CA"]);
  openssl(["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=relaywatch test server"]);
  writeFileSync(join(dir, "san.ext"), `subjectAltName=${ips.map((ip) => `IP:${ip}`).join(",")}\nbasicConstraints=CA:FALSE\n`);
  openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "san.ext"]);
  return { caCert: join(dir, "ca.pem"), cert: join(dir, "server.pem"), key: join(dir, "server.key") };
}
