// A relaywatch process started by the lab has an IPC channel to its launcher. When the
// launcher goes away — even SIGKILLed — the channel disconnects and this process shuts
// down, so the lab never leaves orphans.
export function exitWithParent(shutdown: () => Promise<void>): void {
  if (process.channel === undefined) return;
  process.channel.unref();
  process.once("disconnect", () => {
    void shutdown().finally(() => process.exit(0));
  });
}
