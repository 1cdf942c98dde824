// Issue 14: faults of @aio/streams found in the hardening pass, one
// regression test each (each failed before its fix).
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import type { ExceptionContext, FutureLike } from "@aio/core";
import { getRunningLoop, ValueError } from "@aio/core";
import { waitFor } from "@aio/futures";
import { run } from "@aio/loop";
import {
  openConnection,
  openUnixConnection,
  type Server,
  type StreamReader,
  type StreamWriter,
  startServer,
  startUnixServer,
} from "@aio/streams";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { portOf, selfSigned, shutdown } from "./helpers.js";

const str = (x: Uint8Array) => Buffer.from(x).toString();
let dir = "";
/** For DNS:localhost and IP:127.0.0.1. */
let both = { key: "", cert: "" };
/** For IP:127.0.0.1 only. */
let ipOnly = { key: "", cert: "" };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "aio-streams-h-"));
  both = selfSigned(dir, "localhost", "DNS:localhost,IP:127.0.0.1");
  ipOnly = selfSigned(dir, "ip", "IP:127.0.0.1");
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A plain server that upgrades each connection with startTls() after a
 * "STARTTLS" line and resolves `result` with what it saw: the SNI name the
 * client sent, or the handshake's error.
 */
async function starttlsServer(
  creds: { key: string; cert: string },
  hsTimeout = 60_000,
): Promise<{ server: Server; result: FutureLike<unknown> }> {
  const result = getRunningLoop().createFuture<unknown>();
  const server = await startServer(
    async (reader, writer) => {
      await reader.readline();
      writer.write("GO\n");
      try {
        await writer.startTls(creds, { sslHandshakeTimeout: hsTimeout });
      } catch (err) {
        const e = err as Error & { code?: string };
        if (!result.done()) result.setResult({ error: e.message, code: e.code });
        return;
      }
      const sni = (writer.getExtraInfo("sslobject") as TLSSocket).servername;
      writer.write("secure\n");
      if (!result.done()) result.setResult({ sni });
      await reader.read();
      writer.close();
    },
    "127.0.0.1",
    0,
  );
  return { server, result };
}

async function plainStarttls(port: number): Promise<[StreamReader, StreamWriter]> {
  const [reader, writer] = await openConnection("127.0.0.1", port);
  writer.write("STARTTLS\n");
  expect(str(await reader.readline())).toBe("GO\n");
  return [reader, writer];
}

describe("StreamWriter.startTls() and serverHostname", () => {
  test("an IP serverHostname is checked against the certificate, not the host connected to (as openConnection)", async () => {
    const out = await run(async () => {
      const { server, result } = await starttlsServer(both);
      const [, writer] = await plainStarttls(portOf(server));
      const err = (await writer
        .startTls({ ca: both.cert }, { serverHostname: "10.0.0.1" })
        .catch((e: unknown) => e)) as Error & { code?: string };
      await result;
      await shutdown(server);
      // The same mismatch through openConnection():
      const tlsServer = await startServer(() => {}, "127.0.0.1", 0, { ssl: both });
      const err2 = (await openConnection("127.0.0.1", portOf(tlsServer), {
        ssl: { ca: both.cert },
        serverHostname: "10.0.0.1",
      }).catch((e: unknown) => e)) as Error & { code?: string };
      await shutdown(tlsServer);
      return [err.code, err.message, err2.code];
    });
    expect(out).toEqual([
      "ERR_TLS_CERT_ALTNAME_INVALID",
      "Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list: 127.0.0.1",
      "ERR_TLS_CERT_ALTNAME_INVALID",
    ]);
  });

  test("an IP serverHostname in the certificate passes and sends no SNI; a name is sent as SNI", async () => {
    const out = await run(async () => {
      const seen: unknown[] = [];
      for (const [creds, name] of [
        [ipOnly, "127.0.0.1"],
        [both, "localhost"],
      ] as const) {
        const { server, result } = await starttlsServer(creds);
        const [reader, writer] = await plainStarttls(portOf(server));
        await writer.startTls({ ca: creds.cert }, { serverHostname: name });
        seen.push(str(await reader.readline()), await result);
        writer.close();
        await writer.waitClosed();
        await shutdown(server);
      }
      return seen;
    });
    expect(out).toEqual(["secure\n", { sni: false }, "secure\n", { sni: "localhost" }]);
  });

  test("a name serverHostname not in the certificate is rejected", async () => {
    const out = await run(async () => {
      const { server, result } = await starttlsServer(ipOnly);
      const [, writer] = await plainStarttls(portOf(server));
      const err = (await writer
        .startTls({ ca: ipOnly.cert }, { serverHostname: "localhost" })
        .catch((e: unknown) => e)) as Error & { code?: string };
      await result;
      await shutdown(server);
      return err.code;
    });
    expect(out).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
  });
});

