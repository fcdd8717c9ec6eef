// A Server-Sent Events reader (WHATWG "event stream" format) over fetch: the browser's
// EventSource does not exist in Node and cannot send an Authorization header anyway.
// Incremental: bytes may split lines and events anywhere.

export interface SseMessage {
  event: string;
  data: string;
  id: string | null;
}

export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private id: string | null = null;

  /** Feeds decoded text; returns the messages completed by it. */
  push(text: string): SseMessage[] {
    this.buffer += text;
    const out: SseMessage[] = [];
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      // A trailing \r may be the first half of \r\n: wait for the next chunk.
      if (nl < 0 || (nl === this.buffer.length - 1 && this.buffer.endsWith("\r"))) break;
      const line = this.buffer.slice(0, nl);
      const sepLen = this.buffer.startsWith("\r\n", nl) ? 2 : 1;
      this.buffer = this.buffer.slice(nl + sepLen);
      const msg = this.line(line);
      if (msg !== null) out.push(msg);
    }
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === "") {
      if (this.data.length === 0) {
        this.event = "";
        return null;
      }
      const msg = { event: this.event === "" ? "message" : this.event, data: this.data.join("\n"), id: this.id };
      this.data = [];
      this.event = "";
      return msg;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id") this.id = value;
    return null;
  }
}

/**
 * Reads an SSE response body to its end, calling `onMessage` per event and `onActivity` on
 * every chunk (comments and heartbeats included, so idle detection sees them).
 */
export async function readSse(body: ReadableStream<Uint8Array>, onMessage: (m: SseMessage) => void, onActivity: () => void): Promise<void> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onActivity();
      for (const m of parser.push(decoder.decode(value, { stream: true }))) onMessage(m);
    }
  } finally {
    reader.releaseLock();
  }
}
