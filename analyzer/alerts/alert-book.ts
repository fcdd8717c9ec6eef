// The alert state machine (Prometheus rule semantics): a finding starts pending, fires
// once it has held for its `forMs`, updates while firing, and resolves when its detector
// stops reporting it. Inhibition follows Alertmanager: an alert that fires while a firing
// cause explains it (inhibition.ts) is still an active alert — in firing(), marked with
// `evidence.inhibitedBy` — but its transitions carry `notify: false`, so sinks never page
// for it. On every tick a muted alert whose cause is gone is released (`updated`,
// `notify: true`): it pages then, if it still holds. An alert that has paged stays with
// on-call until it resolves (a cause firing later does not mute it). Detectors hand over the complete set of
// findings of a scope (a track, a region, the probe matrix) with sync(); the book diffs by
// fingerprint, so reporting the same thing twice is a no-op. A finding may not fire before its
// `notBefore` (its subject is warming up), one with `keepFiringForMs` stays firing that
// long after its detector stops reporting it (Prometheus' keep_firing_for), and a warning
// with `escalateAfterMs` becomes critical in place once it has held that long (an `updated`
// transition that notifies: that is when it pages). A symptom escalates only on its own:
// while a cause mutes it, it waits, and once released it needs the whole horizon again (the
// tail of an outage whose cause just ended is no new page). Restored alerts (from the
// store, after a restart) keep their fingerprint and startsAt and stay firing if a detector
// confirms them within RESTORE_GRACE_MS; otherwise they resolve. A firing alert can be
// acknowledged (someone owns it): `evidence.ackedBy`/`ackedAt` until it resolves, kept
// across a restart. No I/O, no timers.
import type { Alert, AlertName } from "../../core/alert.js";
import { alertFingerprint } from "../../core/fingerprint.js";
import type { Finding } from "../detectors/finding.js";
import { inhibitedBy } from "./inhibition.js";

/**
 * 10 s: after a restart the analyzer refetches every region within ~1 s and needs k of n
 * probe windows (3 s by default) to re-derive pair alerts; 10 s covers both with margin.
 */
export const RESTORE_GRACE_MS = 10_000;

/** 1 h / 500 alerts: resolved alerts kept for the live API (the store keeps all). */
export const RESOLVED_RETENTION_MS = 3_600_000;
export const RESOLVED_LIMIT = 500;

/** 100k cached fingerprints (a few MB); cleared wholesale when full. */
export const FINGERPRINT_CACHE_LIMIT = 100_000;

export interface AlertTransition {
  kind: "fired" | "resolved" | "updated";
  alert: Alert;
  /** Whether sinks get this transition: false for a muted (inhibited) alert and for summary-only updates. */
  notify: boolean;
  /** The revealing event's time, for time-to-detect (fired only). */
  observedAt?: number;
}

interface Entry {
  fingerprint: string;
  scope: string;
  finding: Finding;
  labels: Record<string, string>;
  state: "pending" | "firing";
  pendingSince: number;
  startsAt: number;
  updatedAt: number;
  /** Restored from the store and not yet confirmed by a detector. */
  restoredUntil: number | null;
  /** The fingerprint of the firing cause that mutes this alert (firing only). */
  inhibitedBy: string | null;
  /** Whether sinks were told it fires (it was never muted, or was released). */
  notified: boolean;
  /** Firing but no longer reported since then: held for its keepFiringForMs. */
  goneSince: number | null;
  /** When a warning was raised to critical (its escalateAfterMs passed); null before. */
  escalatedAt: number | null;
  /**
   * Since when no firing cause explains it: its condition began, or its cause stopped
   * muting it. A symptom pages only once it has held that long on its own — the tail of an
   * outage whose cause just ended is not a new page.
   */
  unexplainedSince: number;
  /** Who acknowledged it (owns it) and when; null until someone does. */
  ack: { by: string; at: number } | null;
}

export class AlertBook {
  private readonly entries = new Map<string, Entry>();
  private readonly scopes = new Map<string, Set<string>>();
  private readonly pending = new Set<Entry>();
  /** Firing entries muted by a cause (few: re-checked on every tick). */
  private readonly muted = new Set<Entry>();
  /** Firing entries no longer reported, kept firing for their keepFiringForMs. */
  private readonly held = new Set<Entry>();
  /** Firing warnings waiting for their escalateAfterMs. */
  private readonly escalating = new Set<Entry>();
  private readonly firingByName = new Map<AlertName, Map<string, Alert>>();
  private resolvedList: Alert[] = [];
  private readonly fpCache = new Map<string, string>();

