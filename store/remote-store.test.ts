// The store contract against a real ClickHouse server. No ClickHouse server can be
// installed on the project's build machines (Debian's package is 18.16, far too old), so
// this suite runs only when RELAYWATCH_TEST_CLICKHOUSE_URL points at one, e.g.
// RELAYWATCH_TEST_CLICKHOUSE_URL=http://default:@127.0.0.1:8123 npm test
import { describe, it } from "vitest";
import { runStoreContract } from "../test/conformance/store-contract.js";
import { RemoteStore } from "./remote-backend.js";
import { parseStoreUrl } from "./url.js";

const url = process.env["RELAYWATCH_TEST_CLICKHOUSE_URL"];
let seq = 0;

if (url === undefined || url === "") {
  describe("store contract: remote ClickHouse", () => {
    it.skip("needs RELAYWATCH_TEST_CLICKHOUSE_URL (no ClickHouse server is installable here)", () => undefined);
  });
} else {
  const loc = parseStoreUrl(url);
  if (loc.kind !== "remote") throw new Error("RELAYWATCH_TEST_CLICKHOUSE_URL must be an http(s) URL");
  runStoreContract("remote ClickHouse server", async () => {
    const database = `relaywatch_test_${process.pid}_${++seq}`;
    const store = RemoteStore.open({ ...loc, database });
    await store.exec(`DROP DATABASE IF EXISTS ${database}`);
    await store.exec(`CREATE DATABASE ${database}`);
    return store;
  });
}
