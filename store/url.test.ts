import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import { describeLocation, parseStoreUrl, redactUrl } from "./url.js";

describe("parseStoreUrl()", () => {
  it("treats a path as the embedded store", () => {
    expect(parseStoreUrl("./data/clickhouse")).toEqual({ kind: "chdb", path: "./data/clickhouse" });
  });

  it("takes user, password, host and database from a ClickHouse URL", () => {
    expect(parseStoreUrl("http://ops:s%40cret@ch.internal:8123/metrics")).toEqual({
      kind: "remote",
      url: "http://ch.internal:8123",
      username: "ops",
      password: "s@cret",
      database: "metrics",
    });
    expect(parseStoreUrl("https://ch:8443")).toMatchObject({ username: "default", password: "", database: "relaywatch" });
  });

  it("rejects other schemes and bad database names, naming the key and never echoing the password", () => {
    expect(() => parseStoreUrl("ftp://u:pw@h/db")).toThrow(ConfigError);
    expect(() => parseStoreUrl("ftp://u:pw@h/db")).toThrow(/store\.url: got "ftp:\/\/u:\*\*\*@h\/db", expected an http/);
    expect(() => parseStoreUrl("http://h:8123/bad-name")).toThrow(/store\.url \(database\)/);
    expect(() => parseStoreUrl("")).toThrow(/expected a directory path/);
  });

  it("redactUrl() hides the password and describeLocation() never shows it", () => {
    expect(redactUrl("http://u:hunter2@h:8123/db")).toBe("http://u:***@h:8123/db");
    const loc = parseStoreUrl("http://u:hunter2@h:8123/db");
    expect(describeLocation(loc)).not.toContain("hunter2");
  });
});
