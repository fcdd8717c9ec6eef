// The reference SFU's public surface, for cli/, the lab launcher, tests and benches.
export { RegionNode } from "./node/region-node.js";
export { resolveOptions, DEFAULT_LINGER_MS, DEFAULT_SUBSCRIBE_TIMEOUT_MS, DEFAULT_RETRY_AFTER_SECONDS, type RegionNodeOptions } from "./node/options.js";
export { PeerDirectory, type PeerConfig, type RelayPortMap } from "./node/peers.js";
export { RelayWaitError, type RelayWaitCode } from "./node/relay-wait.js";
export { DEFAULT_HEARTBEAT_MS } from "./node/health-monitor.js";
export { createAccessTokenVerifier, createRelayCallAuth, signedRelayPath } from "./node/auth-adapters.js";
export type { RelayCallAuth } from "./node/relay-call-auth.js";
export type { AccessTokenVerifier, TokenAction } from "./http/access-tokens.js";
export { SfuMetrics } from "./telemetry/metrics.js";
export { formatTraceparent, parseTraceparent } from "./telemetry/trace-context.js";
export type { MediaEngine } from "./media/engine.js";
export { WeriftEngine, type WeriftEngineOptions } from "./media/werift/werift-engine.js";
