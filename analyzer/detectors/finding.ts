// A Finding is what a detector concludes at one moment: "this alert's condition holds",
// with the labels that identify it and the evidence that explains it. Detectors return
// the complete set of findings for a scope (a track, a region, the probe matrix); the
// alert book turns them into firing/resolved alerts. No I/O, no clock: time comes in.
import type { AlertName, Severity } from "../../core/alert.js";

export interface Finding {
  name: AlertName;
  severity: Severity;
  /** Identifying labels (severity is added by the book); they make the fingerprint. */
  labels: Record<string, string>;
  /** One line that says what is wrong and why. */
  summary: string;
  evidence: Record<string, unknown>;
  /** How long the condition must hold before the alert fires (0: at once). */
  forMs: number;
  /** When the condition began, when the detector knows better than "first reported". */
  since?: number;
  /** Time of the event that revealed it (region time), for time-to-detect. */
  observedAt?: number;
  /**
   * Analyzer time before which it may not fire however long it held: its subject is still
   * `starting` (never healthy since it appeared, within the warm-up grace; warm-up.ts).
   */
  notBefore?: number;
  /**
   * Once firing, it stays firing this long after its detector stops reporting it, and the
   * same episode goes on if it comes back meanwhile (Prometheus' keep_firing_for): a loop
   * that moves to the next probe track is one cause, not one page per track.
   */
  keepFiringForMs?: number;
  /**
   * A warning that becomes critical (pages) once its condition has held this long: the same
   * alert, same fingerprint and startsAt, its severity raised (alerts/paging.ts).
   */
  escalateAfterMs?: number;
}
