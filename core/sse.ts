// Server-Sent Events (WHATWG HTML "server-sent events"), both ends, written once: the
// framing every relaywatch server writes (the SFU's /v1/events, the analyzer's
// /v1/stream) and the reader every client uses (the analyzer's region watcher, the TUI's
// live source). Parsing is eventsource-parser's, a maintained spec-complete parser: lines
// may end in \n, \r or \r\n, and a \r\n split across two chunks is one line end.
// Node has no EventSource, and the browser's cannot send an Authorization header anyway.
import { createParser } from "eventsource-parser";

export interface SseMessage {
  /** The stream's last event id (it carries over events without an `id:` field); null before any. */
  id: string | null;
  /** `message` when the event named none. */
  event: string;
  data: string;
}

/** Response headers for an event stream; `x-accel-buffering: no` keeps nginx-style proxies from holding frames back. */
export const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

/** One event frame. Multi-line data becomes one `data:` line per line, as the format requires. */
export function sseEvent(m: { id?: string | number; event?: string; data: string }): string {
  let frame = "";
  if (m.id !== undefined) frame += `id: ${singleLine(String(m.id))}\n`;
  if (m.event !== undefined) frame += `event: ${singleLine(m.event)}\n`;
  for (const line of m.data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

/** A comment frame (ignored by readers; keeps idle connections and proxies alive). */
export function sseComment(text: string): string {
  return `${text.split(/\r\n|\r|\n/).map((l) => `: ${l}`).join("\n")}\n\n`;
}

function singleLine(v: string): string {
  if (/[\r\n]/.test(v)) throw new Error(`an SSE id or event name cannot span lines: ${JSON.stringify(v)}`);
  return v;
}

/** Incremental parser: feed decoded text in any pieces, get the events it completes. */
export class SseParser {
  private lastId: string | null = null;
  private done: SseMessage[] = [];
  private readonly parser = createParser({
    onId: (id) => {
      this.lastId = id;
    },
    onEvent: (e) => {
      this.done.push({ id: this.lastId, event: e.event ?? "message", data: e.data });
    },
  });

  push(text: string): SseMessage[] {
    this.parser.feed(text);
    const out = this.done;
    this.done = [];
    return out;
  }
}

/**
 * Yields the events of an SSE response body until it ends, reading the next chunk only
 * after the caller has handled the previous events (back-pressure for free). `onActivity`
 * runs on every chunk, comments and keepalives included, so idle detection sees them.
 * Leaving the loop early cancels the body.
 */
export async function* readSse(body: ReadableStream<Uint8Array>, opts: { onActivity?: () => void } = {}): AsyncGenerator<SseMessage> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      opts.onActivity?.();
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
