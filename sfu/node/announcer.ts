// Drives the track table (sfu/relay/track-table.ts) and the announce policy
// (sfu/relay/announce-policy.ts): tells every peer what this region holds, on change at
// once and by periodic anti-entropy, and folds peers' announcements into the table. It
// decides nothing itself; what is announced is the policy's answer.
import type { Clock, TimerHandle } from "../../core/clock.js";
import type { Logger } from "../../core/logger.js";
import type { Region, TrackId } from "../../core/region.js";
import { parsePayload } from "../../core/validate.js";
import { announcedEntries, announcementDue, earlyAnnounced, entriesKey, type LastAnnouncement, type LocalTrack } from "../relay/announce-policy.js";
import type { LegacyBehaviours } from "../relay/legacy-behaviours.js";
import {
  ANNOUNCEMENT_TTL_MS,
  ANTI_ENTROPY_INTERVAL_MS,
  applyAnnouncement,
  dropRegion,
  emptyTrackTable,
  expire,
  nextVersion,
  snapshotAnnouncement,
  trackAnnouncementSchema,
  type TrackEntry,
  type TrackTable,
} from "../relay/track-table.js";
import type { PeerClient } from "./peer-client.js";
import type { PeerDirectory } from "./peers.js";
import { RELAY_PATHS } from "./relay-protocol.js";

export interface AnnouncerOptions {
  self: Region;
  clock: Clock;
  logger: Logger;
  peers: PeerDirectory;
  client: PeerClient;
  /** The tracks this region holds right now, as the announce policy sees them. */
  localTracks: () => Iterable<LocalTrack>;
  behaviours: () => LegacyBehaviours;
  /** Called when the set of tracks this region announces changes. */
  onAnnouncedChange: () => void;
  antiEntropyMs?: number;
  ttlMs?: number;
}

export type AnnounceResult = { ok: true } | { ok: false; status: number; error: string; detail: string };

export class Announcer {
  private table: TrackTable = emptyTrackTable();
  private early: ReadonlySet<TrackId> = new Set();
  private version = 0;
  private last: LastAnnouncement | null = null;
  private announcedSet = new Set<TrackId>();
  private readonly timer: TimerHandle;
  private readonly o: AnnouncerOptions;
  private readonly antiEntropyMs: number;
  private closed = false;

  constructor(options: AnnouncerOptions) {
    this.o = options;
    this.antiEntropyMs = options.antiEntropyMs ?? ANTI_ENTROPY_INTERVAL_MS;
    // Anti-entropy ticks at a fraction of the interval so a resend is never late by a whole one.
    this.timer = options.clock.setInterval(() => {
      this.tick();
    }, Math.max(100, Math.floor(this.antiEntropyMs / 5)));
  }

  /** The table as of now (expired regions dropped). */
  current(): TrackTable {
    const now = this.o.clock.now();
    this.table = expire(this.table, now);
    return this.table;
  }

  isAnnounced(track: TrackId): boolean {
    return this.announcedSet.has(track);
  }

  /** Recomputes what to announce and sends it when it changed (or anti-entropy is due). */
  update(): void {
    if (this.closed) return;
    const now = this.o.clock.now();
    const behaviours = this.o.behaviours();
    const tracks = [...this.o.localTracks()];
    this.early = earlyAnnounced(this.early, tracks.filter((t) => t.demanded).map((t) => t.track), behaviours);
    const entries = announcedEntries(tracks, behaviours, this.early);
    if (!announcementDue(this.last, entries, now, this.antiEntropyMs)) return;
    const changed = this.last === null || this.last.key !== entriesKey(entries);
    this.send(entries, now);
    if (changed) {
      this.announcedSet = new Set(entries.map((e) => e.track));
      this.o.onAnnouncedChange();
    }
  }

  /** Sends the full snapshot to every peer now (e.g. a peer came back). */
  resend(): void {
    this.last = null;
    this.update();
  }

  receive(from: Region, payload: unknown): AnnounceResult {
    const parsed = parsePayload(trackAnnouncementSchema, payload);
    if (!parsed.ok) return { ok: false, status: 400, error: "invalid_payload", detail: parsed.error.message };
    if (parsed.value.region !== from) {
      return { ok: false, status: 403, error: "wrong_region", detail: `${from} may not announce for ${parsed.value.region}` };
    }
    if (this.o.peers.get(from) === undefined) return { ok: false, status: 403, error: "unknown_peer", detail: `${from} is not a peer` };
    this.table = applyAnnouncement(this.table, parsed.value, this.o.clock.now());
    return { ok: true };
  }

  forget(region: Region): void {
    this.table = dropRegion(this.table, region);
  }

  close(): void {
    this.closed = true;
    this.timer.cancel();
  }

  private tick(): void {
    this.table = expire(this.table, this.o.clock.now());
    this.update();
  }

  private send(entries: TrackEntry[], now: number): void {
    this.version = nextVersion(this.version, now);
    const a = snapshotAnnouncement(this.o.self, this.version, entries, now, this.o.ttlMs ?? ANNOUNCEMENT_TTL_MS);
    this.last = { key: entriesKey(entries), sentAt: now };
    for (const peer of this.o.peers.regions()) {
      void this.o.client.post(peer, RELAY_PATHS.announce, a).then((r) => {
        if (!r.ok || r.status >= 300) this.o.logger.debug({ peer, result: r.ok ? r.status : r.error }, "send() | announcement not accepted");
      });
    }
  }
}
