import { afterEach, describe, expect, it } from "vitest";
import { CODEC_PRESETS } from "../../../probes/client/werift-peer.js";
import { silentLogger } from "../../../core/logger.js";
import { runEngineConformance } from "../../../test/conformance/engine-conformance.js";
import { connectPublisher, connectSubscriber, portWindow, sendPackets, Teardown, waitUntil } from "../../../test/conformance/engine-helpers.js";
import type { MediaEngine, MediaEngineEvents } from "../engine.js";
import { WeriftEngine } from "../werift/werift-engine.js";
import { createMediasoupEngine } from "./create-mediasoup-engine.js";
import { loadMediasoup, mediasoupAvailable } from "./loader.js";
import type { MediasoupEngine } from "./mediasoup-engine.js";
import { skipWithout } from "../../../test/support/real-part.js";

const availability = mediasoupAvailable();
/** Windows far from the conformance suite's first ones (it counts up from 0 in this process). */
let windowIndex = 200;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

if (skipWithout(availability.ok, `the mediasoup worker${"reason" in availability ? ` (${availability.reason})` : ""}`)) {
  describe("MediasoupEngine", () => {
    it.skip(`skipped: ${"reason" in availability ? availability.reason : ""}`, () => undefined);
  });
} else {
  const { module } = loadMediasoup();
  // statsIntervalMs 0: the suite reads stats right after packets stop; in production the
  // counters are at most DEFAULT_STATS_INTERVAL_MS old. peerTimeoutMs 15 s keeps the
  // vanishing-client test short (production: 30 s, RFC 7675).
  runEngineConformance("mediasoup", ({ rtpPortRange, logger }) =>
    createMediasoupEngine({ mediasoup: module, rtpPortRange, logger, workers: 1, statsIntervalMs: 0, peerTimeoutMs: 15_000 }),
  );

  describe("MediasoupEngine", () => {
    const teardown = new Teardown();
    afterEach(async () => {
      await teardown.run();
    });
    const mediasoup = (workers = 1): Promise<MediasoupEngine> =>
      createMediasoupEngine({ mediasoup: module, rtpPortRange: portWindow(windowIndex++), logger: silentLogger, workers, statsIntervalMs: 0 }).then((e) =>
        teardown.add(e),
      );
    const werift = (): MediaEngine => teardown.add(new WeriftEngine({ rtpPortRange: portWindow(windowIndex++) }));

    async function relayBetween(from: MediaEngine, to: MediaEngine, trackId: string): Promise<void> {
      const { publisher, result } = await connectPublisher(from, trackId, CODEC_PRESETS.vp8, teardown);
      const relayIn = await to.relayIn(trackId);
      const relayOut = await from.relayOut(trackId, { ip: relayIn.ip, port: relayIn.port });
      expect(relayOut.media.sourcePort).toBe(relayOut.local.port);
      if (from.relayPlane === "node") expect(relayOut.media).toEqual({ ...result.media, sourcePort: relayOut.local.port });
      await to.setRelayMedia(relayIn.relayId, relayOut.media);
      const { subscriber } = await connectSubscriber(to, trackId, "video", teardown);
      await sendPackets(publisher, 300);
      expect(await waitUntil(() => subscriber.packetsReceived >= 297, 5_000)).toBe(true);
      const onTo = to.stats(trackId);
      expect(onTo.source).toEqual({ kind: "relay", relayId: relayIn.relayId });
      // The receiver drops no RTP (right SSRC and payload type); a mediasoup sender's RTCP
      // sender reports are the only thing a werift receiver may refuse.
      const drops = onTo.relayIn?.packetsDropped;
      expect(Object.entries(drops ?? {}).filter(([reason]) => reason !== "rtcp").reduce((a, [, n]) => a + n, 0)).toBe(0);
    }

    it("relays a track werift → mediasoup and mediasoup → werift over plain RTP pipes", async () => {
      const w = werift();
      const m = await mediasoup();
      await relayBetween(w, m, "room/w2m");
      await relayBetween(m, w, "room/m2w");
    });

    it("a killed worker: workerDied with its tracks, a replacement within 5 s, and new subscriptions succeed", async () => {
      const engine = await mediasoup(1);
      const events: string[] = [];
      const died: MediaEngineEvents["workerDied"][0][] = [];
      const restarted: MediaEngineEvents["workerRestarted"][0][] = [];
      engine.on("workerDied", (e) => died.push(e));
      engine.on("workerRestarted", (e) => restarted.push(e));
      engine.on("sourceClosed", (e) => events.push(`source:${e.trackId}:${e.reason}`));
      engine.on("subscriptionClosed", (e) => events.push(`sub:${e.trackId}:${e.reason}`));
      await connectPublisher(engine, "room/doomed", CODEC_PRESETS.opus, teardown);
      await connectSubscriber(engine, "room/doomed", "audio", teardown);
      const [pid] = engine.workerPids();
      expect(pid).toBeDefined();

      const killedAt = Date.now();
      process.kill(pid!, "SIGKILL");
      expect(await waitUntil(() => died.length === 1 && restarted.length === 1, 5_000)).toBe(true);
      expect(died[0]).toMatchObject({ pid, trackIds: ["room/doomed"] });
      expect(events.sort()).toEqual(["source:room/doomed:peer_gone", "sub:room/doomed:source_gone"]);
      expect(restarted[0]?.previousPid).toBe(pid);
      expect(engine.workerPids()).toEqual([restarted[0]?.pid]);
      expect(engine.tracks()).toEqual([]);

      const { publisher } = await connectPublisher(engine, "room/after", CODEC_PRESETS.opus, teardown);
      const { subscriber } = await connectSubscriber(engine, "room/after", "audio", teardown);
      expect(Date.now() - killedAt).toBeLessThan(5_000);
      await sendPackets(publisher, 20);
      expect(await waitUntil(() => subscriber.packetsReceived >= 19, 3_000)).toBe(true);
    });

    it("close() leaves no worker process behind", async () => {
      const engine = await mediasoup(2);
      const pids = engine.workerPids();
      expect(pids).toHaveLength(2);
      expect(pids.every(alive)).toBe(true);
      await connectPublisher(engine, "room/c", CODEC_PRESETS.opus, teardown);
      await Promise.all([engine.close(), engine.close()]);
      expect(pids.some(alive)).toBe(false);
      expect(engine.workerPids()).toEqual([]);
    });
  });
}
