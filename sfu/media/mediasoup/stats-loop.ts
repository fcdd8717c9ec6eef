// The mediasoup engine's periodic work on worker-kept state: refreshes each track's
// counters (pollTrack) and ends clients that went silent. mediasoup 3.8.4 has no ICE
// consent timer, so a client that vanished without a DTLS close_notify is noticed here:
// no bytes at all (media, RTCP, STUN consent checks every ~5 s) for peerTimeoutMs.
import type { Clock } from "../../../core/clock.js";
import type { ExtensionOverhead } from "./extension-overhead.js";
import { pollTrack, type MsTrack } from "./ms-track.js";

export interface StatsLoopOptions {
  /** 0 = back to back (tests); otherwise the pause between rounds. */
  intervalMs: number;
  peerTimeoutMs: number;
  overhead: ExtensionOverhead;
  clock: Clock;
  tracks(): MsTrack[];
  /** False once the track has ended (or been replaced) while a round was in flight. */
  isCurrent(track: MsTrack): boolean;
  onPublisherGone(track: MsTrack): void;
  onSubscriberGone(subscriptionId: string): void;
}

export class StatsLoop {
  private readonly opts: StatsLoopOptions;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(opts: StatsLoopOptions) {
    this.opts = opts;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.round();
    }, this.opts.intervalMs);
    // Never keeps the process alive on its own.
    this.timer.unref();
  }

  private async round(): Promise<void> {
    const { clock, overhead } = this.opts;
    const tracks = this.opts.tracks();
    await Promise.all(tracks.map((t) => pollTrack(t, () => clock.now(), overhead)));
    if (this.stopped) return;
    this.reap(tracks);
    this.schedule();
  }

  private reap(tracks: MsTrack[]): void {
    const now = this.opts.clock.now();
    const { peerTimeoutMs } = this.opts;
    for (const t of tracks) {
      if (!this.opts.isCurrent(t)) continue;
      if (t.source.kind === "publisher" && now - t.source.liveness.lastActivityAtMs > peerTimeoutMs) {
        this.opts.onPublisherGone(t);
        continue;
      }
      for (const s of [...t.subscriptions.values()]) {
        if (now - s.liveness.lastActivityAtMs > peerTimeoutMs) this.opts.onSubscriberGone(s.id);
      }
    }
  }
}
