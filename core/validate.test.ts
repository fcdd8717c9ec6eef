import { describe, expect, it } from "vitest";
import { probeIngestSchema } from "./probe-result.js";
import { alertSchema } from "./alert.js";
import { parsePayload, formatPath } from "./validate.js";

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
