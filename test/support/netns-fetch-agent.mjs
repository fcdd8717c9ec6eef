// A tiny HTTP client that lives inside one network namespace for a test that runs outside
// it: one JSON request per stdin line ({id, url, headers}), one JSON answer per stdout line
// ({id, status, body} or {id, error}). It trusts the world's CA through NODE_EXTRA_CA_CERTS.
import { createInterface } from "node:readline";

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const { id, url, headers } = JSON.parse(line);
  fetch(url, { headers, signal: AbortSignal.timeout(5_000) }).then(
    async (res) => { process.stdout.write(`${JSON.stringify({ id, status: res.status, body: await res.text() })}\n`); },
    (err) => { process.stdout.write(`${JSON.stringify({ id, error: `${err.message}${err.cause ? `: ${err.cause.message}` : ""}` })}\n`); },
  );
});
lines.on("close", () => { process.exit(0); });
