/**
 * Differential checks against CPython's asyncio for the endpoints the other
 * differential files leave out: UDP (`createDatagramEndpoint`), Unix
 * sockets and TLS, over loopback. Each case was run as the same scenario on
 * CPython 3.11 (3.13's source read where it changed: the Unix socket file
 * removed on close, empty datagrams sent) and the expected event logs below
 * are asyncio's. asyncio's `None` is written `null`; its error classes are
 * Node's errors with their `code` here (a documented deviation,
 * docs/porting/streams.md), so the logs show the code.
 *
 * Nothing here depends on timing: a case waits for the event it logs
 * (`runUntil`), never for a while.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getRunningLoop, RuntimeError } from "@aio/core";
import { sleep, waitFor } from "@aio/futures";
import { run } from "@aio/loop";
import {
  createDatagramEndpoint,
  type DatagramProtocol,
  openConnection,
  openUnixConnection,
  type StreamReader,
  type StreamWriter,
  startServer,
  startUnixServer,
} from "@aio/streams";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runUntil } from "./datagram-helpers.js";
import { portOf, selfSigned, shutdown } from "./helpers.js";

const str = (x: Uint8Array) => Buffer.from(x).toString();
let dir = "";
let key = "";
let cert = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "aio-endpoints-"));
  // A self-signed certificate for localhost / 127.0.0.1, made for this run.
  ({ key, cert } = selfSigned(dir, "localhost", "DNS:localhost,IP:127.0.0.1"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A connection handler: reads to EOF, then closes. */
async function readThenClose(reader: StreamReader, writer: StreamWriter): Promise<void> {
  await reader.read();
  writer.close();
  await writer.waitClosed().catch(() => {});
}

/** A protocol that logs its callbacks, tagged; it can close its transport in one of them. */
function recorder(
  log: string[],
  tag: string,
  opts: { closeOnFirst?: boolean; closeInMade?: boolean } = {},
): DatagramProtocol {
  let transport: { close(): void } | null = null;
  return {
    connectionMade(t) {
      transport = t;
      log.push(`${tag} made`);
      if (opts.closeInMade === true) {
        t.close();
        log.push(`${tag} close() in made`);
      }
    },
    datagramReceived(data) {
      log.push(`${tag} got ${str(data)}`);
      if (opts.closeOnFirst === true) {
        transport!.close();
        log.push(`${tag} close()`);
      }
    },
    errorReceived: (e) => log.push(`${tag} error ${(e as { code?: string }).code}`),
    connectionLost: (e) => log.push(`${tag} lost ${e}`),
  };
}

