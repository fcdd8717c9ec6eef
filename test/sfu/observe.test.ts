// What watchers read from a region node: /v1/state matches the core contract, /v1/events
// streams SfuEvents with consecutive sequence numbers starting after the snapshot's seq,
// /metrics carries relaywatch_sfu_* names, /healthz and /readyz answer.
import { afterEach, describe, expect, it } from "vitest";
import { regionSnapshotSchema, sfuEventSchema, type SfuEvent } from "../../core/sfu-state.js";
import { readSse } from "../../core/sse.js";
import { publish, startLab, state, subscribe, waitFor, waitForMesh, type Lab } from "./sfu-kit.js";

async function readEvents(url: string, into: SfuEvent[], signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { signal });
  for await (const m of readSse(res.body!)) into.push(sfuEventSchema.parse(JSON.parse(m.data)));
}

describe("observability endpoints", () => {
  let lab: Lab | null = null;
  afterEach(async () => {
    await lab?.close();
    lab = null;
  });

  it("streams every change with consecutive seqs after the snapshot's, and serves state, metrics and health", async () => {
    lab = await startLab({ regions: ["a", "b"] });
    await waitForMesh(lab);
    const b = lab.node("b");
    const snap = regionSnapshotSchema.parse(await state(b));
    const events: SfuEvent[] = [];
    const abort = new AbortController();
    const reading = readEvents(`${b.url}/v1/events`, events, abort.signal).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const pub = await publish(lab.node("a"), "live/obs");
    const flow = pub.stream(100);
    const sub = await subscribe(b, "live/obs");
    await waitFor(() => events.some((e) => e.type === "track" && e.entry.state === "flowing"), 5000, "a flowing track event");
    await sub.close();
    await waitFor(() => events.some((e) => e.type === "track-removed"), 5000, "the track-removed event");
    abort.abort();
    await reading;
    await flow.close();
    await pub.close();

    expect(events[0]!.seq).toBeGreaterThan(snap.seq);
    events.forEach((e, i) => {
      expect(e.region).toBe("b");
      if (i > 0) expect(e.seq).toBe(events[i - 1]!.seq + 1);
    });
    const after = regionSnapshotSchema.parse(await state(b));
    expect(after.seq).toBeGreaterThanOrEqual(events[events.length - 1]!.seq);
    expect(after.instance).toBe(snap.instance);
    expect(after.peers.map((p) => p.region)).toEqual(["a"]);

    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    for (const name of ["relaywatch_sfu_tracks", "relaywatch_sfu_subscribers", "relaywatch_sfu_relays", "relaywatch_sfu_relay_setup_seconds_bucket",
      "relaywatch_sfu_forwarded_packets_total", "relaywatch_sfu_peer_rtt_seconds", "relaywatch_sfu_peer_reachable", "relaywatch_sfu_region_state",
      "relaywatch_sfu_isolation_decisions_total", "relaywatch_sfu_http_requests_total"]) {
      expect(metrics, name).toContain(name);
    }
    expect(metrics).toMatch(/relaywatch_sfu_http_requests_total\{route="\/whep\/:room\/:track",status="201"\} 1/);
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${b.url}/nope`)).status).toBe(404);
  });
});
