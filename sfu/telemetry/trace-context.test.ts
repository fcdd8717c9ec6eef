import { TraceFlags } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { formatTraceparent, parseTraceparent } from "./trace-context.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

describe("traceparent", () => {
  it("round-trips a sampled span context (W3C version 00)", () => {
    const header = `00-${TRACE}-${SPAN}-01`;
    const sc = parseTraceparent(header);
    expect(sc).toMatchObject({ traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(formatTraceparent(sc)).toBe(header);
  });

  it("keeps the tracestate of the caller", () => {
    const sc = parseTraceparent(`00-${TRACE}-${SPAN}-00`, "vendor=abc");
    expect(sc?.traceState?.get("vendor")).toBe("abc");
    expect(sc?.traceFlags).toBe(TraceFlags.NONE);
  });

  it("parseTraceparent() never throws and rejects malformed, all-zero ids and version ff", () => {
    for (const bad of [undefined, "", "garbage", `ff-${TRACE}-${SPAN}-01`, `00-${"0".repeat(32)}-${SPAN}-01`, `00-${TRACE}-${"0".repeat(16)}-01`, `00-${TRACE}-${SPAN}`, `00-${TRACE}-${SPAN}-01-extra`]) {
      expect(parseTraceparent(bad), bad).toBeUndefined();
    }
    expect(formatTraceparent(undefined)).toBeUndefined();
  });

  it("accepts a future version's header by its version-00 prefix (W3C Trace Context §4.3)", () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-extra`)?.traceId).toBe(TRACE);
  });
});
