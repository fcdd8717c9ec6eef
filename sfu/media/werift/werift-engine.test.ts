import { describe, expect, it } from "vitest";
import { runEngineConformance } from "../../../test/conformance/engine-conformance.js";
import { WeriftEngine } from "./werift-engine.js";

runEngineConformance("werift", ({ rtpPortRange, logger }) => Promise.resolve(new WeriftEngine({ rtpPortRange, logger })));

describe("WeriftEngine", () => {
  it("refuses an rtpPortRange that cannot be used, naming it", () => {
    expect(() => new WeriftEngine({ rtpPortRange: { min: 5000, max: 4000 } })).toThrow(/rtpPortRange: got 5000-4000/);
    expect(() => new WeriftEngine({ rtpPortRange: { min: 80, max: 90 } })).toThrow(/rtpPortRange/);
  });

  it("relayIn() fails with no_ports when the range is exhausted, and frees the reservation", async () => {
    const engine = new WeriftEngine({ rtpPortRange: { min: 19_990, max: 19_990 } });
    try {
      const media = { kind: "audio", codec: { mimeType: "audio/opus", payloadType: 111, clockRate: 48_000, channels: 2 }, ssrc: 1 } as const;
      await engine.relayIn("room/a", media);
      await expect(engine.relayIn("room/b", media)).rejects.toMatchObject({ code: "no_ports" });
      await expect(engine.relayIn("room/a", media)).rejects.toMatchObject({ code: "track_exists" });
      expect(engine.tracks().map((t) => t.trackId)).toEqual(["room/a"]);
    } finally {
      await engine.close();
    }
  });

  it("relayIn() rejects TrackMedia it cannot forward", async () => {
    const engine = new WeriftEngine({ rtpPortRange: { min: 19_991, max: 19_995 } });
    try {
      const vp9 = { kind: "video", codec: { mimeType: "video/VP9", payloadType: 98, clockRate: 90_000 }, ssrc: 1 } as const;
      await expect(engine.relayIn("room/a", vp9)).rejects.toMatchObject({ code: "unsupported_codec" });
      const mismatched = { kind: "audio", codec: { mimeType: "video/VP8", payloadType: 96, clockRate: 90_000 }, ssrc: 1 } as const;
      await expect(engine.relayIn("room/a", mismatched)).rejects.toMatchObject({ code: "invalid_payload" });
    } finally {
      await engine.close();
    }
  });
});
