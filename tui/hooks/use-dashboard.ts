// Subscribes a component to a DashboardSource: re-renders on every state change.
import { useSyncExternalStore } from "react";
import type { DashboardSource, DashboardState } from "../source/dashboard-state.js";

export function useDashboard(source: DashboardSource): DashboardState {
  return useSyncExternalStore(
    (listener) => source.subscribe(listener),
    () => source.getState(),
  );
}
