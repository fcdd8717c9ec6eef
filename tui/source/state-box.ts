// Holds a source's DashboardState and tells subscribers when it changes. A listener that
// throws is isolated: it must never corrupt the state or stop the others (mediasoup's
// safeEmit).
import type { DashboardState } from "./dashboard-state.js";

export class StateBox {
  private state: DashboardState;
  private readonly listeners = new Set<() => void>();

  constructor(initial: DashboardState) {
    this.state = initial;
  }

  get(): DashboardState {
    return this.state;
  }

  update(patch: Partial<DashboardState> | ((s: DashboardState) => Partial<DashboardState>)): void {
    const p = typeof patch === "function" ? patch(this.state) : patch;
    this.state = { ...this.state, ...p };
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch {
        // A broken view must not stop the feed; Ink reports render errors itself.
      }
    }
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
