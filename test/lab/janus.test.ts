// The Janus VideoRoom target (probes/targets/janus-videoroom.ts) against a real Janus 1.1:
// a werift probe publisher publishes through the Janus HTTP API (our offer, Janus' answer,
// ICE+DTLS connected on this host), Janus lists it in the room, a subscriber join gets
// Janus' offer, which a werift subscriber answers, and the probe packets arrive through Janus;
// a killed Janus fails the calls as transport errors.
// Janus skips loopback interfaces when it gathers, so the peer binds the host's own IPv4.
// Then two real probe agent processes (`relaywatch probe --target janus --json`, one per
// region, both publishing into and subscribing through the same Janus) report ok windows with
// the agents' figures into a real analyzer (configured with no regions: Janus has no state API
// to watch); Janus killed → every pair stops being ok and ProbePairFailing fires.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CODEC_PRESETS, WeriftPublisher, WeriftSubscriber } from "../../probes/client/werift-peer.js";
import { ProbePayloadWriter } from "../../probes/payload/header.js";
import { JanusSession } from "../../probes/targets/janus-videoroom.js";
import { janusBinary, JanusProcess } from "../support/janus.js";
import { skipWithout } from "../support/real-part.js";
import { probeResultSchema, type ProbeResult } from "../../core/probe-result.js";
import { alertsResponseSchema } from "../../core/analyzer-api.js";
import { issueAgentToken } from "../../analyzer/ingest/agent-token.js";
import { analyzerConfig } from "../../lab/world/plan.js";
import { freePort } from "../support/ports.js";

const BIN = fileURLToPath(new URL("../../cli/bin.mjs", import.meta.url));
const REGIONS = ["eu-west", "us-east"] as const;

describe.skipIf(skipWithout(janusBinary !== null, "janus"))("Janus VideoRoom target on a real Janus", () => {
  let janus: JanusProcess;
  beforeAll(async () => {
    janus = await JanusProcess.start();
  });
  afterAll(async () => {
    await janus.close();
  });

  it("publishes a probe track through Janus, a subscriber answers Janus' offer and receives its probe packets; a killed Janus fails the calls", async () => {
    const session = await JanusSession.create({ baseUrl: janus.apiUrl });
    if (!session.ok) throw new Error(JSON.stringify(session.error));
    const s = session.value;
    const pubHandle = await s.attach();
    if (!pubHandle.ok) throw new Error(JSON.stringify(pubHandle.error));
    const room = 4242;
    expect(await s.request(pubHandle.value, { request: "create", room })).toMatchObject({ ok: true, value: { videoroom: "created", room } });
    // Janus never gathers on loopback interfaces: the probe peer binds the host's own address.
    const publisher = new WeriftPublisher(CODEC_PRESETS.opus, { bindAddress: hostAddress() });
    try {
      const offer = await publisher.createOffer();
      const joined = await s.requestAsync(pubHandle.value, { request: "joinandconfigure", ptype: "publisher", room, display: "probe/eu-west.1", audio: true }, { type: "offer", sdp: offer });
      if (!joined.ok) throw new Error(JSON.stringify(joined.error));
      expect(joined.value.data["videoroom"]).toBe("joined");
      expect(joined.value.jsep?.type).toBe("answer");
      await publisher.acceptAnswer(joined.value.jsep?.sdp ?? "");
      await publisher.waitConnected(10_000);
      const feed = joined.value.data["id"];
      const listed = await s.request(pubHandle.value, { request: "listparticipants", room });
      expect(listed.ok && JSON.stringify(listed.value)).toContain(String(feed));

      const subHandle = await s.attach();
      if (!subHandle.ok) throw new Error(JSON.stringify(subHandle.error));
      const sub = await s.requestAsync(subHandle.value, { request: "join", ptype: "subscriber", room, streams: [{ feed }] });
      if (!sub.ok) throw new Error(JSON.stringify(sub.error));
      expect(sub.value.data["videoroom"]).toBe("attached");
      expect(sub.value.jsep?.type).toBe("offer");
      expect(sub.value.jsep?.sdp).toMatch(/m=audio .*\r?\n(.*\r?\n)*a=rtpmap:\d+ opus\/48000/);
      // Our subscriber answers Janus' offer; probe packets published arrive through Janus.
      const subscriber = new WeriftSubscriber("audio", { bindAddress: hostAddress() });
      try {
        const answer = await subscriber.answerOffer(sub.value.jsep?.sdp ?? "");
        const started = await s.requestAsync(subHandle.value, { request: "start", room }, { type: "answer", sdp: answer });
        expect(started).toMatchObject({ ok: true, value: { data: { videoroom: "event", started: "ok" } } });
        await subscriber.waitConnected(10_000);
        const writer = new ProbePayloadWriter("eu-west", 1, 120);
        let sent = 0;
        const timer = setInterval(() => {
          publisher.send(writer.write(sent++, Date.now() * 1000));
        }, 20);
        try {
          await subscriber.waitForPackets(20, 10_000);
        } finally {
          clearInterval(timer);
        }
        expect(subscriber.packetsReceived).toBeGreaterThanOrEqual(20);
      } finally {
        await subscriber.close();
      }

      await janus.kill();
      const after = await s.attach();
      expect(after).toMatchObject({ ok: false, error: { kind: "transport" } });
    } finally {
      await publisher.close();
    }
  }, 40_000);
});

