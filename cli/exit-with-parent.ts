// A relaywatch process started by the lab (lab/launcher/supervisor.ts) has an IPC channel
// to its launcher. When the launcher goes away — even SIGKILLed — the channel disconnects
// and this process shuts down as on SIGTERM (every long-running command closes cleanly on
// it), so the lab never leaves orphans.
export function exitWithParent(): void {
  if (process.channel === undefined) return;
  process.channel.unref();
  process.once("disconnect", () => {
    process.kill(process.pid, "SIGTERM");
  });
}
