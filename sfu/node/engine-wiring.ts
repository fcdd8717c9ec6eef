// The engine's events, routed to the control plane: first packets and ended sources to the
// relay manager, ended subscriptions to the manager and the session table, relay-outs the
// engine closed by itself to the relay server, pipe drops and media worker deaths to the
// metrics and the log. Returns the
// function that unhooks everything (node close).
import type { Logger } from "../../core/logger.js";
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
  logger: Logger;
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
    w.engine.on("workerDied", (e) => {
      w.metrics.mediaWorker("died");
      w.logger.error({ pid: e.pid, error: e.error, tracks: e.trackIds }, "workerDied() | media worker died; its sessions failed, restarting it");
    }),
    w.engine.on("workerRestarted", (e) => {
      w.metrics.mediaWorker("restarted");
      w.logger.warn({ pid: e.pid, previousPid: e.previousPid, afterMs: e.afterMs }, "workerRestarted() | media worker replaced");
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