describe("server-side StreamWriter.startTls()", () => {
  test("rejects at once with ECONNRESET when the client rejects the certificate and closes", async () => {
    const out = await run(async () => {
      // A 60 s handshake timeout: only the client's close can end it within the test's 10 s.
      const { server, result } = await starttlsServer(both, 60_000);
      const [, writer] = await plainStarttls(portOf(server));
      // Default CAs: the self-signed certificate is rejected.
      const clientErr = (await writer.startTls(true).catch((e: unknown) => e)) as {
        code?: string;
      };
      const seen = await result;
      await shutdown(server);
      return [clientErr.code, seen];
    });
    expect(out).toEqual([
      "DEPTH_ZERO_SELF_SIGNED_CERT",
      {
        error: "startTls(): the peer closed the connection during the TLS handshake",
        code: "ECONNRESET",
      },
    ]);
  }, 10_000);
});

describe("StreamWriter.abort() and Server.abortClients() close every kind of connection", () => {
  const kinds = ["tcp", "tls", "unix"] as const;

  async function serve(
    kind: (typeof kinds)[number],
    cb: (r: StreamReader, w: StreamWriter) => unknown,
  ): Promise<{ server: Server; connect: () => Promise<[StreamReader, StreamWriter]> }> {
    if (kind === "unix") {
      const path = join(dir, "abort.sock");
      const server = await startUnixServer(cb, path);
      return { server, connect: () => openUnixConnection(path) };
    }
    const server = await startServer(cb, "127.0.0.1", 0, kind === "tls" ? { ssl: both } : {});
    const port = portOf(server);
    return {
      server,
      connect: () =>
        openConnection("127.0.0.1", port, kind === "tls" ? { ssl: { ca: both.cert } } : {}),
    };
  }

  for (const kind of kinds) {
    test(`writer.abort() on a ${kind} connection closes it and waitClosed() resolves`, async () => {
      const out = await run(async () => {
        const serverSaw = getRunningLoop().createFuture<string>();
        const { server, connect } = await serve(kind, async (reader, writer) => {
          const data = await reader.read().then(
            (d) => `eof after ${d.length} bytes`,
            (e: { code?: string }) => `error ${e.code}`,
          );
          serverSaw.setResult(data);
          writer.close();
        });
        const [, writer] = await connect();
        writer.write("dropped?");
        writer.abort();
        const closing = writer.isClosing();
        await writer.waitClosed().catch(() => {});
        const transportDestroyed = (writer.transport as { destroyed: boolean }).destroyed;
        const saw = await serverSaw;
        await shutdown(server);
        return [closing, transportDestroyed, /^(eof after \d+ bytes|error ECONNRESET)$/.test(saw)];
      });
      expect(out).toEqual([true, true, true]);
    });

    test(`server.abortClients() closes ${kind} connections and waitClosed() resolves`, async () => {
      const out = await run(async () => {
        const accepted = getRunningLoop().createFuture<StreamWriter>();
        const { server, connect } = await serve(kind, async (reader, writer) => {
          accepted.setResult(writer);
          await reader.read().catch(() => {});
        });
        const [reader, writer] = await connect();
        const serverWriter = await accepted;
        server.close();
        server.abortClients();
        await server.waitClosed();
        const clientSaw = await reader.read().then(
          (d) => `eof after ${d.length} bytes`,
          (e: { code?: string }) => `error ${e.code}`,
        );
        writer.close();
        await writer.waitClosed().catch(() => {});
        return [
          serverWriter.isClosing(),
          (serverWriter.transport as { destroyed: boolean }).destroyed,
          /^(eof after 0 bytes|error ECONNRESET)$/.test(clientSaw),
        ];
      });
      expect(out).toEqual([true, true, true]);
    });
  }
});

