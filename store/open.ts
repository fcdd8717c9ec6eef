// Opens the store a config or command line names.
import { ConfigError } from "../core/errors.js";
import type { Store } from "./store.js";
import { ChdbStore } from "./chdb-backend.js";
import { RemoteStore } from "./remote-backend.js";
import { parseStoreUrl } from "./url.js";

export interface OpenStoreOptions {
  url: string;
  cluster?: string | undefined;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const loc = parseStoreUrl(options.url);
  if (loc.kind === "chdb") {
    if (options.cluster !== undefined) throw new ConfigError("store.cluster", options.cluster, "no cluster for the embedded store (cluster mode needs a ClickHouse server URL)");
    return ChdbStore.open({ path: loc.path });
  }
  return RemoteStore.open({ ...loc, ...(options.cluster === undefined ? {} : { cluster: options.cluster }) });
}