  /** Replaces the findings of `scope` with `findings` as of `now`. */
  sync(scope: string, findings: readonly Finding[], now: number): AlertTransition[] {
    const prev = this.scopes.get(scope);
    if (findings.length === 0 && prev === undefined) return [];
    const out: AlertTransition[] = [];
    const next = new Set<string>();
    for (const f of findings) {
      const fp = this.fingerprint(f.name, f.labels);
      next.add(fp);
      const e = this.entries.get(fp);
      // A restored alert that had escalated stays critical when its detector confirms it.
      if (e !== undefined && e.escalatedAt === null && f.escalateAfterMs !== undefined && e.labels["severity"] === "critical") e.escalatedAt = e.updatedAt;
      const labels: Record<string, string> = { ...f.labels, severity: e?.escalatedAt != null ? "critical" : f.severity };
      if (e === undefined) {
        const entry: Entry = { fingerprint: fp, scope, finding: f, labels, state: "pending", pendingSince: f.since ?? now, startsAt: now, updatedAt: now, restoredUntil: null, inhibitedBy: null, notified: false, goneSince: null, escalatedAt: null, unexplainedSince: f.since ?? now, ack: null };
        this.entries.set(fp, entry);
        this.pending.add(entry);
        this.tryFire(entry, now, out);
        continue;
      }
      const summaryChanged = e.finding.summary !== f.summary;
      e.finding = f;
      e.scope = scope;
      e.labels = labels;
      e.restoredUntil = null;
      e.goneSince = null;
      this.held.delete(e);
      if (e.state === "pending") this.tryFire(e, now, out);
      else if (summaryChanged) {
        e.updatedAt = now;
        const alert = this.toAlert(e);
        this.firingByName.get(e.finding.name)?.set(fp, alert);
        out.push({ kind: "updated", alert, notify: false });
      }
    }
    if (prev !== undefined) {
      for (const fp of prev) {
        if (next.has(fp)) continue;
        const e = this.entries.get(fp);
        if (e === undefined || e.scope !== scope || e.restoredUntil !== null) continue;
        if (e.state === "firing" && (e.finding.keepFiringForMs ?? 0) > now - (e.goneSince ?? now)) {
          e.goneSince ??= now;
          this.held.add(e);
          next.add(fp);
        } else this.retire(e, now, out);
      }
    }
    if (next.size === 0) this.scopes.delete(scope);
    else this.scopes.set(scope, next);
    return out;
  }

  /** Fires pending findings that are due, releases muted alerts whose cause is gone, resolves restored alerts nobody confirmed. */
  tick(now: number): AlertTransition[] {
    const out: AlertTransition[] = [];
    for (const e of [...this.pending]) this.tryFire(e, now, out);
    for (const e of [...this.muted]) this.recheckMute(e, now, out);
    for (const e of [...this.escalating]) this.maybeEscalate(e, now, out);
    for (const e of [...this.held]) {
      if (e.goneSince !== null && now - e.goneSince >= (e.finding.keepFiringForMs ?? 0)) this.retire(e, now, out);
    }
    for (const e of [...this.entries.values()]) {
      if (e.restoredUntil !== null && now >= e.restoredUntil) this.retire(e, now, out);
    }
    return out;
  }

  /** Takes firing alerts from before a restart: same fingerprints, same startsAt, no new page. */
  restore(alerts: readonly Alert[], now: number): void {
    for (const a of alerts) {
      if (a.state !== "firing" || this.entries.has(a.fingerprint)) continue;
      const { inhibitedBy: mutedBy, ackedBy, ackedAt, ...evidence } = a.evidence;
      const finding: Finding = { name: a.name, severity: a.severity, labels: withoutSeverity(a.labels), summary: a.summary, evidence, forMs: 0 };
      const inhibitedBy = typeof mutedBy === "string" ? mutedBy : null;
      const e: Entry = { fingerprint: a.fingerprint, scope: "", finding, labels: { ...a.labels }, state: "firing", pendingSince: a.startsAt, startsAt: a.startsAt, updatedAt: a.updatedAt, restoredUntil: now + RESTORE_GRACE_MS, inhibitedBy, notified: inhibitedBy === null, goneSince: null, escalatedAt: null, unexplainedSince: a.startsAt, ack: typeof ackedBy === "string" && typeof ackedAt === "number" ? { by: ackedBy, at: ackedAt } : null };
      this.entries.set(a.fingerprint, e);
      if (inhibitedBy !== null) this.muted.add(e);
      this.index(e);
    }
  }

