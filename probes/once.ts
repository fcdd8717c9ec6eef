// `--once`: one round of probing for scripts and CI. Starts the agent, watches windows and
// settles each pair on its first `ok` window; stops when every pair is ok or after
// `maxWindows` windows, returning each pair's settling (or last) result. Publishing and
// subscribing need the other regions' agents to be publishing too, so a round allows for
// setup time before it gives up.
import type { ProbeResult } from "../core/probe-result.js";
import type { ProbeAgent } from "./agent.js";

export interface OnceOutcome {
  region: string;
  /** Every pair's result: the first ok window, else the last window seen. */
  results: ProbeResult[];
  publications: ReturnType<ProbeAgent["publications"]>;
  windows: number;
  allOk: boolean;
}

/** Windows a round may take: setup timeouts of both sides plus three windows to see media. */
export function defaultOnceWindows(intervalMs: number, requestTimeoutMs: number, connectTimeoutMs: number): number {
  return Math.ceil((requestTimeoutMs + connectTimeoutMs) / intervalMs) + 3;
}

export async function runOnce(agent: ProbeAgent, maxWindows: number): Promise<OnceOutcome> {
  const settled = new Map<string, ProbeResult>();
  const latest = new Map<string, ProbeResult>();
  let windows = 0;
  const pairs = agent.pairs.map((p) => `${p.src}>${p.dst}`);
  await new Promise<void>((resolve) => {
    if (pairs.length === 0) {
      resolve();
      return;
    }
    const off = agent.events.on("window", (results) => {
      windows++;
      for (const r of results) {
        const key = `${r.src}>${r.dst}`;
        latest.set(key, r);
        if (r.status === "ok" && !settled.has(key)) settled.set(key, r);
      }
      if (settled.size === pairs.length || windows >= maxWindows) {
        off();
        resolve();
      }
    });
    agent.start();
  });
  const publications = agent.publications();
  await agent.close();
  const results = pairs.map((k) => settled.get(k) ?? latest.get(k)).filter((r): r is ProbeResult => r !== undefined);
  return { region: agent.region, results, publications, windows, allOk: results.length === pairs.length && results.every((r) => r.status === "ok") };
}