describe("UDP endpoints (createDatagramEndpoint)", () => {
  test("getExtraInfo('sockname'/'peername') still answer after close() and abort() (asyncio keeps its extra info)", async () => {
    const log = await run(async () => {
      const log: string[] = [];
      const [sink] = await createDatagramEndpoint(() => recorder(log, "sink"), {
        localAddr: ["127.0.0.1", 0],
      });
      const port = sink.getExtraInfo<[string, number]>("sockname")![1];
      for (const how of ["close", "abort"] as const) {
        const [t] = await createDatagramEndpoint(() => recorder(log, how), {
          remoteAddr: ["127.0.0.1", port],
        });
        const before = [t.getExtraInfo("sockname"), t.getExtraInfo("peername")];
        t[how]();
        await runUntil(() => log.at(-1) === `${how} lost null`);
        const after = [t.getExtraInfo("sockname"), t.getExtraInfo("peername")] as const;
        log.push(
          `${how}: sockname kept ${String(after[0]) === String(before[0])} peername kept ${String(after[1]) === String(before[1])} peer port ${(after[1] as [string, number] | undefined)?.[1] === port}`,
        );
      }
      const sockname = String(sink.getExtraInfo("sockname"));
      sink.close();
      await runUntil(() => log.at(-1) === "sink lost null");
      log.push(`unconnected: sockname kept ${String(sink.getExtraInfo("sockname")) === sockname}`);
      return log;
    });
    expect(log).toEqual([
      "sink made",
      "close made",
      "close lost null",
      "close: sockname kept true peername kept true peer port true",
      "abort made",
      "abort lost null",
      "abort: sockname kept true peername kept true peer port true",
      "sink lost null",
      "unconnected: sockname kept true",
    ]);
  });

  test("close() in datagramReceived: no datagram is delivered after it, even one that had already arrived (asyncio reads one per reader callback)", async () => {
    const log = await run(async () => {
      const log: string[] = [];
      const [sink] = await createDatagramEndpoint(
        () => recorder(log, "sink", { closeOnFirst: true }),
        { localAddr: ["127.0.0.1", 0] },
      );
      const port = sink.getExtraInfo<[string, number]>("sockname")![1];
      const [c] = await createDatagramEndpoint(() => recorder(log, "c"), {
        remoteAddr: ["127.0.0.1", port],
      });
      // Sent in one turn: the three are queued at the sink before it reads.
      for (let i = 0; i < 3; i++) c.sendto("x");
      await runUntil(() => log.at(-1) === "sink lost null");
      for (let i = 0; i < 3; i++) await sleep(0);
      c.close();
      await runUntil(() => log.at(-1) === "c lost null");
      return log;
    });
    expect(log).toEqual([
      "sink made",
      "c made",
      "sink got x",
      "sink close()",
      "sink lost null",
      "c lost null",
    ]);
  });

  test("close() in connectionMade: connectionLost runs before createDatagramEndpoint() resolves", async () => {
    const log = await run(async () => {
      const log: string[] = [];
      const [t] = await createDatagramEndpoint(() => recorder(log, "m", { closeInMade: true }), {
        localAddr: ["127.0.0.1", 0],
      });
      log.push(`resolved isClosing ${t.isClosing()}`);
      return log;
    });
    expect(log).toEqual(["m made", "m close() in made", "m lost null", "resolved isClosing true"]);
  });
});