  /**
   * Marks a firing alert as owned by `by` (a later acknowledgement takes it over): an
   * `updated` transition that notifies no sink — everyone watching sees it, no one is paged.
   * Null when no alert with this fingerprint fires.
   */
  acknowledge(fingerprint: string, by: string, now: number): AlertTransition | null {
    const e = this.entries.get(fingerprint);
    if (e?.state !== "firing") return null;
    e.ack = { by, at: now };
    e.updatedAt = now;
    return { kind: "updated", alert: this.index(e), notify: false };
  }

  firing(): Alert[] {
    const out: Alert[] = [];
    for (const m of this.firingByName.values()) for (const a of m.values()) out.push(a);
    return out.sort((a, b) => b.startsAt - a.startsAt);
  }

  /** Firing alerts sinks were told about (not muted): what the dispatcher re-sends. */
  notifiable(): Alert[] {
    return this.firing().filter((a) => this.entries.get(a.fingerprint)?.notified === true);
  }

  /** Firing critical alerts not muted by their cause: what on-call is paged for now (warnings page no one). */
  pagingCount(): number {
    let n = 0;
    for (const m of this.firingByName.values()) for (const a of m.values()) if (a.severity === "critical" && a.evidence["inhibitedBy"] === undefined) n++;
    return n;
  }

  firingCount(name?: AlertName): number {
    if (name !== undefined) return this.firingByName.get(name)?.size ?? 0;
    let n = 0;
    for (const m of this.firingByName.values()) n += m.size;
    return n;
  }

  /** Resolved alerts within the retention window, newest first. */
  resolved(now: number): Alert[] {
    this.resolvedList = this.resolvedList.filter((a) => (a.endsAt ?? 0) >= now - RESOLVED_RETENTION_MS);
    return [...this.resolvedList];
  }

  get(fingerprint: string): Alert | undefined {
    const e = this.entries.get(fingerprint);
    if (e?.state === "firing") return this.toAlert(e);
    return this.resolvedList.find((a) => a.fingerprint === fingerprint);
  }

  /** Pending entries (not yet firing, waiting for their forMs): name, labels, since. For the API and tests. */
  pendingFindings(): { fingerprint: string; name: AlertName; labels: Record<string, string>; since: number }[] {
    return [...this.pending].map((e) => ({ fingerprint: e.fingerprint, name: e.finding.name, labels: e.labels, since: e.pendingSince }));
  }

  /** alertFingerprint() hashes (sha256); a finding re-reported on every event reuses its hash. */
  private fingerprint(name: AlertName, identifying: Readonly<Record<string, string>>): string {
    let key: string = name;
    for (const k in identifying) key += `\u0000${k}=${identifying[k] ?? ""}`;
    let fp = this.fpCache.get(key);
    if (fp === undefined) {
      if (this.fpCache.size >= FINGERPRINT_CACHE_LIMIT) this.fpCache.clear();
      fp = alertFingerprint(name, identifying);
      this.fpCache.set(key, fp);
    }
    return fp;
  }

  private tryFire(e: Entry, now: number, out: AlertTransition[]): void {
    if (now - e.pendingSince < e.finding.forMs) return;
    if (e.finding.notBefore !== undefined && now < e.finding.notBefore) return;
    this.pending.delete(e);
    e.state = "firing";
    e.startsAt = now;
    e.updatedAt = now;
    e.inhibitedBy = this.causeOf(e);
    e.notified = e.inhibitedBy === null;
    if (e.inhibitedBy !== null) this.muted.add(e);
    const alert = this.index(e);
    out.push({ kind: "fired", alert, notify: e.notified, ...(e.finding.observedAt === undefined ? {} : { observedAt: e.finding.observedAt }) });
    if (e.finding.escalateAfterMs !== undefined && e.escalatedAt === null) {
      this.escalating.add(e);
      this.maybeEscalate(e, now, out);
    }
  }

