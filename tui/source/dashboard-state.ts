// The one model every view is fed, whichever source produced it (live analyzer or replay
// from the store), and the seam sources implement. Components never know which it is.
import type { Alert } from "../../core/alert.js";
import type { Overview, TrackGraph, TracksList } from "../../core/analyzer-api.js";

export type ConnectionState =
  /** First contact not made yet. */
  | { kind: "connecting"; since: number }
  /** Snapshot fetched and the SSE stream open. */
  | { kind: "live"; since: number }
  /** The last attempt failed; `since` is when contact was lost (or first tried). */
  | { kind: "unreachable"; since: number; error: string; attempts: number }
  /** Reading history from the store. */
  | { kind: "replay"; at: number; playing: boolean; speed: number; loading: boolean; error: string | null };

export interface DashboardState {
  mode: "live" | "replay";
  connection: ConnectionState;
  overview: Overview | null;
  alerts: readonly Alert[];
  tracks: TracksList["tracks"];
  /** The relay graph of `selectedTrack`, once loaded. */
  graph: TrackGraph | null;
  selectedTrack: string | null;
  /** Local time the last data arrived (live) or the replay position (replay). */
  receivedAt: number | null;
  /** Where the data comes from, for the header: the analyzer URL or the store. */
  origin: string;
}

export interface ReplayControls {
  /** Moves the replay position by `ms` (negative: back). */
  step(ms: number): void;
  togglePlay(): void;
}

export interface DashboardSource {
  getState(): DashboardState;
  /** Calls `listener` after every state change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Asks for the relay graph of `track` (null: none). */
  selectTrack(track: string | null): void;
  readonly replay: ReplayControls | null;
  start(): void;
  /** Idempotent: stops timers, requests and streams. */
  close(): Promise<void>;
}

export function emptyState(mode: DashboardState["mode"], connection: ConnectionState, origin: string): DashboardState {
  return { mode, connection, overview: null, alerts: [], tracks: [], graph: null, selectedTrack: null, receivedAt: null, origin };
}
