// The probe ingest's core, behind `POST /v1/ingest/probes`: admits a batch (regions, the
// agent's own region, the skew window), drops the windows it has already taken in, makes
// the rest durable and only then folds them into the engine and acknowledges.
//
// Guarantees: an acknowledged result is in the store or fsync'd in the writer's spool
// (survives SIGKILL; the spool is replayed on restart). A result is identified by its pair
// and window end: a re-sent one (a lost answer, an agent replaying its own spool) is a
// no-op here and in ClickHouse, also after a restart (the keys are reloaded from the store
// and the spool). Without a store, acknowledged means "in memory" only. Never throws:
// every outcome is an answer with a status.
import { createHash } from "node:crypto";
import type { Clock } from "../../core/clock.js";
import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import type { ProbeResult } from "../../core/probe-result.js";
import type { Region } from "../../core/region.js";
import { probeResultKeysSince } from "../../store/queries.js";
import { parseTime, probeResultRow, type Row } from "../../store/rows.js";
import type { Store } from "../../store/store.js";
import type { StoreWriter } from "../../store/writer.js";
import type { AnalyzerEngine } from "../engine.js";
import type { AnalyzerMetrics } from "../telemetry.js";
import { admitBatch, batchClockOffsetMs, type SkewWindow } from "./admission.js";
import type { IngestIdentity } from "./agent-token.js";
import { ResultKeys } from "./result-keys.js";

/** 1 s: the writer's spool append failed (a full or broken disk); the agent keeps the batch and retries. */
const RETRY_AFTER_UNAVAILABLE_S = 1;
/** 5 s: the key table is full; by then the sweep has usually made room. */
const RETRY_AFTER_FULL_S = 5;
/**
 * 64 regions: with no regions configured (probing other SFUs, whose region APIs the analyzer
 * does not watch) the first regions reported are learned, up to this many, so state stays
 * bounded (issue 13: 200,000 fake regions grew the analyzer by 400 MB); real meshes have
 * a handful to a few dozen.
 */
export const MAX_LEARNED_REGIONS = 64;
/** One warning line per reason per 10 s: a misconfigured agent must not flood the log. */
const REJECT_LOG_INTERVAL_MS = 10_000;

export interface IngestRequest {
  /** null when the analyzer runs without a token (open ingest). */
  identity: IngestIdentity | null;
  agent: string;
  batch: string | null;
  results: readonly ProbeResult[];
}

export interface IngestAnswer {
  status: number;
  body: Record<string, unknown>;
  retryAfterS?: number;
}

export interface ProbeIngestOptions {
  engine: AnalyzerEngine;
  writer: StoreWriter | null;
  regions: readonly Region[];
  skew: SkewWindow;
  clock: Clock;
  logger: Logger;
  metrics: AnalyzerMetrics;
}

export class ProbeIngest {
  private readonly o: ProbeIngestOptions;
  private readonly regions: Set<Region>;
  /** No regions configured: regions are learned from the results, up to MAX_LEARNED_REGIONS. */
  private readonly learning: boolean;
  private readonly keys: ResultKeys;
  private readonly logger: Logger;
  private readonly lastRejectLog = new Map<string, number>();

  /** `keys`: the windows already taken in (loadResultKeys), so re-sent ones are recognised after a restart. */
  constructor(o: ProbeIngestOptions, keys: ResultKeys) {
    this.o = o;
    this.regions = new Set(o.regions);
    this.learning = o.regions.length === 0;
    this.keys = keys;
    this.logger = o.logger.child({ component: "probe-ingest" });
  }

