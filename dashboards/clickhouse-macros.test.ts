// The expander reproduces grafana-clickhouse-datasource 4.x: the backend's macros as in
// pkg/macros/macros.go (whole seconds, toDateTime(<unix>)), the frontend's
// $__conditionalAll and its default multi-value format, and Grafana's named formats.
import { describe, expect, it } from "vitest";
import { expandClickHouseSql, MacroError, type ExpansionContext } from "../test/support/clickhouse-macros.js";

// 2024-02-07 19:00:00.250 UTC → 19:25:00.900 UTC: the incident's first 25 minutes.
const ctx: ExpansionContext = {
  fromMs: Date.UTC(2024, 1, 7, 19, 0, 0, 250),
  toMs: Date.UTC(2024, 1, 7, 19, 25, 0, 900),
  intervalMs: 2_500,
  variables: { src: { values: ["us-west", "eu-central"] }, dst: { values: ["eu-west"] }, region: { values: ["a", "b"], all: true }, odd: { values: ["o'brien"] } },
};
const FROM = 1707332400;
const TO = 1707333900;

describe("ClickHouse macro expansion", () => {
  it("$__timeFilter(col) compares with toDateTime(<unix seconds>) on both ends", () => {
    expect(expandClickHouseSql("WHERE $__timeFilter(ts)", ctx)).toBe(`WHERE ts >= toDateTime(${FROM}) AND ts <= toDateTime(${TO})`);
  });

  it("$__fromTime / $__toTime are whole seconds; the _ms forms keep milliseconds", () => {
    expect(expandClickHouseSql("$__fromTime, $__toTime", ctx)).toBe(`toDateTime(${FROM}), toDateTime(${TO})`);
    expect(expandClickHouseSql("$__fromTime_ms", ctx)).toBe(`fromUnixTimestamp64Milli(${FROM}250)`);
    expect(expandClickHouseSql("$__timeFilter_ms(ts)", ctx)).toBe(`ts >= fromUnixTimestamp64Milli(${FROM}250) AND ts <= fromUnixTimestamp64Milli(${TO}900)`);
  });

  it("$__interval_s and $__timeInterval truncate the interval to whole seconds, at least 1", () => {
    expect(expandClickHouseSql("$__interval_s", ctx)).toBe("2");
    expect(expandClickHouseSql("$__timeInterval(ts)", ctx)).toBe("toStartOfInterval(toDateTime(ts), INTERVAL 2 second)");
    expect(expandClickHouseSql("$__interval_s", { ...ctx, intervalMs: 200 })).toBe("1");
  });

  it("${var:singlequote} quotes each value; the plugin's default format quotes only multi-values", () => {
    expect(expandClickHouseSql("src IN (${src:singlequote})", ctx)).toBe("src IN ('us-west','eu-central')");
    expect(expandClickHouseSql("src IN ($src)", ctx)).toBe("src IN ('us-west','eu-central')");
    expect(expandClickHouseSql("dst = '$dst'", ctx)).toBe("dst = 'eu-west'");
    expect(expandClickHouseSql("${odd:singlequote} ${odd:sqlstring}", ctx)).toBe("'o\\'brien' 'o''brien'");
  });

  it("$__conditionalAll(cond, $var) is 1=1 for All and the condition otherwise", () => {
    const sql = "WHERE $__conditionalAll(region IN (${region:singlequote}), $region) AND $__conditionalAll(src IN (${src:singlequote}), $src)";
    expect(expandClickHouseSql(sql, ctx)).toBe("WHERE 1=1 AND src IN ('us-west','eu-central')");
  });

  it("macros nested in expressions and arguments with parentheses expand once", () => {
    expect(expandClickHouseSql("greatest(toDateTime(x), $__fromTime) AND $__timeFilter(toDateTime(ts))", ctx)).toBe(
      `greatest(toDateTime(x), toDateTime(${FROM})) AND toDateTime(ts) >= toDateTime(${FROM}) AND toDateTime(ts) <= toDateTime(${TO})`,
    );
  });

  it("an unknown macro or a wrong argument count is an error, not silently passed to ClickHouse", () => {
    expect(() => expandClickHouseSql("$__timeGroup(ts, 1m)", ctx)).toThrow(MacroError);
    expect(() => expandClickHouseSql("$__timeFilter(a, b)", ctx)).toThrow(/expected 1 argument/);
  });
});
