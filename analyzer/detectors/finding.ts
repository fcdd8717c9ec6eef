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
}