  async ingest(req: IngestRequest): Promise<IngestAnswer> {
    const { metrics } = this.o;
    const now = this.o.clock.now();
    const agentRegion = req.identity?.kind === "agent" ? req.identity.region : null;
    if (this.learning) this.learn(agentRegion, req.results);
    if (agentRegion !== null && !this.regions.has(agentRegion)) {
      return this.refuse("unknown_region", 403, { error: "unknown_region", path: "authorization", detail: `this agent's token is for region ${agentRegion}, which is not one of the analyzer's configured regions` }, req);
    }
    const offset = batchClockOffsetMs(req.results, now);
    if (agentRegion !== null && offset !== null) metrics.agentClockSkew.set({ region: agentRegion }, offset / 1000);
    const verdict = admitBatch(req.results, { now, skew: this.o.skew, regions: this.regions, agentRegion });
    if (!verdict.ok) {
      const status = verdict.reason === "foreign_pair" ? 403 : 422;
      return this.refuse(verdict.reason, status, { error: verdict.reason, path: verdict.path, detail: verdict.detail, refused: verdict.refused, analyzerTime: now }, req);
    }
    const fresh = this.freshResults(req.results);
    const duplicates = req.results.length - fresh.length;
    if (fresh.length === 0) return { status: 200, body: { accepted: 0, duplicates } };
    if (!this.keys.room(fresh.length, now)) {
      return { ...this.refuse("too_many_results", 429, { error: "too_many_results", detail: "the analyzer holds as many recent results as it is sized for; retry later" }, req), retryAfterS: RETRY_AFTER_FULL_S };
    }
    for (const r of fresh) this.keys.add(r);
    let durable: string = "memory";
    if (this.o.writer !== null) {
      const rows = fresh.map(probeResultRow);
      try {
        durable = await this.o.writer.writeDurable("probe_results", rows, batchToken(fresh));
      } catch (err) {
        for (const r of fresh) this.keys.delete(r);
        this.logger.error({ agent: req.agent, batch: req.batch, error: errorMessage(err) }, "ingest() | batch neither stored nor spooled; refused");
        return { ...this.refuse("store_unavailable", 503, { error: "store_unavailable", detail: "the analyzer cannot make this batch durable now; retry" }, req), retryAfterS: RETRY_AFTER_UNAVAILABLE_S };
      }
    }
    this.o.engine.ingestProbes(fresh, this.o.clock.now());
    metrics.events.inc({ kind: "probe_result" }, fresh.length);
    return { status: 202, body: { accepted: fresh.length, duplicates, durable } };
  }

  private learn(agentRegion: Region | null, results: readonly ProbeResult[]): void {
    const add = (r: Region): void => {
      if (this.regions.size < MAX_LEARNED_REGIONS) this.regions.add(r);
    };
    if (agentRegion !== null) add(agentRegion);
    for (const r of results) {
      add(r.src);
      add(r.dst);
    }
  }

  /** The batch's results not taken in before, once each (a batch may repeat a window too). */
  private freshResults(results: readonly ProbeResult[]): ProbeResult[] {
    const out: ProbeResult[] = [];
    const inBatch = new ResultKeys(Number.POSITIVE_INFINITY);
    for (const r of results) {
      if (this.keys.has(r) || inBatch.has(r)) continue;
      inBatch.add(r);
      out.push(r);
    }
    return out;
  }

  private refuse(reason: string, status: number, body: Record<string, unknown>, req: IngestRequest): IngestAnswer {
    this.o.metrics.ingestRejected.inc({ reason });
    const now = this.o.clock.now();
    if (now - (this.lastRejectLog.get(reason) ?? Number.NEGATIVE_INFINITY) >= REJECT_LOG_INTERVAL_MS) {
      this.lastRejectLog.set(reason, now);
      this.logger.warn({ reason, agent: req.agent, batch: req.batch, path: body["path"], detail: body["detail"] }, "ingest() | batch refused");
    }
    return { status, body };
  }
}

/**
 * The identities of the windows already taken in that could still be admitted: from the
 * store, then from the writer's spool (not yet in the store). Call before serving requests.
 */
export async function loadResultKeys(p: { store: Store | null; writer: StoreWriter | null; skew: SkewWindow; now: number; logger: Logger }): Promise<ResultKeys> {
  const keys = new ResultKeys(p.skew.maxBehindMs + p.skew.maxAheadMs);
  const from = p.now - p.skew.maxBehindMs;
  try {
    if (p.store !== null) for (const k of await probeResultKeysSince(p.store, from)) keys.add(k);
  } catch (err) {
    p.logger.warn({ error: errorMessage(err) }, "loadResultKeys() | cannot read recent probe results from the store; a batch re-sent across this restart may be stored twice");
  }
  if (p.writer !== null) {
    for (const row of await p.writer.spooledRows("probe_results")) {
      const k = spooledKey(row);
      if (k !== null && k.ts >= from) keys.add(k);
    }
  }
  if (keys.size > 0) p.logger.info({ results: keys.size }, "loadResultKeys() | recent probe windows reloaded for deduplication");
  return keys;
}

/** The ClickHouse deduplication token of a set of windows: the same windows always give the same token. */
export function batchToken(results: readonly ProbeResult[]): string {
  const h = createHash("sha256");
  for (const r of results) h.update(`${r.src}>${r.dst}@${r.ts}\n`);
  return `probe_results:${h.digest("base64url")}`;
}

function spooledKey(row: Row): { src: Region; dst: Region; ts: number } | null {
  const { src, dst, ts } = row;
  if (typeof src !== "string" || typeof dst !== "string" || typeof ts !== "string") return null;
  const ms = parseTime(ts);
  return Number.isNaN(ms) ? null : { src, dst, ts: ms };
}
