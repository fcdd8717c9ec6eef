// Performs the relay machine's effects for the region node: engine pipes, peer calls
// (relay-protocol.ts paths), timers on the injected Clock, spans, metrics and logs. It
// decides nothing: every answer from the engine or a peer goes back to the machine as an
// event (`feed`). The span of each relay lives here, keyed by the relay's serial.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from "@opentelemetry/api";
import type { Clock, TimerHandle } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { Region, TrackId } from "../../core/region.js";
import type { MediaEngine } from "../media/engine.js";
import { formatRelayPath } from "../relay/pull-policy.js";
import { timerKey } from "../relay/relay-machine.js";
import type { RelayEffect, RelayEvent, TimerKey } from "../relay/relay-machine-types.js";
import type { SfuMetrics } from "../telemetry/metrics.js";
import type { PeerClient } from "./peer-client.js";
import type { PeerDirectory } from "./peers.js";
import { pipeSourceOf } from "./pipe-sources.js";
import { RELAY_PATHS } from "./relay-protocol.js";
import { sendPull } from "./relay-pull.js";

/** What every part of the relay plane's I/O shell works with: this region, its engine and its peers' client. */
export interface RelayIo {
  self: Region;
  engine: MediaEngine;
  clock: Clock;
  logger: Logger;
  tracer: Tracer;
  metrics: SfuMetrics;
  client: PeerClient;
}

export interface EffectDeps extends RelayIo {
  peers: () => PeerDirectory | null;
  /** A track's state changed: announce and report it. */
  changed: (track: TrackId) => void;
  feed: (event: RelayEvent) => void;
}

/** What a request or a waiting subscribe hands the effects: its span context, and how it is answered. */
export interface Pending {
  ctx: Context;
  span?: Span;
  settle(status: number, body: unknown): void;
}

export class RelayEffects {
  /** Open requests (peer calls, waiting subscribes) by id. */
  readonly pending = new Map<string, Pending>();
  private readonly d: EffectDeps;
  private readonly timers = new Map<string, TimerHandle>();
  private readonly relays = new Map<number, { span: Span; ctx: Context; ended: boolean }>();

  constructor(deps: EffectDeps) {
    this.d = deps;
  }

  perform(e: RelayEffect): void {
    switch (e.kind) {
      case "open-relay-in":
      case "set-relay-media":
      case "open-relay-out":
      case "close-relay":
        { this.engineEffect(e); return; }
      case "send-pull":
      case "send-leave":
      case "send-close":
      case "send-pull-result":
        { this.peerEffect(e); return; }
      case "reply":
        { this.settle(e.requestId, e.status, e.body); return; }
      case "resolve-waiters":
        for (const id of e.ids) this.settle(id, 200, null);
        return;
      case "reject-waiters":
        for (const id of e.ids) this.settle(id, e.code === "closed" ? 503 : 404, { error: e.code, detail: e.message });
        return;
      case "start-timer":
        { this.startTimer(e.timer, e.ms); return; }
      case "cancel-timer":
        { this.cancelTimer(e.timer); return; }
      case "changed":
        { this.d.changed(e.track); return; }
      default:
        { this.observe(e); return; }
    }
  }

  /** Node shutdown: timers stopped, every open request answered. */
  close(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    for (const id of [...this.pending.keys()]) this.settle(id, 503, { error: "closing", detail: `${this.d.self} is closing` });
    for (const r of this.relays.values()) if (!r.ended) r.span.end();
    this.relays.clear();
  }

  private settle(id: string, status: number, body: unknown): void {
    const p = this.pending.get(id);
    this.pending.delete(id);
    p?.settle(status, body);
  }

  private engineEffect(e: Extract<RelayEffect, { kind: "open-relay-in" | "set-relay-media" | "open-relay-out" | "close-relay" }>): void {
    const { engine, logger, feed } = this.d;
    if (e.kind === "close-relay") {
      if (!engine.closed) void engine.closeRelay(e.id).catch(() => undefined);
    } else if (e.kind === "open-relay-in") {
      engine.relayIn(e.track).then(
        (h) => { feed({ kind: "relay-in-opened", track: e.track, relay: e.relay, id: h.relayId, port: h.port }); },
        (err: unknown) => {
          logger.warn({ track: e.track, err }, "pull() | relay-in failed");
          feed({ kind: "relay-in-failed", track: e.track, relay: e.relay });
        },
      );
    } else if (e.kind === "set-relay-media") {
      // Pinned to the serving region's pipe, as this region's route to it shows it (pipe-sources.ts).
      const peers = this.d.peers();
      const from = peers === null || e.media.sourcePort === undefined ? null : pipeSourceOf(peers, e.upstream, e.media.sourcePort);
      engine.setRelayMedia(e.relayInId, e.media, from ?? undefined).then(
        () => { feed({ kind: "relay-media-set", track: e.track, pullId: e.pullId, ok: true }); },
        (err: unknown) => {
          logger.warn({ track: e.track, err }, "accepted() | relay media refused");
          feed({ kind: "relay-media-set", track: e.track, pullId: e.pullId, ok: false });
        },
      );
    } else {
      const failed = { kind: "relay-out-failed", track: e.track, region: e.region, pullId: e.pullId } as const;
      const target = this.d.peers()?.relayTarget(e.region, e.port) ?? null;
      if (target === null) {
        queueMicrotask(() => { feed(failed); });
        return;
      }
      engine.relayOut(e.track, target).then(
        (h) => { feed({ kind: "relay-out-opened", track: e.track, region: e.region, pullId: e.pullId, id: h.relayId, media: h.media }); },
        (err: unknown) => {
          logger.warn({ track: e.track, peer: e.region, err }, "openRelayOut() | relay-out failed");
          feed(failed);
        },
      );
    }
  }

