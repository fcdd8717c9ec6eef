// Where the store lives, from one string: a directory (embedded chdb) or
// http(s)://user:pass@host:8123/db (a ClickHouse server). Never log `password`.
import { ConfigError } from "../core/errors.js";

export type StoreLocation =
  | { kind: "chdb"; path: string }
  | { kind: "remote"; url: string; username: string; password: string; database: string };

export const DEFAULT_DATABASE = "relaywatch";

export function parseStoreUrl(text: string, key = "store.url"): StoreLocation {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (text.trim() === "") throw new ConfigError(key, text, "a directory path or http(s)://user:pass@host:8123/db");
    return { kind: "chdb", path: text };
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ConfigError(key, redactUrl(text), "a URL like http://user:pass@host:8123/db");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new ConfigError(key, redactUrl(text), "an http:// or https:// ClickHouse URL (or a directory for the embedded store)");
  }
  const database = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, "")) || DEFAULT_DATABASE;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new ConfigError(`${key} (database)`, database, "a database name of letters, digits and _");
  const username = decodeURIComponent(u.username) || "default";
  const password = decodeURIComponent(u.password);
  u.username = "";
  u.password = "";
  u.pathname = "/";
  return { kind: "remote", url: u.toString().replace(/\/$/, ""), username, password, database };
}

/** The URL with any password replaced, for logs and error messages. */
export function redactUrl(text: string): string {
  return text.replace(/(\/\/[^:/@]+:)[^@/]*@/, "$1***@");
}

export function describeLocation(loc: StoreLocation): string {
  return loc.kind === "chdb" ? `embedded chdb at ${loc.path}` : `ClickHouse ${loc.url} as ${loc.username}, database ${loc.database}`;
}
