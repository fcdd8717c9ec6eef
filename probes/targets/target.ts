// The probe *target* seam: how a probe track is published into an SFU and how an agent
// subscribes to one. The publisher and the subscription own their werift peers and the
// timing; a target only negotiates SDP with the SFU and ends the session it made. One module
// per target: whip-whep.ts (relaywatch's SFU and any WHIP/WHEP server) and janus.ts (Janus
// VideoRoom over its HTTP API). Expected failures are values (SetupFailure), never thrown.
import type { Result } from "../../core/errors.js";
import type { Region, TrackId } from "../../core/region.js";
import type { SetupFailure } from "../stats/observation.js";

/** What a target may ask of the agent's peer: WHIP/WHEP offer, Janus' subscribe answers an offer. */
export interface SdpPeer {
  createOffer(): Promise<string>;
  answerOffer(offerSdp: string): Promise<string>;
  acceptAnswer(answerSdp: string): Promise<void>;
}

export interface TargetSession {
  /** Where the session lives on the SFU (WHIP Location, Janus handle URL). */
  url: string;
  /** Regions the media crossed, origin first (relaywatch's `Relay-Path`); empty when unknown. */
  relayPath: Region[];
  /** Ends the session on the SFU, best effort: false when the SFU did not confirm. */
  release(): Promise<boolean>;
}

export interface ProbeTarget {
  /**
   * Negotiates `peer` with the SFU until the peer has its remote description. `requested` is
   * called when the request leaves (setup time is measured from there, SDP creation excluded).
   */
  publish(track: TrackId, peer: SdpPeer, requested: () => void): Promise<Result<TargetSession, SetupFailure>>;
  subscribe(track: TrackId, peer: SdpPeer, requested: () => void): Promise<Result<TargetSession, SetupFailure>>;
  /** Ends every request in flight (agent stopping). */
  close(): void;
}

export type TargetKind = "relaywatch" | "whip" | "janus";
export const TARGET_KINDS: readonly TargetKind[] = ["relaywatch", "whip", "janus"];
