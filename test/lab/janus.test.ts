// The Janus VideoRoom target (probes/targets/janus-videoroom.ts) against a real Janus 1.1:
// a werift probe publisher publishes through the Janus HTTP API (our offer, Janus' answer,
// ICE+DTLS connected on this host), Janus lists it in the room, a subscriber join gets
// Janus' offer, which a werift subscriber answers, and the probe packets arrive through Janus;
// a killed Janus fails the calls as transport errors.
// Janus skips loopback interfaces when it gathers, so the peer binds the host's own IPv4.
// Partial (issue 20): the agent does not yet use this target for its pairs.
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CODEC_PRESETS, WeriftPublisher, WeriftSubscriber } from "../../probes/client/werift-peer.js";
import { ProbePayloadWriter } from "../../probes/payload/header.js";
import { JanusSession } from "../../probes/targets/janus-videoroom.js";
import { janusBinary, JanusProcess } from "../support/janus.js";
import { skipWithout } from "../support/real-part.js";

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

/** The first non-internal IPv4 address of this host (Janus' candidates are on it). */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  throw new Error("no non-loopback IPv4 address on this host: Janus (which skips loopback) cannot be reached");
}
