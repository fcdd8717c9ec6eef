import { describe, expect, it } from "vitest";
import { probeIngestSchema } from "./probe-result.js";
import { alertSchema } from "./alert.js";
import { z } from "zod";
import { closestName, formatPath, issueWording, knownKeysAt, parsePayload, problemsFromIssues } from "./validate.js";

const result = {
  ts: 1, windowMs: 1000, src: "us-east", dst: "eu-west", track: "probe/us-east-1", status: "ok", reason: "",
  sent: 50, received: 50, lost: 0, duplicates: 0, reordered: 0, jitterMs: 0.4,
  latencyP50Ms: 40, latencyP95Ms: 44, ttfpMs: null, setupMs: 20, relayPath: ["us-east", "eu-west"],
};

describe("payload validation", () => {
  it("accepts a valid probe ingest body", () => {
    const r = parsePayload(probeIngestSchema, { agent: "probe-us-east", results: [result] });
    expect(r.ok).toBe(true);
  });

  it("rejects an invalid body with the zod path of the first problem", () => {
    const r = parsePayload(probeIngestSchema, { agent: "a", results: [result, { ...result, status: "fine" }] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.path).toBe("results[1].status");
      expect(r.error.code).toBe("invalid_payload");
      expect(r.error.message).toMatch(/^results\[1\]\.status: /);
    }
  });

  it("rejects a region name that is not one and an unknown alert name", () => {
    const bad = parsePayload(probeIngestSchema, { agent: "a", results: [{ ...result, relayPath: ["us-east", "Not A Region"] }] });
    expect(!bad.ok && bad.error.path).toBe("results[0].relayPath[1]");
    const alert = parsePayload(alertSchema, { fingerprint: "f", name: "Loop", state: "firing", severity: "critical", labels: {}, summary: "", evidence: {}, startsAt: 0, endsAt: null, updatedAt: 0 });
    expect(!alert.ok && alert.error.path).toBe("name");
  });

  it("formatPath() writes indexes in brackets", () => {
    expect(formatPath(["a", 0, "b", 12])).toBe("a[0].b[12]");
    expect(formatPath([])).toBe("");
  });
});

describe("problems in hand-written files", () => {
  const schema = z.strictObject({
    kind: z.union([z.strictObject({ kill: z.string() }), z.strictObject({ restart: z.string(), for: z.number().positive() })], { error: "expected kill or restart" }),
    count: z.number().int().min(2).optional(),
    names: z.array(z.string()).min(1).optional(),
  });
  const problems = (input: unknown) => {
    const r = schema.safeParse(input, { error: issueWording });
    return r.success ? [] : problemsFromIssues(schema, r.error.issues, input).map((p) => `${formatPath(p.path)}: ${p.expected}`);
  };

  it("reword zod's issues in the files' terms, never zod's own wording", () => {
    expect(problems({ kind: { kill: "a" }, count: 1.5, names: [] })).toEqual(["count: a whole number", "names: a non-empty list"]);
    expect(problems({ kind: { kill: "a" }, count: 1 })).toEqual(["count: a number of at least 2"]);
    expect(problems({})).toEqual(["kind: kill or restart (this key is required)"]);
  });

  it("resolve a union to the branch the input was written as, or name the unknown key", () => {
    expect(problems({ kind: { restart: "a", for: 0 } })).toEqual(["kind.for: a number greater than 0"]);
    expect(problems({ kind: { turnDown: "a" } })).toEqual(["kind.turnDown: kill or restart"]);
    expect(problems({ kind: { kill: "a", restart: "b" } })).toEqual(["kind.restart: the keys of one form only: restart belongs to another form of this entry"]);
  });

  it("list the keys known where an unknown key is, through unions", () => {
    expect(knownKeysAt(schema, ["kind"])).toEqual(["kill", "restart", "for"]);
    expect(problems({ kind: { kill: "a" }, cuont: 2 })).toEqual(["cuont: one of the keys known here: kind, count, names (did you mean count?)"]);
  });

  it("closestName() catches typos within two edits and nothing further", () => {
    expect(closestName("regoins", ["name", "regions"])).toBe("regions");
    expect(closestName("RelyLoop", ["RelayLoop", "StaleRelay"])).toBe("RelayLoop");
    expect(closestName("timeline", ["name", "regions"])).toBeNull();
    expect(closestName("a", ["b"])).toBeNull();
  });
});
