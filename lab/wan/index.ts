// The WAN emulator's public surface, for the lab launcher, the scenario runner and tests.
export { WanEmulator, type WanEmulatorOptions, type CutHandle, type ListeningSocket } from "./wan-emulator.js";
export { WanControlServer, createWanControlApp, type WanControlOptions } from "./control-server.js";
export { mapRelayPort, unmapRelayPort, LOOPBACK_HOST, type EndpointSpec, type PortRange, type RelayPortMapping, type WanRoute } from "./topology.js";
export { defaultLatencyMs, FALLBACK_LATENCY_MS } from "./latency-table.js";
export { linkSettingsSchema, settingsToPatch, defaultLinkParams, type LinkParams, type LinkPatch, type LinkSettings } from "./link-params.js";
export type { LinkView } from "./wan-link.js";
export type { CutKind } from "./cuts.js";
export { seededRandom, systemRandom, type RandomSource } from "../../core/random.js";
export { bindUdpPortRange } from "./port-range.js";
