// Issue 5's acceptance on a real 3-region mesh of reference SFU region nodes (sfu/node),
// talking through the WAN emulator, with one probe agent per region:
//  - every ordered pair ok within 3 windows of start;
//  - loss and delay set on one link show (loss ±1 %, latency ±5 ms) only on the pairs whose
//    reported relay path crosses that link;
//  - the incident's legacy behaviours on the two EU regions → pairs from the far region into
//    them report no_media/timeout while the other pairs stay ok;
//  - a region that takes itself offline → pairs into it report region_offline with the 503 in
//    the reason; pairs out of it fail (http_error/timeout with the status, or no_media when
//    the subscriber's SFU still accepts the subscribe — see the test).
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import type { ProbeResult } from "../../core/probe-result.js";
import type { Region } from "../../core/region.js";
import { ProbeAgent, type ProbeAgentOptions } from "../../probes/agent.js";
import { emptySinkStats, type ProbeSink } from "../../probes/delivery/sink.js";
import { DEGRADED_LOSS_RATIO } from "../../probes/stats/classify.js";
import type { RegionNodeOptions } from "../../sfu/node/options.js";
import { startLab, token, waitForMesh, type Lab } from "../sfu/sfu-kit.js";

const REGIONS: Region[] = ["us-west", "eu-west", "eu-central"];
/** One-way ms: the EU regions are close, us-west is far from both (the incident's shape). */
const LATENCY: Record<string, number> = { "eu-central|eu-west": 3, "eu-central|us-west": 40, "eu-west|us-west": 35 };
const latencyMs = (a: string, b: string): number => LATENCY[[a, b].sort().join("|")] ?? 30;

const nullSink = (): ProbeSink => ({ name: "null", submit: () => undefined, stats: emptySinkStats, close: () => Promise.resolve() });

let lab: Lab | null = null;
const agents: ProbeAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await lab?.close();
  lab = null;
});

async function mesh(node: (r: Region) => Partial<RegionNodeOptions> = () => ({}), agent: Partial<ProbeAgentOptions> = {}): Promise<Lab> {
  lab = await startLab({ regions: REGIONS, wan: { latencyMs }, node });
  await waitForMesh(lab);
  for (const region of REGIONS) {
    agents.push(
      new ProbeAgent({
        region, regions: REGIONS, sfuUrl: lab.node(region).url, token: (op) => token("probe/*", op),
        intervalMs: 1000, rotateMs: 30_000, sink: nullSink(), registry: new Registry(), ...agent,
      }),
    );
  }
  for (const a of agents) a.start();
  return lab;
}

/** The next `n` windows of every agent, as one list of results per window index. */
async function windows(n: number): Promise<ProbeResult[][]> {
  const per = await Promise.all(
    agents.map(
      (a) =>
        new Promise<ProbeResult[][]>((resolve) => {
          const out: ProbeResult[][] = [];
          const off = a.events.on("window", (rs) => {
            out.push(rs);
            if (out.length === n) {
              off();
              resolve(out);
            }
          });
        }),
    ),
  );
  return Array.from({ length: n }, (_, i) => per.flatMap((w) => w[i] ?? []));
}

/** UDP datagrams per direction (`from>to`) of the emulated links, from the emulator's own counters. */
async function wanUdp(l: Lab, name: string): Promise<Map<string, number>> {
  const m = await l.emu!.registry.getSingleMetric(name)?.get();
  const out = new Map<string, number>();
  for (const v of m?.values ?? []) {
    const { from, to, proto, reason } = v.labels as Record<string, string | undefined>;
    if (proto !== "udp" || (reason !== undefined && reason !== "loss")) continue;
    out.set(`${from}>${to}`, (out.get(`${from}>${to}`) ?? 0) + v.value);
  }
  return out;
}

