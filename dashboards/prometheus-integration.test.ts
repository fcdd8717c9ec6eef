// A real Prometheus 2.42 on loopback scrapes a real region node whose only peer is a URL
// where nothing listens, evaluates relaywatch.rules.yml, and RegionUnreachable for that
// peer goes pending and then firing (after its 15 s `for`).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RegionNode } from "../sfu/node/region-node.js";
import { findBinary } from "../test/support/binaries.js";
import { alerts, startPrometheus, type PrometheusProcess } from "../test/support/prometheus-process.js";
import { RULES_FILE } from "../test/support/prom-expressions.js";
import { startRegionWithDeadPeer } from "../test/support/region-with-dead-peer.js";
import { skipWithout } from "../test/support/real-part.js";

const prometheusBin = findBinary("prometheus");

describe.skipIf(skipWithout(prometheusBin !== null, "prometheus (Debian prometheus)"))("Prometheus with relaywatch.rules.yml scraping a region node (skipped when the Debian prometheus package is absent)", () => {
  let node: RegionNode | undefined;
  let prom: PrometheusProcess | undefined;

  beforeAll(async () => {
    node = await startRegionWithDeadPeer("us-east", "eu-west");
    prom = await startPrometheus({
      binary: prometheusBin ?? "",
      rulesFile: RULES_FILE,
      targets: [{ job: "relaywatch-sfu", address: new URL(node.url).host, labels: { region: "us-east" } }],
    });
  });

  const url = (): string => {
    if (prom === undefined) throw new Error("prometheus did not start");
    return prom.url;
  };

  afterAll(async () => {
    await prom?.close();
    await node?.close();
  });

  it("RegionUnreachable{region=eu-west} goes pending, then firing, when the peer does not answer", async () => {
    const seen = new Set<string>();
    const deadline = Date.now() + 50_000;
    while (!seen.has("firing") && Date.now() < deadline) {
      for (const a of await alerts(url())) {
        if (a.labels["alertname"] === "RegionUnreachable" && a.labels["region"] === "eu-west") seen.add(a.state);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect([...seen].sort()).toEqual(["firing", "pending"]);
    const firing = (await alerts(url())).find((a) => a.labels["alertname"] === "RegionUnreachable" && a.state === "firing");
    expect(firing?.labels).toMatchObject({ region: "eu-west", severity: "critical", source: "prometheus" });
  }, 60_000);

  it("the scraped target is up and labelled with its region", async () => {
    const res = await fetch(`${url()}/api/v1/query?query=${encodeURIComponent('up{job="relaywatch-sfu"}')}`);
    const body = (await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    expect(body.data.result).toHaveLength(1);
    expect(body.data.result[0]?.metric["region"]).toBe("us-east");
    expect(body.data.result[0]?.value[1]).toBe("1");
  });
});
