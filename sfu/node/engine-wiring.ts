// The engine's events, routed to the control plane: first packets and ended sources to the
// relay manager, ended subscriptions to the manager and the session table, relay-outs the
// engine closed by itself to the relay server, pipe drops to the metrics. Returns the
// function that unhooks everything (node close).
import type { MediaEngine } from "../media/engine.js";
import type { SfuMetrics } from "../telemetry/metrics.js";
import type { RelayManager } from "./relay-manager.js";
import type { RelayServer } from "./relay-server.js";
import type { Sessions } from "./sessions.js";

export interface EngineWiring {
  engine: MediaEngine;
  manager: RelayManager;
  server: RelayServer;
  sessions: Sessions;
  metrics: SfuMetrics;
}

export function wireEngine(w: EngineWiring): () => void {
  const offs = [
    w.engine.on("firstPacket", (e) => {
      w.manager.firstPacket(e.trackId, e.relayId, e.atMs);
    }),
    w.engine.on("sourceClosed", (e) => {
      if (e.source === "publisher") w.sessions.publisherEnded(e.trackId);
      w.manager.sourceClosed(e.trackId, e.relayId);
    }),
    w.engine.on("subscriptionClosed", (e) => {
      w.sessions.subscriptionEnded(e.subscriptionId);
      w.manager.subscriptionClosed(e.trackId, e.subscriptionId);
    }),
    w.engine.on("relayClosed", (e) => {
      if (e.direction === "out") w.server.relayOutClosed(e.trackId, e.relayId);
    }),
    w.engine.on("pipeDrop", (e) => {
      w.metrics.pipeDrop(e.reason);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