/** Per pair: loss over all windows, median of the windows' p50 latency, last relay path. */
function summarise(rs: readonly ProbeResult[]): Map<string, { loss: number; p50: number; path: Region[] }> {
  const by = new Map<string, ProbeResult[]>();
  for (const r of rs) by.set(pairKey(r), [...(by.get(pairKey(r)) ?? []), r]);
  const out = new Map<string, { loss: number; p50: number; path: Region[] }>();
  for (const [pair, list] of by) {
    const sent = list.reduce((s, r) => s + r.sent, 0);
    const p50s = list.map((r) => r.latencyP50Ms ?? Number.NaN).sort((a, b) => a - b);
    out.set(pair, { loss: list.reduce((s, r) => s + r.lost, 0) / sent, p50: p50s[Math.floor(p50s.length / 2)] ?? Number.NaN, path: list.at(-1)?.relayPath ?? [] });
  }
  return out;
}

const pairKey = (r: ProbeResult): string => `${r.src}→${r.dst}`;
const crosses = (path: readonly Region[], [a, b]: readonly [Region, Region]): boolean =>
  path.some((r, i) => i > 0 && ((path[i - 1] === a && r === b) || (path[i - 1] === b && r === a)));

describe("probe agents on a real 3-region mesh", () => {
  it("every ordered pair reports ok within 3 windows of start", async () => {
    await mesh();
    const ws = await windows(3);
    const ok = new Set(ws.flat().filter((r) => r.status === "ok").map(pairKey));
    expect([...ok].sort()).toEqual(["eu-central→eu-west", "eu-central→us-west", "eu-west→eu-central", "eu-west→us-west", "us-west→eu-central", "us-west→eu-west"]);
    const last = ws.at(-1)!;
    expect(last.map((r) => `${pairKey(r)} ${r.status} ${r.reason}`).filter((s) => !s.includes(" ok "))).toEqual([]);
    for (const r of last) {
      expect(r.relayPath[0]).toBe(r.src);
      expect(r.relayPath.at(-1)).toBe(r.dst);
    }
  }, 60_000);

  it("loss and delay on one link show only on the pairs whose relay path crosses it", async () => {
    // 50 pps (the default: everything here shares one process; more inflates latency) × 50
    // windows = 2500 packets a pair. The emulator's loss is random: at 2 % its binomial spread
    // over 2500 packets is ±0.28 % (1σ), so the ±1 % acceptance is 3.6σ (at 5 % it was 2σ,
    // and a CI run once realised 3.95 %). The probe must also match the loss the emulator
    // actually applied on that link to ±0.5 %.
    const l = await mesh(() => ({}), { pps: 50 });
    await windows(3);
    const before = summarise((await windows(8)).flat());
    const link: [Region, Region] = ["eu-west", "us-west"];
    const LOSS = 0.02;
    const EXTRA_MS = 30;
    l.emu!.setPair(link, { loss: LOSS, latencyMs: latencyMs(...link) + EXTRA_MS });
    await windows(2); // windows that straddle the change
    const dropped0 = await wanUdp(l, "relaywatch_wan_dropped_total");
    const passed0 = await wanUdp(l, "relaywatch_wan_packets_total");
    const after = summarise((await windows(50)).flat());
    const [dropped1, passed1] = [await wanUdp(l, "relaywatch_wan_dropped_total"), await wanUdp(l, "relaywatch_wan_packets_total")];
    const realised = (dir: string): number => {
      const d = (dropped1.get(dir) ?? 0) - (dropped0.get(dir) ?? 0);
      return d / (d + (passed1.get(dir) ?? 0) - (passed0.get(dir) ?? 0));
    };
    // Latency is judged against the pairs measured at the same time that do not cross the
    // link: their excess over the configured path delay is this process's own overhead
    // (event loop, SRTP, emulator timers), which moves with the machine's load.
    const pathDelay = (path: readonly Region[]): number =>
      path.slice(1).reduce((sum, r, i) => sum + latencyMs(path[i]!, r) + (crosses([path[i]!, r], link) ? EXTRA_MS : 0), 0);
    const overheads = [...after.values()].filter((a) => !crosses(a.path, link)).map((a) => a.p50 - pathDelay(a.path)).sort((x, y) => x - y);
    const overhead = overheads[Math.floor(overheads.length / 2)]!;
    let crossing = 0;
    for (const [pair, a] of after) {
      const b = before.get(pair)!;
      const path = a.path.join(">");
      expect(path, `${pair}: the relay path did not change`).toBe(b.path.join(">"));
      const expected = pathDelay(a.path) + overhead;
      expect(Math.abs(a.p50 - expected), `${pair} via ${path}: p50 ${a.p50} vs ${expected} (overhead ${overhead})`).toBeLessThanOrEqual(5);
      if (crosses(a.path, link)) {
        crossing++;
        expect(a.p50 - b.p50, `${pair} via ${path}: p50 ${b.p50} → ${a.p50}`).toBeGreaterThan(EXTRA_MS / 2);
        expect(Math.abs(a.loss - LOSS), `${pair} via ${path}: loss ${a.loss}`).toBeLessThanOrEqual(0.01);
        const hop = a.path.findIndex((r, i) => i > 0 && crosses([a.path[i - 1]!, r], link));
        const dir = `${a.path[hop - 1]}>${a.path[hop]}`;
        expect(Math.abs(a.loss - realised(dir)), `${pair} via ${path}: loss ${a.loss}, link ${dir} dropped ${realised(dir)}`).toBeLessThanOrEqual(0.005);
      } else {
        expect(a.loss, `${pair} via ${path}: loss`).toBeLessThanOrEqual(0.005);
      }
    }
    expect(crossing, "some pairs cross the link").toBeGreaterThanOrEqual(2);
    expect(crossing, "some pairs do not").toBeLessThan(after.size);
  }, 150_000);

  it("with the incident's legacy behaviours on both EU regions, pairs from us-west into them get no media while the rest stay ok", async () => {
    await mesh(
      (region) => (region === "us-west" ? {} : { behaviours: ["announce-early", "no-loop-guard"], settleMs: 600, subscribeTimeoutMs: 2500 }),
      // Latency is not what this test is about, and every region, agent and the emulator share
      // this one process: a relay-setup storm in the looped regions can stall its event loop
      // for a few hundred ms, inflating every pair's p95 at once. Loss stays at the default.
      { rotateMs: 10_000, thresholds: { lossRatio: DEGRADED_LOSS_RATIO, latencyP95Ms: 2000 } },
    );
    const ws = await windows(14); // across a rotation: the fresh track's relay must be set up anew
    const tail = ws.slice(-6).flat();
    const looped = tail.filter((r) => r.src === "us-west");
    expect(looped.length).toBeGreaterThan(0);
    for (const r of looped) expect(["no_media", "timeout"], `${pairKey(r)}: ${r.status} ${r.reason}`).toContain(r.status);
    const others = tail.filter((r) => r.src !== "us-west");
    expect(others.filter((r) => r.status !== "ok").map((r) => `${pairKey(r)} ${r.status}: ${r.reason}`)).toEqual([]);
  }, 90_000);

  it("a region that takes itself offline: pairs touching it report region_offline / http_error with the status", async () => {
    const l = await mesh((region) => (region === "eu-central" ? { behaviours: ["isolation=naive"] } : {}));
    await windows(3);
    // Cut eu-central off from the other regions (its agent still reaches it): naive isolation
    // takes it offline at the first silent round; the cut stays for the rest of the test.
    l.emu!.partition(["eu-central"]);
    const settled = (w: readonly ProbeResult[]): boolean =>
      w.every((r) => {
        if (r.dst === "eu-central") return r.status === "region_offline" && /^HTTP 503 /.test(r.reason);
        // Out of it: the other regions cannot reach eu-central either. Their SFUs answer WHEP
        // with an error (http_error/timeout, status in the reason) or — while their track
        // table still lists eu-central's track — with 201 and then nothing (no_media).
        if (r.src === "eu-central") return ["http_error", "region_offline", "timeout", "no_media"].includes(r.status) && (r.status === "no_media" || /^HTTP \d{3} /.test(r.reason));
        return r.status === "ok";
      });
    const seen: string[] = [];
    let streak = 0;
    for (let i = 0; i < 25 && streak < 2; i++) {
      const [w] = await windows(1);
      seen.push(w!.map((r) => `${pairKey(r)} ${r.status}: ${r.reason}`).join("\n"));
      streak = settled(w!) ? streak + 1 : 0;
    }
    expect(streak, `two consecutive settled windows within 25; last:\n${seen.at(-1)}`).toBe(2);
  }, 90_000);
});
