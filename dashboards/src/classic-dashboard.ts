// The SDK marks its v1 dashboard builder deprecated in favour of dashboardv2, Grafana 12's
// schema v2, which only Grafana 12+ with the kubernetesDashboards feature reads. The v1 JSON
// model is what file provisioning and "Import dashboard" accept on every Grafana from 9 to
// 12, so relaywatch emits v1 on purpose; this is the one place that says so.
/* eslint-disable @typescript-eslint/no-deprecated -- v1 on purpose, see above */
import { DashboardBuilder, type Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";

export const ClassicDashboardBuilder = DashboardBuilder;
export type ClassicDashboard = Dashboard;
