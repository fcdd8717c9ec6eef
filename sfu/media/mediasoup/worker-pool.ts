// The mediasoup worker processes of one engine and the Router of each room on them. A
// room's tracks share one Router on one worker (so publish → subscribe stays inside one
// process); rooms are spread over workers by load. A worker that dies takes its rooms
// with it: the pool tells the engine which rooms were lost, then starts a replacement.
// The pool owns every worker process it spawns: close() kills them all, no orphans.
import { backoffDelay, type BackoffPolicy } from "../../../core/backoff.js";
import type { Logger } from "../../../core/logger.js";
import { InvalidStateError } from "../../../core/errors.js";
import { MediaError } from "../errors.js";
import { ROUTER_MEDIA_CODECS } from "./codecs.js";
import type { MediasoupModule, MsRouter, MsWorker, MsWorkerSettings } from "./mediasoup-api.js";

/** Retries of a replacement that failed to start: first within 250 ms, then doubling, at most 5 s apart. */
const RESTART_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 5_000 };
/** How long a publish waits for a replacement when every worker is down (issue 10: < 5 s). */
const WAIT_FOR_WORKER_MS = 4_000;

export interface WorkerDeath {
  pid: number;
  error: Error;
  rooms: string[];
}

export interface WorkerPoolHooks {
  /** Called synchronously when a worker died, before its replacement is started. */
  onDied(death: WorkerDeath): void;
  onRestarted(info: { pid: number; previousPid: number; afterMs: number }): void;
}

export interface RouterLease {
  router: MsRouter;
  /** The worker process hosting the Router. */
  pid: number;
  release(): void;
}

interface Slot {
  index: number;
  worker: MsWorker | null;
  rooms: Set<string>;
}

interface Room {
  slot: Slot;
  router: Promise<MsRouter>;
  users: number;
}

export class WorkerPool {
  private readonly module: MediasoupModule;
  private readonly settings: MsWorkerSettings;
  private readonly hooks: WorkerPoolHooks;
  private readonly logger: Logger;
  private readonly slots: Slot[] = [];
  private readonly rooms = new Map<string, Room>();
  private readonly waiters = new Set<() => void>();
  private closed = false;

  private constructor(module: MediasoupModule, settings: MsWorkerSettings, hooks: WorkerPoolHooks, logger: Logger) {
    this.module = module;
    this.settings = settings;
    this.hooks = hooks;
    this.logger = logger;
  }

  static async create(module: MediasoupModule, size: number, settings: MsWorkerSettings, hooks: WorkerPoolHooks, logger: Logger): Promise<WorkerPool> {
    const pool = new WorkerPool(module, settings, hooks, logger);
    try {
      for (let i = 0; i < size; i++) {
        const slot: Slot = { index: i, worker: null, rooms: new Set() };
        pool.slots.push(slot);
        pool.attach(slot, await module.createWorker(settings));
      }
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** Process ids of the live workers (for CPU accounting and tests). */
  pids(): number[] {
    return this.slots.flatMap((s) => (s.worker === null ? [] : [s.worker.pid]));
  }

  /**
   * A lease on the Router of `room`, created on the least-loaded live worker on first use.
   * release() is idempotent; the last lease of a room closes its Router. A lease taken
   * before its worker died releases nothing of the room's next Router.
   */
  async acquireRouter(room: string): Promise<RouterLease> {
    if (this.closed) throw new InvalidStateError("acquireRouter(): pool closed");
    let entry = this.rooms.get(room);
    if (entry === undefined) {
      const slot = await this.liveSlot();
      const worker = slot.worker;
      if (worker === null) throw new MediaError("negotiation_failed", "no mediasoup worker is running");
      entry = this.rooms.get(room);
      if (entry === undefined) {
        const created: Room = { slot, router: worker.createRouter({ mediaCodecs: [...ROUTER_MEDIA_CODECS] }), users: 0 };
        entry = created;
        this.rooms.set(room, created);
        slot.rooms.add(room);
        created.router.catch(() => {
          if (this.rooms.get(room) === created) this.dropRoom(room);
        });
      }
    }
    const held: Room = entry;
    held.users++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      if (--held.users > 0 || this.rooms.get(room) !== held) return;
      this.dropRoom(room);
      void held.router.then((r) => {
        r.close();
      }, () => undefined);
    };
    try {
      const router = await held.router;
      return { router, pid: held.slot.worker?.pid ?? 0, release };
    } catch (err) {
      release();
      throw new MediaError("negotiation_failed", `router for room ${room}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  /** The pid of the worker hosting `room`, if any. */
  pidOf(room: string): number | null {
    return this.rooms.get(room)?.slot.worker?.pid ?? null;
  }

  /** Closes every worker and resolves once their processes are gone (SIGKILL after a grace period). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pids: number[] = [];
    for (const slot of this.slots) {
      const w = slot.worker;
      slot.worker = null;
      if (w === null) continue;
      pids.push(w.pid);
      w.close();
    }
    this.rooms.clear();
    for (const wake of [...this.waiters]) wake();
    await Promise.all(pids.map((pid) => waitForExit(pid)));
  }

  private dropRoom(room: string): void {
    const entry = this.rooms.get(room);
    if (entry === undefined) return;
    this.rooms.delete(room);
    entry.slot.rooms.delete(room);
  }

  private attach(slot: Slot, worker: MsWorker): void {
    if (this.closed) {
      worker.close();
      return;
    }
    slot.worker = worker;
    worker.on("died", (error) => {
      this.onDied(slot, worker, error);
    });
    for (const wake of [...this.waiters]) wake();
  }

  private onDied(slot: Slot, worker: MsWorker, error: Error): void {
    if (this.closed || slot.worker !== worker) return;
    const diedAt = Date.now();
    slot.worker = null;
    const rooms = [...slot.rooms];
    for (const room of rooms) this.dropRoom(room);
    this.logger.error({ pid: worker.pid, err: error, rooms: rooms.length }, "worker | died; restarting it");
    this.hooks.onDied({ pid: worker.pid, error, rooms });
    void this.restart(slot, worker.pid, diedAt, 0);
  }

  private async restart(slot: Slot, previousPid: number, diedAt: number, attempt: number): Promise<void> {
    if (this.closed) return;
    try {
      const worker = await this.module.createWorker(this.settings);
      this.attach(slot, worker);
      // Closed meanwhile: attach() closed the replacement instead.
      if (slot.worker !== worker) return;
      this.hooks.onRestarted({ pid: worker.pid, previousPid, afterMs: Date.now() - diedAt });
    } catch (err) {
      const retryMs = backoffDelay(RESTART_BACKOFF, attempt, Math.random());
      this.logger.error({ previousPid, err, retryMs }, "worker | replacement failed to start; retrying");
      setTimeout(() => {
        void this.restart(slot, previousPid, diedAt, attempt + 1);
      }, retryMs).unref();
    }
  }

  private async liveSlot(): Promise<Slot> {
    const deadline = Date.now() + WAIT_FOR_WORKER_MS;
    for (;;) {
      const live = this.slots.filter((s) => s.worker !== null);
      if (live.length > 0) return live.reduce((best, s) => (s.rooms.size < best.rooms.size ? s : best));
      const left = deadline - Date.now();
      if (this.closed || left <= 0) throw new MediaError("negotiation_failed", "no mediasoup worker is running");
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }
}

/** mediasoup's close() sends SIGTERM and does not wait; a worker is given this long to exit. */
const EXIT_GRACE_MS = 2_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number): Promise<void> {
  const deadline = Date.now() + EXIT_GRACE_MS;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        return;
      }
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
