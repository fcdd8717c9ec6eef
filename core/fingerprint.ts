// Stable alert fingerprints: the same alert (name + identifying labels) hashes the same
// in every process and across restarts, so Alertmanager deduplicates re-sends.
import { createHash } from "node:crypto";

export function alertFingerprint(name: string, labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).filter((k) => k !== "severity").sort();
  const canonical = [name, ...keys.map((k) => `${k}=${labels[k] ?? ""}`)].join("\u0000");
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}
