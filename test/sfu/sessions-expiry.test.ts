// Sessions end (issue 13): 200 WHIP publishes with well-formed SDP that never complete ICE
// hold a socket and a track name each until the connect timeout; then every one is torn
// down — no track left in /v1/state, no extra UDP socket in the process tree (werift here,
// the mediasoup worker for mediasoup), the metric counts them — and a real publish of the
// same name gets 201 and media flows. Same for a WHEP session that never connects and for
// a publisher whose media stops. Time moves on a ManualClock; the media is real.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../core/clock.js";
import type { RegionNode } from "../../sfu/node/region-node.js";
import { countUdpSockets } from "../support/udp-sockets.js";
import { publisherOffer } from "../support/werift-offers.js";
import { ENGINES, labScope, metricValue, prepareSubscriber, publish, state, token, trackIn, waitFor } from "./sfu-kit.js";

const CONNECT_TIMEOUT_MS = 5_000;
const MEDIA_TIMEOUT_MS = 8_000;
const SQUATTERS = 200;
/** Parallel WHIP requests: enough to be quick, few enough for a loaded 2-core machine. */
const IN_FLIGHT = 8;

async function whip(node: RegionNode, track: string, offer: string): Promise<number> {
  const res = await fetch(`${node.url}/whip/${track}`, {
    method: "POST", body: offer, headers: { "content-type": "application/sdp", authorization: `Bearer ${token(track, "publish")}` },
  });
  await res.arrayBuffer();
  return res.status;
}

async function expired(node: RegionNode, kind: string, reason: string): Promise<number> {
  return metricValue(node.registry, "relaywatch_sfu_sessions_expired_total", { kind, reason });
}

describe.each(ENGINES)("sessions that never connect (%s engine)", (engine) => {
  const scope = labScope();
  const start = async (clock: ManualClock) => {
    const lab = await scope.start({
      regions: ["a"], engine, clock,
      node: () => ({ sessionConnectTimeoutMs: CONNECT_TIMEOUT_MS, sessionMediaTimeoutMs: MEDIA_TIMEOUT_MS }),
    });
    return lab.node("a");
  };

  it(`${SQUATTERS} WHIP publishes that never connect are torn down after the connect timeout, sockets and names freed`, async () => {
    const clock = new ManualClock(Date.now());
    const node = await start(clock);
    // Well-formed, from a real peer that is gone: ICE never completes.
    const offer = await publisherOffer();
    const baseline = countUdpSockets();
    const names = Array.from({ length: SQUATTERS }, (_, i) => `squat/t${i}`);
    const statuses: number[] = [];
    for (let i = 0; i < names.length; i += IN_FLIGHT) {
      statuses.push(...(await Promise.all(names.slice(i, i + IN_FLIGHT).map((n) => whip(node, n, offer)))));
    }
    expect(statuses.every((s) => s === 201)).toBe(true);
    expect((await state(node)).tracks).toHaveLength(SQUATTERS);
    expect(countUdpSockets() - baseline).toBeGreaterThanOrEqual(SQUATTERS);
    expect(await whip(node, names[0] ?? "", offer)).toBe(409);

    clock.advance(CONNECT_TIMEOUT_MS - 1_000);
    expect((await state(node)).tracks).toHaveLength(SQUATTERS);
    clock.advance(1_000);
    await waitFor(async () => (await state(node)).tracks.length === 0, 20_000, "every squatting track gone from /v1/state");
    await waitFor(() => countUdpSockets() <= baseline, 20_000, "every squatter's UDP socket closed");
    expect(await expired(node, "whip", "not_connected")).toBe(SQUATTERS);

    const real = scope.defer(await publish(node, names[0] ?? ""));
    await real.send(20);
    await waitFor(async () => ((await trackIn(node, names[0] ?? ""))?.packets ?? 0) >= 10, 10_000, "the real publisher's packets");
  });

  it("a WHEP session that never connects ends after the connect timeout; the track's publisher stays", async () => {
    const clock = new ManualClock(Date.now());
    const node = await start(clock);
    const track = "live/sub-dead";
    const pub = scope.defer(await publish(node, track));
    const flow = scope.defer(pub.stream(50));
    await waitFor(async () => ((await trackIn(node, track))?.packets ?? 0) > 0, 10_000, "media from the publisher");
    const { subscriber, offer } = await prepareSubscriber();
    scope.defer(subscriber);
    const res = await fetch(`${node.url}/whep/${track}`, {
      method: "POST", body: offer, headers: { "content-type": "application/sdp", authorization: `Bearer ${token(track)}` },
    });
    expect(res.status).toBe(201);
    await res.text();
    await waitFor(async () => (await trackIn(node, track))?.subscribers === 1, 5_000, "the subscriber listed");
    // Not past the media timeout: the live publisher (stamped on this clock) must survive.
    clock.advance(CONNECT_TIMEOUT_MS);
    await waitFor(async () => (await trackIn(node, track))?.subscribers === 0, 20_000, "the dead subscriber gone");
    expect(await expired(node, "whep", "not_connected")).toBe(1);
    expect(await trackIn(node, track)).toBeDefined();
    await flow.close();
  });

  it("a publisher whose media stops is torn down after the media timeout and its name is free again", async () => {
    const clock = new ManualClock(Date.now());
    const node = await start(clock);
    const track = "live/stops";
    const first = await publish(node, track);
    await first.send(20);
    await waitFor(async () => ((await trackIn(node, track))?.packets ?? 0) >= 10, 10_000, "first packets");
    clock.advance(MEDIA_TIMEOUT_MS - 1_000);
    expect(await trackIn(node, track)).toBeDefined();
    clock.advance(1_000);
    await waitFor(async () => (await trackIn(node, track)) === undefined, 20_000, "the silent track gone");
    expect(await expired(node, "whip", "media_stopped")).toBe(1);
    await first.close();
    const second = scope.defer(await publish(node, track));
    await second.send(20);
    await waitFor(async () => ((await trackIn(node, track))?.packets ?? 0) >= 10, 10_000, "the new publisher's packets");
  });
});
