// Every dashboard relaywatch ships, in the order the README lists them.
import { ALERTS_OVERVIEW } from "./alerts-overview.js";
import type { DashboardSpec } from "./dashboard-spec.js";
import { MESH_OVERVIEW } from "./mesh-overview.js";
import { REGION_HEALTH } from "./region-health.js";
import { RELAY_HEALTH } from "./relay-health.js";

export const DASHBOARDS: readonly DashboardSpec[] = [MESH_OVERVIEW, RELAY_HEALTH, REGION_HEALTH, ALERTS_OVERVIEW];
