// What a lab run's analyzer fired and why, read back from the run's embedded store through
// the product's own `relaywatch store query` (a child process: chdb opens one data
// directory per process). Exact detection delays come from the alerts' evidence: RelayLoop's
// formedAt (the region event that closed the cycle) and FalseIsolation's offlineSince (the
// region's own status), both against the alert's startsAt.
import { join } from "node:path";
import { runCli } from "./run-cli.js";

export interface Detection {
  name: "RelayLoop" | "FalseIsolation";
  /** The looped track that formed first for RelayLoop (one alert per cycle), `region` for FalseIsolation. */
  subject: string;
  startsAt: number;
  /** startsAt − the moment the condition began. */
  detectMs: number;
}

interface Row {
  name: string;
  track: string;
  region: string;
  evidence: string;
  startsAt: number | string;
}

const SQL =
  "SELECT name, labels['track'] AS track, labels['region'] AS region, evidence, toUnixTimestamp64Milli(starts_at) AS startsAt " +
  "FROM relaywatch.alerts WHERE state = 'firing' AND name IN ('RelayLoop', 'FalseIsolation') ORDER BY startsAt, ts";

/** Every firing RelayLoop and FalseIsolation the run's analyzer recorded, oldest first (one per alert: its fired row, not later updates). */
export async function exactDetections(dataDir: string): Promise<Detection[]> {
  const res = await runCli(["store", "query", SQL, "--store", join(dataDir, "clickhouse"), "--format", "json"], { timeoutMs: 60_000 });
  if (res.code !== 0) throw new Error(`relaywatch store query exited ${res.code}: ${res.stderr.slice(-2000)}`);
  const seen = new Set<string>();
  const out: Detection[] = [];
  for (const line of res.stdout.split("\n")) {
    if (line.trim() === "") continue;
    const r = JSON.parse(line) as Row;
    const evidence = JSON.parse(r.evidence) as { formedAt?: number; offlineSince?: number; track?: string };
    const startsAt = Number(r.startsAt);
    const subject = r.name === "RelayLoop" ? (evidence.track ?? r.track) : r.region;
    const since = r.name === "RelayLoop" ? evidence.formedAt : evidence.offlineSince;
    if (since === undefined || seen.has(`${r.name} ${subject} ${startsAt}`)) continue;
    seen.add(`${r.name} ${subject} ${startsAt}`);
    out.push({ name: r.name as Detection["name"], subject, startsAt, detectMs: startsAt - since });
  }
  return out;
}
