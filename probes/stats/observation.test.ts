import { describe, expect, it } from "vitest";
import { describeFailure } from "./observation.js";

describe("describeFailure()", () => {
  it("names the status, the endpoint and the SFU's error code and detail", () => {
    const http = { kind: "http", status: 503, statusText: "Service Unavailable", errorCode: "region_offline", detail: "isolated", retryAfterMs: 5_000, endpoint: "http://eu-west/whip/probe/x" } as const;
    expect(describeFailure(http)).toBe("HTTP 503 Service Unavailable from http://eu-west/whip/probe/x (region_offline: isolated)");
    expect(describeFailure({ ...http, statusText: "", errorCode: null, detail: null })).toBe("HTTP 503 from http://eu-west/whip/probe/x");
  });

  it("tells a request that got no answer from a connection that never came up", () => {
    expect(describeFailure({ kind: "timeout", stage: "request", afterMs: 400 })).toBe("no answer within 400 ms");
    expect(describeFailure({ kind: "timeout", stage: "connect", afterMs: 5_000 })).toBe("ICE/DTLS not connected within 5000 ms");
  });

  it("keeps the stage of any other setup failure", () => {
    expect(describeFailure({ kind: "setup", stage: "network", detail: "ECONNREFUSED" })).toBe("network: ECONNREFUSED");
  });
});
