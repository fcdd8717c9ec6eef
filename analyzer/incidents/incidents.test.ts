import { describe, expect, it } from "vitest";
import type { AlertChange } from "../../store/incident-queries.js";
import { episodesOf, groupIncidents, INCIDENT_GAP_MS, incidentId } from "./incidents.js";
import { buildReport, reportMarkdown } from "./report.js";

const T0 = Date.parse("2024-02-07T19:00:04Z");

function change(ts: number, fingerprint: string, name: string, state: "firing" | "resolved", labels: Record<string, string>, muted = false, severity = "critical"): AlertChange {
  return { ts, fingerprint, name, state, severity, labels, summary: `${name} summary`, muted, startsAt: ts };
}

/** The incident's shape: FalseIsolation pages, RegionOffline muted by it, then the loop pages; an unrelated blip an hour later. */
const CHANGES: AlertChange[] = [
  change(T0, "iso", "FalseIsolation", "firing", { region: "us-east" }),
  change(T0 + 3_000, "off", "RegionOffline", "firing", { region: "us-east" }, true),
  change(T0 + 15_000, "loop", "RelayLoop", "firing", { regions: "eu-central,eu-west" }),
  change(T0 + 20_000, "pair", "ProbePairFailing", "firing", { src: "us-west", dst: "eu-west" }, true, "warning"),
  change(T0 + 30_000, "iso", "FalseIsolation", "resolved", { region: "us-east" }),
  change(T0 + 31_000, "off", "RegionOffline", "resolved", { region: "us-east" }),
  change(T0 + 40_000, "loop", "RelayLoop", "resolved", { regions: "eu-central,eu-west" }),
  change(T0 + 42_000, "pair", "ProbePairFailing", "resolved", { src: "us-west", dst: "eu-west" }),
  change(T0 + 3_600_000, "late", "RelayLatencyHigh", "firing", { src: "us-west", dst: "eu-west" }, false, "warning"),
];

describe("groupIncidents()", () => {
  it("groups alerts that overlap or follow within the gap into one incident; its causes are the alerts that paged", () => {
    const incidents = groupIncidents(episodesOf(CHANGES));
    expect(incidents.map((i) => i.id)).toEqual(["INC-20240207-190004", incidentId(T0 + 3_600_000)]);
    const [first, second] = incidents;
    expect(first).toMatchObject({ start: T0, end: T0 + 42_000, causes: ["FalseIsolation{region=us-east}", "RelayLoop{regions=eu-central,eu-west}"] });
    expect(first?.episodes.map((e) => [e.name, e.pagedAt])).toEqual([["FalseIsolation", T0], ["RegionOffline", null], ["RelayLoop", T0 + 15_000], ["ProbePairFailing", null]]);
    // Nothing paged in the second: its alerts are its causes; still firing, so no end.
    expect(second).toMatchObject({ end: null, causes: ["RelayLatencyHigh{dst=eu-west,src=us-west}"] });
  });

  it("an alert firing again within the gap after everything resolved is the same incident; past the gap a new one", () => {
    const again = (after: number): AlertChange[] => [change(T0, "a", "RelayLoop", "firing", {}), change(T0 + 1000, "a", "RelayLoop", "resolved", {}), change(T0 + 1000 + after, "a", "RelayLoop", "firing", {})];
    expect(groupIncidents(episodesOf(again(INCIDENT_GAP_MS)))).toHaveLength(1);
    expect(groupIncidents(episodesOf(again(INCIDENT_GAP_MS + 1)))).toHaveLength(2);
  });
});

describe("buildReport()", () => {
  it("timeline of detection, pages, actions, verification, resolution and recovery; per-pair impact; the four status stages", () => {
    const incident = groupIncidents(episodesOf(CHANGES))[0];
    if (incident === undefined) throw new Error("no incident");
    const action = (id: string, kind: "loop-break" | "override-isolation", target: string, at: number) => ({
      id, kind, target, actor: "oncall", summary: `${kind} ${target}`, state: "verified" as const, requestedAt: at, finishedAt: at + 200, verifiedAt: at + 8_000, steps: [], verification: "ok", alerts: [],
    });
    const r = buildReport(incident, [action("a1", "loop-break", "eu-central,eu-west", T0 + 25_000), action("a2", "override-isolation", "us-east", T0 + 26_000)], [
      { src: "us-west", dst: "eu-west", windows: 40, failedWindows: 12, failedMs: 12_000, firstFailedAt: T0 + 17_000, lastFailedAt: T0 + 33_000, recoveredAt: T0 + 34_000 },
      { src: "us-west", dst: "eu-central", windows: 40, failedWindows: 0, failedMs: 0, firstFailedAt: null, lastFailedAt: null, recoveredAt: null },
    ]);
    expect(r.timeline.map((e) => e.kind)).toEqual(["detection", "page", "detection", "detection", "page", "detection", "action", "action", "resolution", "resolution", "verified", "verified", "resolution", "resolution", "recovery"]);
    expect(r.impact).toMatchObject({ pairsAffected: 1, failedMinutes: 0.2 });
    expect(r.recoveredAt).toBe(T0 + 34_000);
    expect(r.statusUpdates.map((u) => [u.stage, u.at - T0])).toEqual([["Investigating", 0], ["Identified", 25_000], ["Monitoring", 26_200], ["Resolved", 42_000]]);
    const md = reportMarkdown(r);
    expect(md).toContain("# Incident INC-20240207-190004");
    expect(md).toContain("2024-02-07T19:00:29Z **action** oncall ran loop-break eu-central,eu-west");
    expect(md).toContain("| us-west → eu-west | 12 | 0.2 |");
    expect(md).toContain("**Resolved**");
  });
});