describe("TLS", () => {
  test("getExtraInfo('peercert'/'cipher') still answer after close(), for openConnection({ ssl }) and after startTls() (asyncio keeps them from the handshake)", async () => {
    const log = await run(async () => {
      const log: string[] = [];
      const fingerprint = (w: StreamWriter) =>
        w.getExtraInfo<{ fingerprint256: string }>("peercert")?.fingerprint256;
      const cipher = (w: StreamWriter) => w.getExtraInfo<{ name: string }>("cipher")?.name;
      let server = await startServer(readThenClose, "127.0.0.1", 0, { ssl: { key, cert } });
      const [, w] = await openConnection("127.0.0.1", portOf(server), { ssl: { ca: cert } });
      const before = [fingerprint(w), cipher(w)];
      w.close();
      await w.waitClosed();
      log.push(
        `client: peercert kept ${before[0] !== undefined && fingerprint(w) === before[0]} cipher kept ${before[1] !== undefined && cipher(w) === before[1]}`,
      );
      await shutdown(server);
      server = await startServer(
        async (r, sw) => {
          await sw.startTls({ key, cert });
          sw.write("ok");
          await readThenClose(r, sw);
        },
        "127.0.0.1",
        0,
      );
      const [pr, pw] = await openConnection("127.0.0.1", portOf(server));
      log.push(`plain: peercert ${pw.getExtraInfo("peercert", null)}`);
      await pw.startTls({ ca: cert }, { serverHostname: "localhost" });
      log.push(`startTls: ${str(await pr.readexactly(2))}`); // the server's side is done too
      const upgraded = fingerprint(pw);
      pw.close();
      await pw.waitClosed();
      log.push(`startTls: peercert kept ${upgraded !== undefined && fingerprint(pw) === upgraded}`);
      await shutdown(server);
      return log;
    });
    expect(log).toEqual([
      "client: peercert kept true cipher kept true",
      "plain: peercert null",
      "startTls: ok",
      "startTls: peercert kept true",
    ]);
  });

  test("a peer that closes right after its startTls() handshake: the server's reader gets EOF, its connection closes, waitClosed() returns", async () => {
    // asyncio 3.11 logs ['client tls ok', 'server tls ok', "server read b''",
    // 'closing=True', 'closed']: its SSL transport closes on the peer's EOF.
    // Ours kept the connection half-open (the TLS socket took the TCP
    // socket's allowHalfOpen), so the reader waited for an EOF that Node had
    // already emitted and waitClosed() hung.
    const log = await run(async () => {
      const log: string[] = [];
      const handled = getRunningLoop().createFuture<void>();
      const server = await startServer(
        async (r, w) => {
          await r.readline();
          w.write("GO\n");
          await w.startTls({ key, cert });
          log.push("server tls ok");
          const data = await waitFor(r.read(), 10_000).catch((e: unknown) => e);
          log.push(`server read ${data instanceof Uint8Array ? JSON.stringify(str(data)) : data}`);
          await w.waitClosed();
          log.push(`closing=${w.isClosing()}`);
          handled.setResult(undefined);
        },
        "127.0.0.1",
        0,
      );
      const [pr, pw] = await openConnection("127.0.0.1", portOf(server));
      pw.write("STARTTLS\n");
      await pr.readline();
      await pw.startTls({ ca: cert }, { serverHostname: "localhost" });
      log.push("client tls ok");
      pw.close();
      await handled;
      server.close();
      await waitFor(server.waitClosed(), 10_000);
      log.push("closed");
      return log;
    });
    expect(log).toEqual([
      "client tls ok",
      "server tls ok",
      'server read ""',
      "closing=true",
      "closed",
    ]);
  });

  test("getExtraInfo('ssl_object') (asyncio's key) answers on both ends of a TLS connection, null on a plain one; writeEof() over TLS is a RuntimeError", async () => {
    const log = await run(async () => {
      const log: string[] = [];
      const serverObject = getRunningLoop().createFuture<boolean>();
      let server = await startServer(
        async (r, w) => {
          if (!serverObject.done()) serverObject.setResult(w.getExtraInfo("ssl_object") != null);
          await readThenClose(r, w);
        },
        "127.0.0.1",
        0,
        { ssl: { key, cert } },
      );
      const [, w] = await openConnection("127.0.0.1", portOf(server), { ssl: { ca: cert } });
      log.push(
        `tls: ssl_object ${w.getExtraInfo("ssl_object", null) !== null} sslcontext ${w.getExtraInfo("sslcontext", null) !== null} canWriteEof ${w.canWriteEof()}`,
      );
      try {
        w.writeEof();
        log.push("writeEof ok");
      } catch (e) {
        // asyncio: NotImplementedError, a subclass of RuntimeError.
        if (e instanceof RuntimeError)
          log.push(`tls: writeEof is a RuntimeError, isClosing ${w.isClosing()}`);
      }
      log.push(`server: ssl_object ${await serverObject}`);
      w.close();
      await w.waitClosed();
      await shutdown(server);
      server = await startServer(readThenClose, "127.0.0.1", 0);
      const [, pw] = await openConnection("127.0.0.1", portOf(server));
      log.push(
        `plain: ssl_object ${pw.getExtraInfo("ssl_object", null)} canWriteEof ${pw.canWriteEof()}`,
      );
      pw.close();
      await pw.waitClosed();
      await shutdown(server);
      return log;
    });
    expect(log).toEqual([
      "tls: ssl_object true sslcontext true canWriteEof false",
      "tls: writeEof is a RuntimeError, isClosing false",
      "server: ssl_object true",
      "plain: ssl_object null canWriteEof true",
    ]);
  });
});

describe("Unix sockets", () => {
  test("a server's close() removes its socket file only while it is still its own: one another server bound there since stays (asyncio 3.13)", async () => {
    const log = await run(async () => {
      const log: string[] = [];
      const path = join(dir, "replaced.sock");
      const hi = async (_r: StreamReader, w: StreamWriter) => {
        w.write("hi");
        await w.drain();
        w.close();
      };
      const a = await startUnixServer(hi, path);
      const b = await startUnixServer(hi, path);
      log.push("b replaced a's socket file");
      a.close();
      await a.waitClosed();
      log.push(`a closed: file ${existsSync(path)}`);
      const [r, w] = await openUnixConnection(path);
      log.push(`connect reaches b: ${str(await r.read())}`);
      w.close();
      await w.waitClosed();
      b.close();
      await b.waitClosed();
      log.push(`b closed: file ${existsSync(path)}`);
      return log;
    });
    expect(log).toEqual([
      "b replaced a's socket file",
      "a closed: file true",
      "connect reaches b: hi",
      "b closed: file false",
    ]);
  });
});
