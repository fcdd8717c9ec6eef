// The Janus VideoRoom target: publishes a probe track as a VideoRoom publisher whose display
// name is the track id (our offer, Janus' answer) and subscribes by finding that publisher's
// feed and answering Janus' offer. One Janus session per publish or subscription, kept alive
// while it lasts and destroyed on release. The room is created on first publish (an existing
// room is fine). Janus gives no relay path: the SFU's own state is not visible to probes.
import type { Clock, TimerHandle } from "../../core/clock.js";
import { errorMessage, type Result } from "../../core/errors.js";
import type { TrackId } from "../../core/region.js";
import type { SetupFailure } from "../stats/observation.js";
import { JanusSession, type JanusFailure } from "./janus-videoroom.js";
import type { ProbeTarget, SdpPeer, TargetSession } from "./target.js";

/** 25 s: well inside Janus' default session_timeout of 60 s, so one lost keepalive is harmless. */
const KEEPALIVE_MS = 25_000;
/** The VideoRoom's "room already exists" error code (janus_videoroom.c, JANUS_VIDEOROOM_ERROR_ROOM_EXISTS). */
const ROOM_EXISTS = 427;
/** Janus answers a join within its own event timeout; this is what a timeout failure reports. */
const JANUS_REQUEST_TIMEOUT_MS = 10_000;

export interface JanusTargetOptions {
  /** The region's Janus HTTP API base, e.g. http://janus.example:8088/janus */
  baseUrl: string;
  /** The VideoRoom room the probe tracks live in (numeric, as Janus' default config wants). */
  room: number;
  clock: Clock;
  fetch?: typeof globalThis.fetch | undefined;
}

export class JanusTarget implements ProbeTarget {
  private readonly o: JanusTargetOptions;
  private closed = false;

  constructor(o: JanusTargetOptions) {
    this.o = o;
  }

  async publish(track: TrackId, peer: SdpPeer, requested: () => void): Promise<Result<TargetSession, SetupFailure>> {
    const offer = await peer.createOffer();
    requested();
    const opened = await this.open();
    if (!opened.ok) return opened;
    const { s, handle, session } = opened.value;
    const created = await s.request(handle, { request: "create", room: this.o.room });
    if (!created.ok && created.error.code !== ROOM_EXISTS) return this.failed(session, created.error);
    const joined = await s.requestAsync(handle, { request: "joinandconfigure", ptype: "publisher", room: this.o.room, display: track, audio: true }, { type: "offer", sdp: offer });
    if (!joined.ok) return this.failed(session, joined.error);
    if (joined.value.jsep?.type !== "answer") return this.failed(session, { kind: "janus", detail: "joinandconfigure: no JSEP answer", code: null });
    try {
      await peer.acceptAnswer(joined.value.jsep.sdp);
    } catch (err) {
      void session.release();
      return { ok: false, error: { kind: "setup", stage: "answer", detail: `Janus' SDP answer was not usable: ${errorMessage(err)}` } };
    }
    return { ok: true, value: session };
  }

  async subscribe(track: TrackId, peer: SdpPeer, requested: () => void): Promise<Result<TargetSession, SetupFailure>> {
    requested();
    const opened = await this.open();
    if (!opened.ok) return opened;
    const { s, handle, session } = opened.value;
    const listed = await s.request(handle, { request: "listparticipants", room: this.o.room });
    if (!listed.ok) return this.failed(session, listed.error);
    const participants = Array.isArray(listed.value["participants"]) ? (listed.value["participants"] as Record<string, unknown>[]) : [];
    const feed = participants.find((p) => p["display"] === track && p["publisher"] === true)?.["id"];
    if (typeof feed !== "number") return this.failed(session, { kind: "janus", detail: `no publisher ${track} in room ${this.o.room}`, code: null });
    const joined = await s.requestAsync(handle, { request: "join", ptype: "subscriber", room: this.o.room, streams: [{ feed }] });
    if (!joined.ok) return this.failed(session, joined.error);
    if (joined.value.jsep?.type !== "offer") return this.failed(session, { kind: "janus", detail: "subscriber join: no JSEP offer", code: null });
    let answer: string;
    try {
      answer = await peer.answerOffer(joined.value.jsep.sdp);
    } catch (err) {
      void session.release();
      return { ok: false, error: { kind: "setup", stage: "answer", detail: `Janus' SDP offer was not usable: ${errorMessage(err)}` } };
    }
    const started = await s.requestAsync(handle, { request: "start", room: this.o.room }, { type: "answer", sdp: answer });
    if (!started.ok) return this.failed(session, started.error);
    return { ok: true, value: session };
  }

  close(): void {
    this.closed = true;
  }

  /** A Janus session with one VideoRoom handle, kept alive until released. */
  private async open(): Promise<Result<{ s: JanusSession; handle: string; session: TargetSession }, SetupFailure>> {
    if (this.closed) return { ok: false, error: { kind: "setup", stage: "network", detail: "probe agent stopping" } };
    const created = await JanusSession.create({ baseUrl: this.o.baseUrl, ...(this.o.fetch === undefined ? {} : { fetch: this.o.fetch }) });
    if (!created.ok) return { ok: false, error: this.setupFailure(created.error) };
    const s = created.value;
    const timer: TimerHandle = this.o.clock.setInterval(() => {
      void s.keepalive();
    }, KEEPALIVE_MS);
    let released = false;
    const session: TargetSession = {
      url: s.url,
      relayPath: [],
      release: async () => {
        if (released) return true;
        released = true;
        timer.cancel();
        return s.destroy().then(() => true, () => false);
      },
    };
    const handle = await s.attach();
    if (!handle.ok) return this.failed(session, handle.error);
    return { ok: true, value: { s, handle: handle.value, session } };
  }

  private async failed(session: TargetSession, f: JanusFailure): Promise<Result<never, SetupFailure>> {
    await session.release();
    return { ok: false, error: this.setupFailure(f) };
  }

  private setupFailure(f: JanusFailure): SetupFailure {
    switch (f.kind) {
      case "http":
        return { kind: "http", status: f.code ?? 0, statusText: f.detail, errorCode: null, detail: null, retryAfterMs: null, endpoint: this.o.baseUrl };
      case "timeout":
        return { kind: "timeout", stage: "request", afterMs: JANUS_REQUEST_TIMEOUT_MS };
      case "transport":
        return { kind: "setup", stage: "network", detail: `Janus at ${this.o.baseUrl}: ${f.detail}` };
      case "janus":
        return { kind: "setup", stage: "offer", detail: `Janus${f.code === null ? "" : ` error ${f.code}`}: ${f.detail}` };
    }
  }
}
