import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  type ExceptionContext,
  getRunningLoop,
  isCancelledError,
  RuntimeError,
  ValueError,
} from "@aio/core";
import { createTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import {
  openConnection,
  type Server,
  type StreamReader,
  type StreamWriter,
  startServer,
} from "@aio/streams";
import { describe, expect, test } from "vitest";
import { echoServer, shutdown } from "./helpers.js";

const str = (x: Uint8Array) => Buffer.from(x).toString();

function portOf(server: Server): number {
  return (server.sockets[0]!.getsockname() as [string, number])[1];
}

/** Waits (bounded) until `cond()` holds, yielding to I/O between checks. */
async function until(cond: () => boolean, what: string, maxSteps = 2000): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    if (cond()) return;
    await sleep(1);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("openConnection", () => {
  test("openConnection() talks to an echo server line by line", async () => {
    const out = await run(async () => {
      const { server, port } = await echoServer();
      const [reader, writer] = await openConnection("127.0.0.1", port);
      const got: string[] = [];
      for (const line of ["one\n", "two\n", "three\n"]) {
        writer.write(line);
        await writer.drain();
        got.push(str(await reader.readline()));
      }
      const peer = writer.getExtraInfo("peername");
      const sock = writer.getExtraInfo("sockname") as [string, number];
      expect(peer).toEqual(["127.0.0.1", port]);
      expect(sock[0]).toBe("127.0.0.1");
      expect(writer.getExtraInfo("peercert", "none")).toBe("none");
      expect(writer.getExtraInfo("socket")).toBe(writer.transport);
      expect(String(writer)).toMatch(
        /^<StreamWriter transport=<Socket 127\.0\.0\.1:\d+> reader=<StreamReader transport>>$/,
      );
      expect(String(server)).toMatch(/^<Server sockets=\[127\.0\.0\.1:\d+\] serving>$/);
      writer.close();
      expect(writer.isClosing()).toBe(true);
      await writer.waitClosed();
      await shutdown(server);
      return got;
    });
    expect(out).toEqual(["one\n", "two\n", "three\n"]);
  });

  test("openConnection() readers keep every chunk they handed out intact across later reads", async () => {
    // Client sockets read into one reused buffer (onread): what a read
    // returned must be a copy that later reads do not overwrite.
    const kept = await run(async () => {
      const { server, port } = await echoServer();
      const [reader, writer] = await openConnection("127.0.0.1", port);
      const kept: [string, Uint8Array[]][] = [];
      for (const ch of ["a", "b", "c", "d"]) {
        writer.write(ch.repeat(1000));
        await writer.drain();
        // read() hands on the chunks as they arrived (no copy of its own).
        const pieces: Uint8Array[] = [];
        for (let n = 0; n < 1000; ) {
          const piece = await reader.read(65_536);
          if (piece.length === 0) throw new Error("unexpected EOF");
          pieces.push(piece);
          n += piece.length;
        }
        kept.push([ch, pieces]);
      }
      writer.close();
      await writer.waitClosed();
      await shutdown(server);
      return kept.map(([ch, pieces]) => [ch, pieces.map(str).join("")]);
    });
    expect(kept).toEqual(["a", "b", "c", "d"].map((ch) => [ch, ch.repeat(1000)]));
  });

  test("openConnection() readers keep large reads intact, and no chunk pins more than one read buffer", async () => {
    // Reads of 16 KiB and more are handed on in the buffer they were read
    // into, and the next read goes into a new one: a kept chunk must stay
    // intact, and a piece of a read (read() splits reads) pins at most that
    // read's 64 KiB buffer.
    const out = await run(async () => {
      const { server, port } = await echoServer();
      const [reader, writer] = await openConnection("127.0.0.1", port);
      const sent: Buffer[] = [];
      const kept: Uint8Array[] = [];
      for (let i = 0; i < 8; i++) {
        const block = Buffer.alloc(200_000, 97 + i);
        sent.push(block);
        writer.write(block);
        await writer.drain();
        for (let n = 0; n < block.length; ) {
          const piece = await reader.read(65_536);
          if (piece.length === 0) throw new Error("unexpected EOF");
          kept.push(piece);
          n += piece.length;
        }
      }
      writer.close();
      await writer.waitClosed();
      await shutdown(server);
      return {
        same: Buffer.concat(kept).equals(Buffer.concat(sent)),
        pinning: kept.filter((p) => p.buffer.byteLength > 65_536).map((p) => p.buffer.byteLength),
      };
    });
    expect(out).toEqual({ same: true, pinning: [] });
  });

  test("openConnection() readers copy small reads out: 100-byte messages do not pin a read buffer each", async () => {
    const pinned = await run(async () => {
      const { server, port } = await echoServer();
      const [reader, writer] = await openConnection("127.0.0.1", port);
      const buffers = new Set<ArrayBufferLike>();
      for (let i = 0; i < 50; i++) {
        writer.write(Buffer.alloc(100, 48 + (i % 10)));
        await writer.drain();
        const msg = await reader.readexactly(100);
        expect(Buffer.from(msg).toString()).toBe(String(i % 10).repeat(100));
        buffers.add(msg.buffer);
      }
      writer.close();
      await writer.waitClosed();
      await shutdown(server);
      let bytes = 0;
      for (const b of buffers) bytes += b.byteLength;
      return bytes;
    });
    // Copies come from Node's pool for small buffers (shared by all of
    // them); a 64 KiB read buffer kept per message would be 3.2 MB here.
    expect(pinned).toBeLessThanOrEqual(4 * Buffer.poolSize);
  });

  test("openConnection() validates host and port", async () => {
    await run(async () => {
      await expect(openConnection("127.0.0.1", 0)).rejects.toThrow(
        "openConnection() port must be an integer >= 1 and <= 65535, received 0",
      );
      await expect(openConnection("127.0.0.1", 70000)).rejects.toThrow(RangeError);
      await expect(openConnection("127.0.0.1", 1.5)).rejects.toThrow(RangeError);
      await expect(openConnection("127.0.0.1", "80" as never)).rejects.toThrow(TypeError);
      await expect(openConnection("", 80)).rejects.toThrow(
        'openConnection() host must be a non-empty string, received ""',
      );
      await expect(openConnection("127.0.0.1", 80, { limit: 0 })).rejects.toThrow(ValueError);
      await expect(openConnection("127.0.0.1", 80, { serverHostname: "x" })).rejects.toThrow(
        "openConnection() serverHostname is only meaningful with ssl",
      );
    });
  });

  test("openConnection() to a closed port rejects with ECONNREFUSED", async () => {
    await run(async () => {
      const { server, port } = await echoServer();
      await shutdown(server);
      await expect(openConnection("127.0.0.1", port)).rejects.toMatchObject({
        code: "ECONNREFUSED",
      });
    });
  });

  test("openConnection() to a host that does not resolve rejects with ENOTFOUND", async () => {
    await run(async () => {
      const err = (await openConnection("no-such-host.invalid", 80).catch((e: unknown) => e)) as {
        code?: string;
      };
      expect(["ENOTFOUND", "EAI_AGAIN"]).toContain(err.code);
    });
  });

  test("openConnection() cancelled by an aborted signal rejects at once", async () => {
    await run(async () => {
      const ac = new AbortController();
      ac.abort(new Error("stop"));
      await expect(openConnection("127.0.0.1", 9, { signal: ac.signal })).rejects.toThrow("stop");
    });
  });
});

describe("StreamWriter", () => {
  test("StreamWriter.writeEof() half-closes: the server sees EOF and can still answer", async () => {
    const out = await run(async () => {
      const server = await startServer(
        async (reader, writer) => {
          const all = await reader.read();
          writer.write(`got ${all.length} bytes: ${str(all)}`);
          writer.close();
        },
        "127.0.0.1",
        0,
      );
      const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
      expect(writer.canWriteEof()).toBe(true);
      writer.writelines(["abc", Buffer.from("def")]);
      writer.writeEof();
      writer.writeEof();
      expect(() => writer.write("x")).toThrow("Cannot call write() after writeEof()");
      const answer = str(await reader.read());
      expect(reader.atEof()).toBe(true);
      writer.close();
      await writer.waitClosed();
      await shutdown(server);
      return answer;
    });
    expect(out).toBe("got 6 bytes: abcdef");
  });

  test("StreamWriter.write() after close() throws RuntimeError; close() is idempotent", async () => {
    await run(async () => {
      const { server, port } = await echoServer();
      const [, writer] = await openConnection("127.0.0.1", port);
      writer.close();
      writer.close();
      expect(() => writer.write("x")).toThrow(RuntimeError);
      expect(() => writer.write("x")).toThrow("Cannot call write() after close()");
      expect(() => writer.writelines(["x"])).toThrow(RuntimeError);
      expect(() => writer.write(42 as never)).toThrow(TypeError);
      await writer.waitClosed();
      await shutdown(server);
    });
  });

  test("a peer reset reaches reads and drain() as ECONNRESET after the buffered bytes", async () => {
    const out = await run(async () => {
      let serverWriter: StreamWriter | null = null;
      const server = await startServer(
        async (_r, w) => {
          serverWriter = w;
          w.write("last words");
          await w.drain();
        },
        "127.0.0.1",
        0,
      );
      const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
      await until(() => String(reader).includes("10 bytes"), "the bytes");
      serverWriter!.abort();
      const closed = await writer.waitClosed().then(
        () => "closed",
        (e: { code?: string }) => e.code,
      );
      const data = str(await reader.read(100));
      const readErr = await reader.read(1).catch((e: { code?: string }) => e.code);
      const drainErr = await writer.drain().catch((e: { code?: string }) => e.code);
      writer.write("ignored after the connection is lost");
      await shutdown(server);
      return [closed, data, readErr, drainErr];
    });
    expect(out).toEqual(["ECONNRESET", "last words", "ECONNRESET", "ECONNRESET"]);
  });

  test("a task cancelled in drain() leaves the writer usable and loses no byte", async () => {
    const out = await run(async () => {
      let serverReader: StreamReader | null = null;
      const serverDone = getRunningLoop().createFuture<number>();
      const server = await startServer(
        async (r, w) => {
          serverReader = r;
          await serverDone;
          w.close();
        },
        "127.0.0.1",
        0,
      );
      const [, writer] = await openConnection("127.0.0.1", portOf(server));
      const chunk = Buffer.alloc(1 << 20, 7);
      let written = 0;
      const events: string[] = [];
      const t = createTask(async () => {
        for (;;) {
          writer.write(chunk);
          written += chunk.length;
          await writer.drain();
        }
      });
      await until(
        () => serverReader !== null && String(serverReader).includes("paused"),
        "backpressure",
      );
      await sleep(5);
      t.cancel();
      await t.catch((e: unknown) =>
        events.push(isCancelledError(e) ? "drain cancelled" : String(e)),
      );
      writer.write("end");
      written += 3;
      const reading = createTask(async () => (await serverReader!.read()).length);
      await writer.drain();
      events.push("drained");
      writer.writeEof();
      const received = await reading;
      events.push(received === written ? "all bytes arrived" : `lost ${written - received}`);
      serverDone.setResult(0);
      await writer.waitClosed();
      await shutdown(server);
      return events;
    });
    expect(out).toEqual(["drain cancelled", "drained", "all bytes arrived"]);
  });

  test("a task cancelled in a socket read loses no byte", async () => {
    const out = await run(async () => {
      let serverWriter: StreamWriter | null = null;
      const server = await startServer(
        (_r, w) => {
          serverWriter = w;
        },
        "127.0.0.1",
        0,
      );
      const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
      const t = createTask(() => reader.readexactly(8));
      await until(() => serverWriter !== null, "the connection");
      serverWriter!.write("1234");
      await until(() => String(reader).includes("4 bytes"), "half the bytes");
      t.cancel();
      const first = await t.catch((e: Error) => e.name);
      serverWriter!.write("5678");
      const got = str(await reader.readexactly(8));
      serverWriter!.close();
      writer.close();
      await writer.waitClosed();
      await shutdown(server);
      return [first, got];
    });
    expect(out).toEqual(["CancelledError", "12345678"]);
  });

  test("a slow reader against a fast writer keeps memory bounded", async () => {
    const out = await run(async () => {
      const total = 256 << 20;
      const chunk = Buffer.alloc(64 << 10, 1);
      let sent = 0;
      const server = await startServer(
        async (_r, w) => {
          while (sent < total) {
            w.write(chunk);
            sent += chunk.length;
            await w.drain();
          }
          w.close();
        },
        "127.0.0.1",
        0,
      );
      const rss0 = process.memoryUsage().rss;
      const [reader, writer] = await openConnection("127.0.0.1", portOf(server), {
        limit: 64 << 10,
      });
      // Read nothing for a while: the sender must block, not buffer 256 MiB.
      let last = -1;
      for (let i = 0; i < 200 && sent !== last; i++) {
        last = sent;
        await sleep(20);
      }
      const sentWhileBlocked = sent;
      const paused = String(reader).includes("paused");
      const rssGrowth = process.memoryUsage().rss - rss0;
      let received = 0;
      for (;;) {
        const data = await reader.read(1 << 20);
        if (data.length === 0) break;
        received += data.length;
      }
      writer.close();
      await writer.waitClosed();
      await shutdown(server);
      return { sentWhileBlocked, paused, rssGrowth, received };
    });
    expect(out.paused).toBe(true);
    expect(out.sentWhileBlocked).toBeLessThan(32 << 20);
    expect(out.rssGrowth).toBeLessThan(64 << 20);
    expect(out.received).toBe(256 << 20);
  });
});

describe("startServer", () => {
  test("startServer() serves 1,000 concurrent clients", async () => {
    const out = await run(async () => {
      const { server, port } = await echoServer();
      const clients = Array.from({ length: 1000 }, (_, i) =>
        createTask(async () => {
          const [reader, writer] = await openConnection("127.0.0.1", port);
          writer.write(`client ${i}\n`);
          const line = str(await reader.readline());
          writer.close();
          await writer.waitClosed();
          return line === `client ${i}\n`;
        }),
      );
      const results: boolean[] = [];
      for (const c of clients) results.push(await c);
      await shutdown(server);
      return results.filter(Boolean).length;
    });
    expect(out).toBe(1000);
  });

  test("startServer() reports a handler's exception and keeps serving", async () => {
    const out = await run(async () => {
      const contexts: ExceptionContext[] = [];
      getRunningLoop().setExceptionHandler((_loop, ctx) => contexts.push(ctx));
      let n = 0;
      const server = await startServer(
        async (reader, writer) => {
          const line = str(await reader.readline());
          if (n++ === 0) throw new Error(`handler failed on ${line.trim()}`);
          writer.write(line);
          writer.close();
        },
        "127.0.0.1",
        0,
      );
      const port = portOf(server);
      const [r1, w1] = await openConnection("127.0.0.1", port);
      w1.write("first\n");
      const first = await r1.read();
      const [r2, w2] = await openConnection("127.0.0.1", port);
      w2.write("second\n");
      const second = str(await r2.read());
      w1.close();
      w2.close();
      await shutdown(server);
      return [
        first.length,
        second,
        contexts.map((c) => [c.message, (c.exception as Error).message]),
      ];
    });
    expect(out).toEqual([
      0,
      "second\n",
      [["Unhandled exception in client_connected_cb", "handler failed on first"]],
    ]);
  });

  test("startServer() on a port in use rejects with EADDRINUSE", async () => {
    await run(async () => {
      const { server, port } = await echoServer();
      await expect(startServer(() => {}, "127.0.0.1", port)).rejects.toMatchObject({
        code: "EADDRINUSE",
      });
      await shutdown(server);
    });
  });

  test("startServer() validates its arguments", async () => {
    await run(async () => {
      await expect(startServer(() => {}, "127.0.0.1", -1)).rejects.toThrow(
        "startServer() port must be an integer >= 0 and <= 65535, received -1",
      );
      await expect(startServer("nope" as never, "127.0.0.1", 0)).rejects.toThrow(TypeError);
      await expect(startServer(() => {}, 42 as never, 0)).rejects.toThrow(TypeError);
      await expect(startServer(() => {}, "127.0.0.1", 0, { limit: 0 })).rejects.toThrow(ValueError);
    });
  });

  test("Server with startServing: false queues connections until startServing()", async () => {
    const out = await run(async () => {
      const events: string[] = [];
      const server = await startServer(
        async (reader, writer) => {
          events.push(`handled ${str(await reader.readline()).trim()}`);
          writer.close();
        },
        "127.0.0.1",
        0,
        { startServing: false },
      );
      events.push(`serving=${server.isServing()}`);
      const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
      writer.write("early\n");
      await sleep(20);
      events.push("starting");
      await server.startServing();
      events.push(`serving=${server.isServing()}`);
      await reader.read();
      writer.close();
      await shutdown(server);
      return events;
    });
    expect(out).toEqual(["serving=false", "starting", "serving=true", "handled early"]);
  });

  test("Server.serveForever() ends with CancelledError when cancelled, closing the server", async () => {
    const out = await run(async () => {
      const { server } = await echoServer();
      const t = createTask(() => server.serveForever());
      await sleep(0);
      await expect(server.serveForever()).rejects.toThrow(RuntimeError);
      t.cancel();
      const name = await t.catch((e: Error) => e.name);
      return [name, server.sockets.length, server.isServing()];
    });
    expect(out).toEqual(["CancelledError", 0, false]);
  });

  test("Server.waitClosed() waits for open connections; closeClients() closes them", async () => {
    const out = await run(async () => {
      const events: string[] = [];
      const { server, port } = await echoServer();
      const [reader, writer] = await openConnection("127.0.0.1", port);
      writer.write("x");
      await reader.readexactly(1);
      server.close();
      const waiting = createTask(async () => {
        await server.waitClosed();
        events.push("server closed");
      });
      await sleep(10);
      events.push("closing clients");
      server.closeClients();
      await waiting;
      events.push(`client eof=${(await reader.read()).length === 0}`);
      writer.close();
      await writer.waitClosed();
      return events;
    });
    expect(out).toEqual(["closing clients", "server closed", "client eof=true"]);
  });

  test("Server supports await using", async () => {
    const closed = await run(async () => {
      let s: Server;
      {
        await using server = await startServer(() => {}, "127.0.0.1", 0);
        s = server;
      }
      return s.sockets.length;
    });
    expect(closed).toBe(0);
  });

  test("startServer() with several hosts listens on each", async () => {
    await run(async () => {
      const server = await startServer(() => {}, ["127.0.0.1", "127.0.0.1"], 0);
      expect(server.sockets.map((s) => s.family)).toEqual(["IPv4", "IPv4"]);
      await shutdown(server);
    });
  });
});

describe("Web and Node stream adapters", () => {
  test("StreamReader.toReadableStream() and StreamWriter.toWritableStream() pipe through Node's pipeline", async () => {
    const out = await run(async () => {
      const { server, port } = await echoServer();
      const [reader, writer] = await openConnection("127.0.0.1", port);
      const payload = Buffer.alloc(3 << 20, 5);
      const sending = createTask(() =>
        new Response(payload).body!.pipeTo(writer.toWritableStream()),
      );
      const chunks: Buffer[] = [];
      await pipeline(
        Readable.fromWeb(reader.toReadableStream() as never),
        async (source: AsyncIterable<Buffer>) => {
          for await (const c of source) chunks.push(c);
        },
      );
      await sending;
      await shutdown(server);
      return Buffer.concat(chunks).equals(payload);
    });
    expect(out).toBe(true);
  });

  test("StreamWriter.fromWritableStream() writes to a Web WritableStream with backpressure", async () => {
    const out = await run(async () => {
      const chunks: string[] = [];
      const { StreamWriter } = await import("@aio/streams");
      const writer = StreamWriter.fromWritableStream(
        new WritableStream<Uint8Array>({
          write: async (c) => {
            await new Promise((r) => setImmediate(r));
            chunks.push(str(c));
          },
        }),
      );
      for (const s of ["a", "b", "c"]) {
        writer.write(s);
        await writer.drain();
      }
      writer.close();
      await writer.waitClosed();
      expect(() => StreamWriter.fromWritableStream({} as never)).toThrow(TypeError);
      return chunks.join("");
    });
    expect(out).toBe("abc");
  });
});