  /**
   * A firing warning that has held for its escalateAfterMs with no cause explaining it
   * becomes critical: it pages now. A muted one waits: once its cause ends it needs a
   * horizon of its own. A warning paged no one yet, so a cause that fired since mutes it here.
   */
  private maybeEscalate(e: Entry, now: number, out: AlertTransition[]): void {
    const after = e.finding.escalateAfterMs;
    if (e.state !== "firing" || e.escalatedAt !== null || after === undefined) {
      this.escalating.delete(e);
      return;
    }
    if (now - e.unexplainedSince < after || e.inhibitedBy !== null) return;
    const cause = this.causeOf(e);
    e.updatedAt = now;
    if (cause !== null) {
      e.inhibitedBy = cause;
      this.muted.add(e);
      out.push({ kind: "updated", alert: this.index(e), notify: false });
      return;
    }
    this.escalating.delete(e);
    e.escalatedAt = now;
    e.labels = { ...e.labels, severity: "critical" };
    out.push({ kind: "updated", alert: this.index(e), notify: true });
  }

  /** A muted alert whose cause stopped firing (or no longer explains it) is released and pages now. */
  private recheckMute(e: Entry, now: number, out: AlertTransition[]): void {
    const cause = this.causeOf(e);
    if (cause === e.inhibitedBy) return;
    e.inhibitedBy = cause;
    if (cause === null) {
      this.muted.delete(e);
      e.notified = true;
      e.unexplainedSince = now;
    }
    e.updatedAt = now;
    out.push({ kind: "updated", alert: this.index(e), notify: cause === null });
  }

  private causeOf(e: Entry): string | null {
    return inhibitedBy({ name: e.finding.name, labels: e.labels, evidence: e.finding.evidence }, (name) => this.activeCauses(name));
  }

  /** Firing alerts of `name` that may mute others: a muted alert mutes nothing. */
  private *activeCauses(name: AlertName): Iterable<Alert> {
    const m = this.firingByName.get(name);
    if (m === undefined) return;
    for (const a of m.values()) if (a.evidence["inhibitedBy"] === undefined) yield a;
  }

  private retire(e: Entry, now: number, out: AlertTransition[]): void {
    this.entries.delete(e.fingerprint);
    this.pending.delete(e);
    this.muted.delete(e);
    this.held.delete(e);
    this.escalating.delete(e);
    if (e.state !== "firing") return;
    this.firingByName.get(e.finding.name)?.delete(e.fingerprint);
    e.updatedAt = now;
    const alert: Alert = { ...this.toAlert(e), state: "resolved", endsAt: now };
    this.resolvedList.unshift(alert);
    if (this.resolvedList.length > RESOLVED_LIMIT) this.resolvedList.length = RESOLVED_LIMIT;
    out.push({ kind: "resolved", alert, notify: e.notified });
  }

  private index(e: Entry): Alert {
    const alert = this.toAlert(e);
    let m = this.firingByName.get(e.finding.name);
    if (m === undefined) {
      m = new Map();
      this.firingByName.set(e.finding.name, m);
    }
    m.set(e.fingerprint, alert);
    return alert;
  }

  private toAlert(e: Entry): Alert {
    return {
      fingerprint: e.fingerprint,
      name: e.finding.name,
      state: "firing",
      severity: e.escalatedAt === null ? e.finding.severity : "critical",
      labels: e.labels,
      summary: e.finding.summary,
      evidence: {
        ...e.finding.evidence,
        pendingSince: e.pendingSince,
        ...(e.escalatedAt === null ? {} : { escalatedAt: e.escalatedAt }),
        ...(e.inhibitedBy === null ? {} : { inhibitedBy: e.inhibitedBy }),
        ...(e.ack === null ? {} : { ackedBy: e.ack.by, ackedAt: e.ack.at }),
      },
      startsAt: e.startsAt,
      endsAt: null,
      updatedAt: e.updatedAt,
    };
  }
}

function withoutSeverity(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (k !== "severity") out[k] = v;
  return out;
}
