// A scenario's `subscribe` action: a WHEP subscriber (a werift client, as a real viewer
// would be) in a region, for extra demand. `probe/<region>` names that region's current
// probe track, whose real name changes every rotation (probes/rotation.ts).
import type { TrackId } from "../../core/region.js";
import { RelaywatchError } from "../../core/errors.js";
import { WeriftSubscriber } from "../../probes/client/werift-peer.js";
import { probeTrackId, rotationAt } from "../../probes/rotation.js";
import { describeFailure } from "../../probes/stats/observation.js";
import { WhipClient } from "../../probes/whip-client.js";

export function resolveScenarioTrack(track: TrackId, nowMs: number, rotateMs: number): TrackId {
  const m = /^probe\/([a-z0-9-]+)$/.exec(track);
  if (m?.[1] === undefined) return track;
  return probeTrackId(m[1], rotationAt(nowMs, rotateMs));
}

export class ScenarioSubscriber {
  private readonly peer: WeriftSubscriber;
  private readonly client: WhipClient;
  private readonly location: string;
  private readonly token: string;

  private constructor(peer: WeriftSubscriber, client: WhipClient, location: string, token: string) {
    this.peer = peer;
    this.client = client;
    this.location = location;
    this.token = token;
  }

  static async start(o: { url: string; token: string }): Promise<ScenarioSubscriber> {
    const peer = new WeriftSubscriber("video");
    const client = new WhipClient();
    const offer = await peer.createOffer();
    const res = await client.offer("WHEP", o.url, offer, o.token);
    if (!res.ok) {
      await peer.close();
      throw new RelaywatchError("invalid_state", `WHEP subscribe failed: ${describeFailure(res.error)}`);
    }
    await peer.acceptAnswer(res.value.answerSdp);
    return new ScenarioSubscriber(peer, client, res.value.location, o.token);
  }

  async close(): Promise<void> {
    await this.client.delete(this.location, this.token);
    await this.peer.close();
  }
}