describe.skipIf(skipWithout(janusBinary !== null, "janus"))("relaywatch probe --target janus on a real Janus", () => {
  it("two probe agents report ok windows for both pairs through Janus; Janus killed → both pairs fail and the analyzer fires ProbePairFailing, no RegionUnreachable", async () => {
    const janus = await JanusProcess.start();
    const agents: { child: ChildProcess; results: ProbeResult[]; stderr: string }[] = [];
    // A real analyzer with no regions configured: it watches no state API (none to watch on
    // Janus) and learns the regions the probes report (analyzer/ingest/probe-ingest.ts).
    const dir = mkdtempSync(join(tmpdir(), "rw-janus-"));
    const port = await freePort();
    const analyzerUrl = `http://127.0.0.1:${port}`;
    const token = "janus-test-analyzer-token";
    writeFileSync(join(dir, "analyzer.yaml"), JSON.stringify(analyzerConfig({ regions: [], listenPort: port, storeDir: null, spoolDir: join(dir, "spool") })));
    const analyzer = spawn(process.execPath, [BIN, "analyze", "--config", join(dir, "analyzer.yaml"), "--log-level", "warn"], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, RELAYWATCH_ANALYZER_TOKEN: token } });
    const alerts = async (): Promise<{ name: string; state: string }[]> => {
      const res = await fetch(`${analyzerUrl}/v1/alerts`, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
      return res?.ok === true ? alertsResponseSchema.parse(await res.json()).alerts : [];
    };
    try {
      expect(await untilAsync(async () => (await fetch(`${analyzerUrl}/healthz`).catch(() => null))?.ok === true, 30_000), "analyzer up").toBe(true);
      for (const region of REGIONS) {
        const child = spawn(process.execPath, [BIN, "probe", "--region", region, "--regions", REGIONS.join(","), "--target", "janus", "--janus-url", janus.apiUrl, "--janus-room", "5151", "--bind", hostAddress(), "--interval", "1s", "--rotate", "60s", "--analyzer", analyzerUrl, "--spool-dir", join(dir, `spool-${region}`), "--json", "--log-level", "warn"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RELAYWATCH_ANALYZER_TOKEN: issueAgentToken(token, region) } });
        const agent = { child, results: [] as ProbeResult[], stderr: "" };
        let buf = "";
        child.stdout.on("data", (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split("\n");
          buf = lines.pop() ?? "";
          for (const l of lines) if (l.trim() !== "") agent.results.push(probeResultSchema.parse(JSON.parse(l)));
        });
        child.stderr.on("data", (d: Buffer) => {
          agent.stderr = (agent.stderr + d.toString()).slice(-4000);
        });
        agents.push(agent);
      }
      const all = (): ProbeResult[] => agents.flatMap((a) => a.results);
      const said = (): string => agents.map((a) => `${JSON.stringify(a.results.slice(-4))}\n${a.stderr}`).join("\n");
      // Both pairs ok for 3 windows in a row (the agents' first windows set up Janus sessions).
      const okRun = (src: string, dst: string): boolean => all().filter((r) => r.src === src && r.dst === dst).slice(-3).filter((r) => r.status === "ok").length === 3;
      expect(await until(() => okRun("eu-west", "us-east") && okRun("us-east", "eu-west"), 45_000), said()).toBe(true);
      for (const r of all().filter((x) => x.status === "ok")) {
        // One host: every packet the other agent sent in the window arrives through Janus.
        expect(r.received, JSON.stringify(r)).toBe(r.sent);
        expect(r.lost, JSON.stringify(r)).toBe(0);
        expect(r.track, JSON.stringify(r)).toMatch(new RegExp(`/${r.src}\\.`));
        expect(r.relayPath, "Janus reports no relay path").toEqual([]);
        expect(r.setupMs, JSON.stringify(r)).not.toBeNull();
      }
      // A full 1 s window at 50 pps (the first ok window may start mid-window).
      for (const [src, dst] of [REGIONS, [...REGIONS].reverse()]) expect(all().filter((r) => r.src === src && r.dst === dst && r.status === "ok").some((r) => r.received >= 45 && r.received <= 55), said()).toBe(true);
      const before = all().length;
      await janus.kill();
      const failing = (src: string, dst: string): boolean => all().slice(before).filter((r) => r.src === src && r.dst === dst).slice(-3).filter((r) => r.status !== "ok" && r.received === 0).length === 3;
      expect(await until(() => failing("eu-west", "us-east") && failing("us-east", "eu-west"), 45_000), said()).toBe(true);
      // The analyzer got them: ProbePairFailing fires, and no region is called unreachable.
      expect(await untilAsync(async () => (await alerts()).some((a) => a.name === "ProbePairFailing" && a.state === "firing"), 45_000), JSON.stringify(await alerts())).toBe(true);
      const fired = await alerts();
      expect(JSON.stringify(fired.filter((a) => a.name === "ProbePairFailing"))).toMatch(/eu-west[^]*us-east|us-east[^]*eu-west/);
      expect(fired.filter((a) => a.name === "RegionUnreachable")).toEqual([]);
    } finally {
      for (const a of agents) a.child.kill("SIGTERM");
      analyzer.kill("SIGTERM");
      await janus.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

async function untilAsync(cond: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return cond();
}

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return cond();
}

/** The first non-internal IPv4 address of this host (Janus' candidates are on it). */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  throw new Error("no non-loopback IPv4 address on this host: Janus (which skips loopback) cannot be reached");
}