  private peerEffect(e: Extract<RelayEffect, { kind: "send-pull" | "send-leave" | "send-close" | "send-pull-result" }>): void {
    const { client, feed } = this.d;
    const body = { track: e.track, pullId: e.pullId };
    if (e.kind === "send-leave") void client.post(e.to, RELAY_PATHS.leave, body);
    else if (e.kind === "send-close") void client.post(e.to, RELAY_PATHS.close, body);
    else if (e.kind === "send-pull-result") {
      void client.post(e.to, RELAY_PATHS.pullResult, { ...body, ...e.result }).then((res) => {
        feed({ kind: "pull-result-answered", track: e.track, to: e.to, pullId: e.pullId, accepted: res.ok && res.status === 200 });
      });
    } else {
      const ctx = this.relays.get(e.relay)?.ctx ?? ROOT_CONTEXT;
      void sendPull(client, this.d.tracer, { track: e.track, path: [...e.path], pullId: e.pullId, port: e.port, upstream: e.to, ctx, attributes: this.attrs(e.track) })
        .then((outcome) => {
          if (outcome.kind === "refused") this.d.logger.debug({ track: e.track, upstream: e.to, why: outcome.why }, "pull() | refused, trying the next candidate");
          feed({ kind: "pull-answered", track: e.track, from: e.to, pullId: e.pullId, outcome });
        });
    }
  }

  private startTimer(timer: TimerKey, ms: number): void {
    this.cancelTimer(timer);
    const key = timerKey(timer);
    const fire = (): void => {
      if (this.timers.get(key) !== handle) return;
      this.timers.delete(key);
      this.d.feed({ kind: "timer", timer });
    };
    let handle: TimerHandle;
    if (ms <= 0) {
      let cancelled = false;
      handle = { cancel: () => { cancelled = true; } };
      queueMicrotask(() => { if (!cancelled) fire(); });
    } else {
      handle = this.d.clock.setTimeout(fire, ms);
    }
    this.timers.set(key, handle);
  }

  private cancelTimer(timer: TimerKey): void {
    const key = timerKey(timer);
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
  }

  /** Spans, metrics and logs: what the machine reports about its relays and decisions. */
  private observe(e: Extract<RelayEffect, { kind: "relay-started" | "relay-located" | "relay-flowing" | "relay-ended" | "pull-decided" | "gave-up" }>): void {
    const { tracer, metrics, logger } = this.d;
    switch (e.kind) {
      case "relay-started": {
        const parent = e.cause.kind === "restart" ? this.relays.get(e.cause.previous)?.ctx : this.pending.get(e.cause.kind === "waiter" ? e.cause.id : e.cause.requestId)?.ctx;
        const span = tracer.startSpan("relay.setup", { kind: SpanKind.INTERNAL, attributes: this.attrs(e.track, { "relaywatch.path": e.pullPath.join(">") }) }, parent ?? ROOT_CONTEXT);
        this.relays.set(e.relay, { span, ctx: trace.setSpan(parent ?? ROOT_CONTEXT, span), ended: false });
        return;
      }
      case "relay-located": {
        const span = tracer.startSpan("relay.locate", { attributes: this.attrs(e.track) }, this.relays.get(e.relay)?.ctx ?? ROOT_CONTEXT);
        span.setAttribute("relaywatch.candidates", e.candidates.map((c) => c.region).join(","));
        span.end();
        return;
      }
      case "relay-flowing": {
        metrics.relaySetupSeconds.observe({ hops: String(e.chain.length) }, e.setupMs / 1000);
        const r = this.relays.get(e.relay);
        if (r === undefined) return;
        tracer.startSpan("relay.first_packet", { attributes: this.attrs(e.track) }, r.ctx).end();
        r.span.setAttribute("relaywatch.relay_path", formatRelayPath(this.d.self, e.chain));
        if (!r.ended) r.span.end();
        r.ended = true;
        return;
      }
      case "relay-ended": {
        const r = this.relays.get(e.relay);
        this.relays.delete(e.relay);
        if (r !== undefined && !r.ended) {
          if (!e.flowing) r.span.setStatus({ code: SpanStatusCode.ERROR, message: e.why });
          r.span.end();
        }
        logger.debug({ track: e.track, why: e.why }, "endRelay() | relay ended");
        return;
      }
      case "pull-decided":
        metrics.pullsTotal.inc({ result: e.decision });
        this.pending.get(e.requestId)?.span?.setAttribute("relaywatch.decision", e.decision);
        return;
      case "gave-up":
        if (e.why === "upstream_lost") {
          metrics.relaysLost.inc({ upstream: e.upstream });
          logger.warn({ track: e.track, upstream: e.upstream, afterMs: e.afterMs }, "peerReachability() | upstream unreachable: tearing the relay down");
        } else {
          logger.warn({ track: e.track, upstream: e.upstream, waitedMs: e.afterMs }, "pull() | pending pull got no media in time (a loop?): leaving that upstream, trying the next candidate");
        }
        return;
    }
  }

  private attrs(track: TrackId, extra: Record<string, string> = {}): Record<string, string> {
    return { "relaywatch.region": this.d.self, "relaywatch.track": track, ...extra };
  }
}
