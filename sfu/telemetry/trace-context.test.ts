import { TraceFlags } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import { formatTraceparent, parseTraceparent } from "./trace-context.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

describe("traceparent", () => {
  it("round-trips a sampled span context (W3C version 00)", () => {
    const header = `00-${TRACE}-${SPAN}-01`;
    const sc = parseTraceparent(header);
    expect(sc).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(formatTraceparent(sc)).toBe(header);
  });

  it("parseTraceparent() never throws and rejects malformed or all-zero ids", () => {
    for (const bad of [undefined, "", "garbage", `01-${TRACE}-${SPAN}-01`, `00-${"0".repeat(32)}-${SPAN}-01`, `00-${TRACE}-${"0".repeat(16)}-01`, `00-${TRACE}-${SPAN}`]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
    expect(formatTraceparent(undefined)).toBeUndefined();
  });
});