describe("Unix socket paths longer than sun_path", () => {
  const limit = process.platform === "linux" ? 107 : 103;
  /** A path under `dir` of exactly `bytes` bytes. */
  const pathOf = (bytes: number): string => {
    const base = join(dir, "long-");
    return `${base}${"x".repeat(bytes - Buffer.byteLength(base) - 5)}.sock`;
  };

  test.runIf(process.platform !== "win32")(
    "startUnixServer() and openUnixConnection() reject a path over the limit with ValueError and leave no file behind",
    async () => {
      const long = pathOf(limit + 13);
      const before = readdirSync(dir).length;
      const out = await run(async () => {
        const errs: unknown[] = [];
        for (const attempt of [
          () => startUnixServer(() => {}, long),
          () => startUnixServer(() => {}, long), // the second one failed with EADDRINUSE
          () => openUnixConnection(long),
        ]) {
          errs.push(await attempt().catch((e: unknown) => e));
        }
        return errs;
      });
      for (const [i, err] of out.entries()) {
        expect(err).toBeInstanceOf(ValueError);
        const where = i < 2 ? "startUnixServer()" : "openUnixConnection()";
        expect((err as Error).message).toBe(
          `${where} path must be at most ${limit} bytes long (the sun_path limit of a Unix socket address), received a path of ${limit + 13} bytes`,
        );
      }
      expect(readdirSync(dir).length).toBe(before);
    },
  );

  test.runIf(process.platform !== "win32")(
    "a path of exactly the limit still serves, twice in a row",
    async () => {
      const path = pathOf(limit);
      expect(Buffer.byteLength(path)).toBe(limit);
      const out = await run(async () => {
        const lines: string[] = [];
        for (let i = 0; i < 2; i++) {
          const server = await startUnixServer(async (reader, writer) => {
            writer.write(await reader.readline());
            writer.close();
          }, path);
          const [reader, writer] = await openUnixConnection(path);
          writer.write(`round ${i}\n`);
          lines.push(str(await reader.readline()));
          writer.close();
          await writer.waitClosed();
          await shutdown(server);
        }
        return lines;
      });
      expect(out).toEqual(["round 0\n", "round 1\n"]);
      expect(existsSync(path)).toBe(false);
    },
  );
});

describe("options accepted silently before", () => {
  test("startServer() backlog: -1 is a RangeError and 'x' a TypeError", async () => {
    await run(async () => {
      const e1 = await startServer(() => {}, "127.0.0.1", 0, { backlog: -1 }).catch((e) => e);
      expect(e1).toBeInstanceOf(RangeError);
      expect(e1.message).toBe("startServer() backlog must be an integer >= 0, received -1");
      const e2 = await startServer(() => {}, "127.0.0.1", 0, { backlog: "x" as never }).catch(
        (e) => e,
      );
      expect(e2).toBeInstanceOf(TypeError);
      expect(e2.message).toBe('startServer() backlog must be an integer >= 0, received "x"');
    });
  });

  test("a TLS server with ssl: {} (no certificate) is a TypeError", async () => {
    await run(async () => {
      const err = await startServer(() => {}, "127.0.0.1", 0, { ssl: {} }).catch((e) => e);
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toBe(
        "startServer() ssl must be a tls.SecureContext or tls options with a cert and key (or pfx) for a server, received an object without cert, pfx, secureContext or SNICallback",
      );
    });
  });

  test("openConnection(host, port, null) rejects with a TypeError naming options", async () => {
    await run(async () => {
      const p = openConnection("127.0.0.1", 80, null as never);
      const err = await p.catch((e) => e);
      expect(err).toBeInstanceOf(TypeError);
      expect(err.message).toBe("openConnection() options must be an object, received null");
    });
  });
});

describe("Server and a callback that fails with a falsy value", () => {
  test("a clientConnected that throws undefined is reported and its connection closed (isFailed)", async () => {
    const out = await run(async () => {
      const reported: string[] = [];
      getRunningLoop().setExceptionHandler((_loop, ctx: ExceptionContext) => {
        reported.push(`${ctx.message}: ${String(ctx.exception)}`);
      });
      const server = await startServer(
        async () => {
          throw undefined;
        },
        "127.0.0.1",
        0,
      );
      const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
      // Bounded: before the fix the connection stayed open and this read never ended.
      const got = await waitFor(reader.read(), 5_000);
      writer.close();
      await writer.waitClosed();
      await shutdown(server);
      return [got.length, reported];
    });
    expect(out).toEqual([0, ["Unhandled exception in client_connected_cb: undefined"]]);
  });
});
