// Child process of bench/probe.bench.ts (not a bench: run.ts loads only *.bench.ts): one
// probe agent with the settings under test, its results counted, a summary line on stdout
// when SIGTERM arrives. Its CPU is read from /proc by the parent, so nothing else runs here.
// argv: region regions(comma) sfuUrl sendPath sendIntervalMs srtpKeys(keyobject|buffer);
// env: BENCH_PUBLISH_TOKEN, BENCH_SUBSCRIBE_TOKEN.
import { Registry } from "prom-client";
import type { ProbeResult } from "../core/probe-result.js";
import { ProbeAgent } from "../probes/agent.js";
import type { SendPath } from "../probes/client/werift-peer.js";
import { emptySinkStats, type ProbeSink } from "../probes/delivery/sink.js";
import { useKeyObjectsForSrtp } from "../core/werift-srtp-keys.js";

const [region = "", regionList = "", sfuUrl = "", sendPath = "direct", sendInterval = "100", srtpKeys = "keyobject"] = process.argv.slice(2);
// werift's own Buffer keys (the agent before issue 17) when asked; KeyObjects are the default.
useKeyObjectsForSrtp(srtpKeys !== "buffer");
const counts = { results: 0, ok: 0, received: 0 };
const sink: ProbeSink = {
  name: "bench",
  submit(results: readonly ProbeResult[]) {
    for (const r of results) {
      counts.results++;
      if (r.status === "ok") counts.ok++;
      counts.received += r.received;
    }
  },
  stats: emptySinkStats,
  close: () => Promise.resolve(),
};
const publish = process.env["BENCH_PUBLISH_TOKEN"];
const subscribe = process.env["BENCH_SUBSCRIBE_TOKEN"];
const agent = new ProbeAgent({
  region,
  regions: regionList.split(","),
  sfuUrl,
  rotateMs: 600_000,
  sink,
  registry: new Registry(),
  token: (op) => (op === "publish" ? publish : subscribe),
  sendPath: sendPath as SendPath,
  sendIntervalMs: Number(sendInterval),
});
agent.start();
process.stdout.write("started\n");
process.once("SIGUSR2", () => {
  counts.results = 0;
  counts.ok = 0;
  counts.received = 0;
});
process.once("SIGTERM", () => {
  process.stdout.write(`${JSON.stringify(counts)}\n`);
  void agent.close().then(() => process.exit(0));
});
