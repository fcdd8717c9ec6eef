// A child process for the supervisor tests: serves GET / on 127.0.0.1:argv[2] and exits
// on SIGTERM, which exitWithParent() sends it when its launcher's IPC channel disconnects
// (as every relaywatch command does, through cli/main.ts).
import { createServer } from "node:http";
import { exitWithParent } from "../../cli/exit-with-parent.js";

const port = Number(process.argv[2]);
const server = createServer((_req, res) => res.end("ok"));
server.listen(port, "127.0.0.1");
exitWithParent();
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
});
