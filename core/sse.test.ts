import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { readSse, SSE_HEADERS, sseComment, sseEvent, SseParser, type SseMessage } from "./sse.js";

/** A body that delivers `chunks` as separate reads, as a network would. */
function bodyOf(chunks: readonly string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const s of chunks) c.enqueue(enc.encode(s));
      c.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  for await (const m of readSse(body)) out.push(m);
  return out;
}

describe("SseParser", () => {
  it("assembles events split anywhere, with multi-line data, ids and comments", () => {
    const text = ': hello\n\nevent: alert\nid: 7\ndata: {"a":\ndata: 1}\n\ndata: x\r\n\r\n';
    for (let size = 1; size <= text.length; size++) {
      const out: SseMessage[] = [];
      const q = new SseParser();
      for (let i = 0; i < text.length; i += size) out.push(...q.push(text.slice(i, i + size)));
      expect(out, `chunks of ${size}`).toEqual([
        { event: "alert", data: '{"a":\n1}', id: "7" },
        { event: "message", data: "x", id: "7" },
      ]);
    }
  });

  it("does not end an event on a \\r\\n split between chunks", () => {
    const p = new SseParser();
    expect([...p.push("data: a\r"), ...p.push("\ndata: b\r"), ...p.push("\n\r"), ...p.push("\n")]).toEqual([{ event: "message", data: "a\nb", id: null }]);
  });

  it("takes a lone \\r and a lone \\n as line ends too", () => {
    expect(new SseParser().push("data: a\rdata: b\r\rid: 3\ndata: c\n\n")).toEqual([
      { event: "message", data: "a\nb", id: null },
      { event: "message", data: "c", id: "3" },
    ]);
  });

  it("dispatches nothing for a block without data", () => {
    expect(new SseParser().push("event: x\nid: 1\n\n: comment\n\n")).toEqual([]);
  });
});

describe("readSse()", () => {
  it("reads a body whose \\r\\n line ends are split across chunks", async () => {
    expect(await collect(bodyOf(["id: 1\r", "\nevent: e\r\ndata: a\r", "\ndata: b\r", "\n\r", "\nid: 2\r\ndata: c\r\n\r", "\n"]))).toEqual([
      { id: "1", event: "e", data: "a\nb" },
      { id: "2", event: "message", data: "c" },
    ]);
  });

  it("calls onActivity for every chunk, keepalive comments included", async () => {
    let chunks = 0;
    const out: SseMessage[] = [];
    for await (const m of readSse(bodyOf([": keepalive\n\n", ": keepalive\n\n", "data: x\n\n"]), { onActivity: () => chunks++ })) out.push(m);
    expect(chunks).toBe(3);
    expect(out).toHaveLength(1);
  });

  it("cancels the body when the caller stops early", async () => {
    let cancelled = false;
    const enc = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(enc.encode("data: tick\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const m of readSse(body)) {
      expect(m.data).toBe("tick");
      break;
    }
    expect(cancelled).toBe(true);
  });
});

describe("sseEvent() / sseComment()", () => {
  it("frames id, event and data, one data line per line", () => {
    expect(sseEvent({ id: 7, event: "alert", data: "a\nb" })).toBe("id: 7\nevent: alert\ndata: a\ndata: b\n\n");
    expect(sseEvent({ data: "{}" })).toBe("data: {}\n\n");
    expect(sseComment("keepalive")).toBe(": keepalive\n\n");
  });

  it("refuses an id or event name with a line break (it would inject fields)", () => {
    expect(() => sseEvent({ event: "a\ndata: forged", data: "x" })).toThrow(/cannot span lines/);
    expect(() => sseEvent({ id: "1\r", data: "x" })).toThrow(/cannot span lines/);
  });

  it("round-trips through a real HTTP stream to readSse()", async () => {
    const sent = [
      { id: 1, event: "overview", data: JSON.stringify({ a: "line\nbreak" }) },
      { id: 2, event: "alert", data: "multi\nline\r\ndata" },
    ];
    const server = createServer((_req, res) => {
      res.writeHead(200, SSE_HEADERS);
      res.write(sseComment("hello"));
      for (const m of sent) res.write(sseEvent(m));
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(res.headers.get("content-type")).toBe("text/event-stream");
      expect(await collect(res.body ?? bodyOf([]))).toEqual([
        { id: "1", event: "overview", data: JSON.stringify({ a: "line\nbreak" }) },
        { id: "2", event: "alert", data: "multi\nline\ndata" },
      ]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    }
  });
});
