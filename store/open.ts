// Opens the store a config or command line names. Each backend is imported only when it is
// opened: chdb maps ~185 MB of native library into a process, and only a process that
// opens the embedded store (the lab's analyzer, a CLI command on a local path) may pay that.
import { ConfigError } from "../core/errors.js";
import type { Store } from "./store.js";
import { parseStoreUrl } from "./url.js";

export interface OpenStoreOptions {
  url: string;
  cluster?: string | undefined;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const loc = parseStoreUrl(options.url);
  if (loc.kind === "chdb") {
    if (options.cluster !== undefined) throw new ConfigError("store.cluster", options.cluster, "no cluster for the embedded store (cluster mode needs a ClickHouse server URL)");
    const { ChdbStore } = await import("./chdb-backend.js");
    return ChdbStore.open({ path: loc.path });
  }
  const { RemoteStore } = await import("./remote-backend.js");
  return RemoteStore.open({ ...loc, ...(options.cluster === undefined ? {} : { cluster: options.cluster }) });
}
