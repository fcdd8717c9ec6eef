// The serving half of the relay control plane: answers peers' `POST /relay/v1/pull` with
// the pull policy's decision (serve, attach, pull, refuse), opens relay-outs to the
// address that reaches the caller (its reported relay-in port through this region's own
// port map for it), completes attached pulls once our own copy flows, and handles
// `leave`. Pulling is relay-manager.ts's job; this side only calls startRelay().
import { SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import type { Clock } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { Region, TrackId } from "../../core/region.js";
import { parsePayload } from "../../core/validate.js";
import type { MediaEngine } from "../media/engine.js";
import type { TrackMedia } from "../media/track-media.js";
import type { LegacyBehaviours } from "../relay/legacy-behaviours.js";
import { decidePull, isStalePull, PULL_REFUSAL_STATUS } from "../relay/pull-policy.js";
import type { TrackTable } from "../relay/track-table.js";
import type { SfuMetrics } from "../telemetry/metrics.js";
import { contextFromTraceparent } from "../telemetry/trace-context.js";
import type { PeerClient } from "./peer-client.js";
import type { PeerDirectory } from "./peers.js";
import type { DownstreamSide, RelayManager } from "./relay-manager.js";
import { relayPullBodySchema, relayReleaseSchema, type RelayPullResult } from "./relay-protocol.js";
import { localCopy, type Downstream, type TrackState } from "./track-state.js";

export interface RelayReply {
  status: number;
  body: unknown;
}

export interface RelayServerOptions {
  self: Region;
  engine: MediaEngine;
  clock: Clock;
  logger: Logger;
  tracer: Tracer;
  metrics: SfuMetrics;
  client: PeerClient;
  peers: PeerDirectory;
  manager: RelayManager;
  table: () => TrackTable;
  rtts: () => ReadonlyMap<Region, number>;
  behaviours: () => LegacyBehaviours;
}

export class RelayServer implements DownstreamSide {
  private readonly o: RelayServerOptions;

  constructor(options: RelayServerOptions) {
    this.o = options;
    options.manager.setDownstreamSide(this);
  }

  async pull(from: Region, payload: unknown, traceparent: string | undefined): Promise<RelayReply> {
    const parsed = parsePayload(relayPullBodySchema, payload);
    if (!parsed.ok) return bad("invalid_payload", parsed.error.message);
    const req = parsed.value;
    if (req.path[req.path.length - 1] !== from) return bad("invalid_path", `the path must end with the caller ${from}: ${req.path.join(">")}`);
    if (this.o.peers.relayTarget(from, req.port) === null) return bad("invalid_port", `port ${req.port} is outside ${from}'s relay range`);
    const parent = contextFromTraceparent(req.traceparent ?? traceparent);
    const span = this.o.tracer.startSpan(
      "relay.serve",
      { kind: SpanKind.SERVER, attributes: { "relaywatch.region": this.o.self, "relaywatch.track": req.track, "relaywatch.path": req.path.join(">") } },
      parent,
    );
    const existing = this.o.manager.tracks.get(req.track);
    const held = existing?.downstreams.get(from) ?? existing?.waiters.get(from);
    if (held !== undefined && isStalePull(req.pullId, held.pullId)) {
      this.o.metrics.pullsTotal.inc({ result: "stale_pull" });
      span.setStatus({ code: SpanStatusCode.ERROR, message: "stale_pull" });
      span.end();
      return { status: PULL_REFUSAL_STATUS.stale_pull, body: { error: "stale_pull", detail: `${from} already pulls ${req.track} with a newer pull` } };
    }
    const decision = decidePull(req, {
      self: this.o.self,
      copy: existing === undefined ? { kind: "none" } : localCopy(existing),
      table: this.o.table(),
      rtts: this.o.rtts(),
      now: this.o.clock.now(),
      behaviours: this.o.behaviours(),
    });
    this.o.metrics.pullsTotal.inc({ result: decision.action === "refuse" ? decision.error : decision.action });
    span.setAttribute("relaywatch.decision", decision.action === "refuse" ? decision.error : decision.action);
    const ds: Downstream = { region: from, pullId: req.pullId, port: req.port, relayOutId: null };
    try {
      switch (decision.action) {
        case "serve": {
          const t = this.o.manager.ensure(req.track);
          const media = await this.openRelayOut(t, ds);
          if (media === null) return { status: 404, body: { error: "no_source", detail: `${req.track} ended while opening the relay` } };
          this.replace(t, t.downstreams, ds);
          this.o.manager.changed(t);
          return { status: 200, body: { chain: [...decision.chain], pending: false, media } };
        }
        case "attach": {
          const t = this.o.manager.ensure(req.track);
          this.replace(t, t.waiters, ds);
          this.o.manager.changed(t);
          return { status: 202, body: { chain: [...decision.chain], pending: true } };
        }
        case "pull": {
          const t = this.o.manager.ensure(req.track);
          this.replace(t, t.waiters, ds);
          this.o.manager.startRelay(t, [...decision.path], trace.setSpan(parent, span));
          return { status: 202, body: { chain: [this.o.self], pending: true } };
        }
        case "refuse":
          span.setStatus({ code: SpanStatusCode.ERROR, message: decision.error });
          return { status: PULL_REFUSAL_STATUS[decision.error], body: { error: decision.error, detail: decision.detail } };
      }
    } finally {
      span.end();
    }
  }

  /** A downstream releases the relay of `pullId`. */
  leave(from: Region, payload: unknown): RelayReply {
    const parsed = parsePayload(relayReleaseSchema, payload);
    if (!parsed.ok) return bad("invalid_payload", parsed.error.message);
    const t = this.o.manager.tracks.get(parsed.value.track);
    if (t === undefined) return { status: 200, body: { released: false } };
    let released = false;
    for (const map of [t.downstreams, t.waiters]) {
      const ds = map.get(from);
      if (ds?.pullId !== parsed.value.pullId) continue;
      map.delete(from);
      this.closeRelayOut(ds);
      released = true;
    }
    if (released) {
      this.o.manager.changed(t);
      this.o.manager.maybeStop(t);
    }
    return { status: 200, body: { released } };
  }

  /** Our copy flows: serve every attached pull (relay-out now, then tell the caller). */
  serveWaiters(t: TrackState): void {
    const chain = [this.o.self, ...(t.relay?.chain ?? [])];
    for (const ds of [...t.waiters.values()]) {
      t.waiters.delete(ds.region);
      void this.completeWaiter(t, ds, chain);
    }
  }

  refuseWaiters(t: TrackState, error: string): void {
    for (const ds of [...t.waiters.values()]) {
      t.waiters.delete(ds.region);
      const result: RelayPullResult = { track: t.track, pullId: ds.pullId, error };
      void this.o.client.post(ds.region, "/relay/v1/pull-result", result);
    }
  }

  closeDownstreams(t: TrackState): void {
    for (const ds of [...t.downstreams.values()]) {
      t.downstreams.delete(ds.region);
      this.closeRelayOut(ds);
      void this.o.client.post(ds.region, "/relay/v1/close", { track: t.track, pullId: ds.pullId });
    }
  }

  /** The engine closed a relay-out by itself (its source ended): forget the id. */
  relayOutClosed(track: TrackId, relayId: string): void {
    const t = this.o.manager.tracks.get(track);
    for (const ds of t?.downstreams.values() ?? []) if (ds.relayOutId === relayId) ds.relayOutId = null;
  }

  private async completeWaiter(t: TrackState, ds: Downstream, chain: Region[]): Promise<void> {
    const media = await this.openRelayOut(t, ds);
    if (media === null) {
      void this.o.client.post(ds.region, "/relay/v1/pull-result", { track: t.track, pullId: ds.pullId, error: "no_source" });
      return;
    }
    this.replace(t, t.downstreams, ds);
    this.o.manager.changed(t);
    const res = await this.o.client.post(ds.region, "/relay/v1/pull-result", { track: t.track, pullId: ds.pullId, chain, media });
    if (res.ok && res.status === 200) return;
    // The caller gave up on this pull (or cannot be reached): undo the relay-out.
    if (t.downstreams.get(ds.region) === ds) {
      t.downstreams.delete(ds.region);
      this.closeRelayOut(ds);
      this.o.manager.changed(t);
      this.o.manager.maybeStop(t);
    }
  }

  /** Opens the relay-out for `ds`; the TrackMedia it sends, or null when the track is gone. */
  private async openRelayOut(t: TrackState, ds: Downstream): Promise<TrackMedia | null> {
    const target = this.o.peers.relayTarget(ds.region, ds.port);
    if (target === null) return null;
    try {
      const h = await this.o.engine.relayOut(t.track, target);
      ds.relayOutId = h.relayId;
      return h.media;
    } catch (err) {
      this.o.logger.warn({ track: t.track, peer: ds.region, err }, "openRelayOut() | relay-out failed");
      return null;
    }
  }

  /** Puts `ds` in `map`, closing the relay-out of an older pull by the same region. */
  private replace(t: TrackState, map: Map<Region, Downstream>, ds: Downstream): void {
    for (const m of [t.downstreams, t.waiters]) {
      const old = m.get(ds.region);
      if (old !== undefined && old !== ds) {
        m.delete(ds.region);
        this.closeRelayOut(old);
      }
    }
    map.set(ds.region, ds);
  }

  private closeRelayOut(ds: Downstream): void {
    const id = ds.relayOutId;
    ds.relayOutId = null;
    if (id !== null && !this.o.engine.closed) void this.o.engine.closeRelay(id).catch(() => undefined);
  }
}

function bad(error: string, detail: string): RelayReply {
  return { status: 400, body: { error, detail } };
}
