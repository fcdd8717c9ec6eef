// Child process for the store outage tests: opens the embedded store at argv[2], replays
// the writer spool at argv[3] into it, prints one line per replayed batch, then exits 0.
// The parent may SIGKILL it mid-replay; a second run must finish without loss or duplicates.
import { ChdbStore } from "../../store/chdb-backend.js";
import { migrate } from "../../store/migrations.js";
import { StoreWriter } from "../../store/writer.js";

const [dataDir, spoolDir, database] = process.argv.slice(2);
if (dataDir === undefined || spoolDir === undefined || database === undefined) {
  process.stderr.write("usage: replay-spool DATA_DIR SPOOL_DIR DATABASE\n");
  process.exit(2);
}
const store = await ChdbStore.open({ path: dataDir, database });
await migrate(store);
const writer = await StoreWriter.open({ store, spoolDir, backoff: { baseMs: 10, maxMs: 50 } });
const recovered = new Promise<void>((resolve) => writer.events.once("recovered", resolve));
writer.events.on("inserted", (b) => {
  process.stdout.write(`inserted ${b.token} ${b.rows}\n`);
});
await recovered;
await writer.close();
await store.close();
process.stdout.write("done\n");
