import { describe, expect, it } from "vitest";
import type { WanRoute } from "../wan/index.js";
import { analyzerConfig, nearestFirst, probeArgs, regionArgs, type WorldPorts } from "./plan.js";

const ports: WorldPorts = {
  regions: new Map([
    ["us-east", { http: 7001, relay: { min: 41000, max: 41049 } }],
    ["eu-west", { http: 7002, relay: { min: 41050, max: 41099 } }],
  ]),
  analyzer: 7700,
  wanControl: 7800,
  probeMetrics: new Map([["us-east", 9101], ["eu-west", 9102]]),
};
const routes: WanRoute[] = [
  { from: "us-east", to: "eu-west", httpUrl: "http://127.0.0.1:25001", httpPort: 25001, relay: { host: "127.0.0.1", targetMin: 41050, targetMax: 41099, proxyBase: 26000 } },
  { from: "us-east", to: "analyzer", httpUrl: "http://127.0.0.1:25002", httpPort: 25002, relay: null },
];

describe("world plan", () => {
  it("a region's command line reaches peers and the witness through the emulator's routes", () => {
    expect(regionArgs({ region: "us-east", ports, routes, behaviours: ["isolation=naive"], engine: "werift" })).toEqual([
      "sfu", "--region", "us-east", "--listen", "127.0.0.1:7001", "--relay-ports", "41000-41049", "--engine", "werift",
      "--peers", "eu-west=http://127.0.0.1:25001",
      "--peer-relay-map", "eu-west=26000:41050",
      "--witness", "http://127.0.0.1:25002/healthz",
      "--behaviour", "isolation=naive",
    ]);
  });

  it("the analyzer's config lists every region at its emulated address and the embedded store", () => {
    const c = analyzerConfig({ regions: [{ name: "us-east", url: "http://127.0.0.1:25100" }], listenPort: 7700, storeDir: "/d/ch", spoolDir: "/d/spool" });
    expect(c).toEqual({
      store: { url: "/d/ch", spoolDir: "/d/spool" },
      regions: [{ name: "us-east", url: "http://127.0.0.1:25100" }],
      analyzer: { listen: "127.0.0.1:7700" },
      alerting: { alertmanager: [], webhooks: [] },
    });
  });

  it("a probe agent talks to its own region directly, fails over to the others nearest first, and reports to the analyzer", () => {
    expect(probeArgs({ region: "eu-west", regions: ["us-east", "eu-west"], sfuUrl: "http://127.0.0.1:7002", failover: ["http://127.0.0.1:7001"], analyzerUrl: "http://127.0.0.1:7700", intervalMs: 1000, rotateMs: 10_000, metricsPort: 9102 })).toEqual([
      "probe", "--region", "eu-west", "--sfu", "http://127.0.0.1:7002", "--analyzer", "http://127.0.0.1:7700", "--regions", "us-east,eu-west",
      "--interval", "1000ms", "--rotate", "10000ms", "--metrics-port", "9102", "--failover", "http://127.0.0.1:7001",
    ]);
    expect(probeArgs({ region: "eu-west", regions: ["eu-west"], sfuUrl: "http://127.0.0.1:7002", failover: [], analyzerUrl: "http://127.0.0.1:7700", intervalMs: 1000, rotateMs: 10_000, metricsPort: 9102 })).not.toContain("--failover");
  });

  it("failover order is by one-way latency from the region, ties in mesh order", () => {
    const ms: Record<string, number> = { "us-east|us-west": 30, "eu-central|us-east": 45, "eu-west|us-east": 38, "ap-south|us-east": 30 };
    const latency = (a: string, b: string): number => ms[[a, b].sort().join("|")] ?? 99;
    expect(nearestFirst("us-east", ["us-east", "us-west", "eu-central", "eu-west", "ap-south"], latency)).toEqual(["us-west", "ap-south", "eu-west", "eu-central"]);
  });
});
