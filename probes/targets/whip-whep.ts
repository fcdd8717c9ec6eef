// The WHIP/WHEP target: relaywatch's own SFU and any server speaking WHIP (RFC 9725) and
// WHEP. Publish and subscribe both send our offer and take the SFU's answer; the session
// ends with a DELETE of its Location.
import { errorMessage, type Result } from "../../core/errors.js";
import type { TrackId } from "../../core/region.js";
import type { Endpoints, TokenOperation } from "../endpoints.js";
import type { SetupFailure } from "../stats/observation.js";
import type { WhipClient, WhipKind } from "../whip-client.js";
import type { ProbeTarget, SdpPeer, TargetSession } from "./target.js";

export class WhipWhepTarget implements ProbeTarget {
  private readonly whip: WhipClient;
  private readonly endpoints: Endpoints;

  constructor(whip: WhipClient, endpoints: Endpoints) {
    this.whip = whip;
    this.endpoints = endpoints;
  }

  publish(track: TrackId, peer: SdpPeer, requested: () => void): Promise<Result<TargetSession, SetupFailure>> {
    return this.negotiate("WHIP", "publish", this.endpoints.whip(track), track, peer, requested);
  }

  subscribe(track: TrackId, peer: SdpPeer, requested: () => void): Promise<Result<TargetSession, SetupFailure>> {
    return this.negotiate("WHEP", "subscribe", this.endpoints.whep(track), track, peer, requested);
  }

  close(): void {
    this.whip.close();
  }

  private async negotiate(kind: WhipKind, op: TokenOperation, url: string, track: TrackId, peer: SdpPeer, requested: () => void): Promise<Result<TargetSession, SetupFailure>> {
    const offer = await peer.createOffer();
    requested();
    const token = this.endpoints.token(op, track);
    const answer = await this.whip.offer(kind, url, offer, token);
    if (!answer.ok) return answer;
    const location = answer.value.location;
    const session: TargetSession = {
      url: location,
      relayPath: answer.value.relayPath,
      release: async () => (await this.whip.delete(location, token)).ok,
    };
    try {
      await peer.acceptAnswer(answer.value.answerSdp);
    } catch (err) {
      void session.release();
      return { ok: false, error: { kind: "setup", stage: "answer", detail: `the SFU's SDP answer was not usable: ${errorMessage(err)}` } };
    }
    return { ok: true, value: session };
  }
}
