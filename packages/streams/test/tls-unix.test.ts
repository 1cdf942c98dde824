import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecureContext } from "node:tls";
import { isTimeoutError } from "@aio/core";
import { createTask, sleep } from "@aio/futures";
import { run } from "@aio/loop";
import { openConnection, openUnixConnection, startServer, startUnixServer } from "@aio/streams";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { echo, portOf, selfSigned, shutdown } from "./helpers.js";

const str = (x: Uint8Array) => Buffer.from(x).toString();
let dir = "";
let key = "";
let cert = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "aio-streams-"));
  // A self-signed certificate for localhost / 127.0.0.1, made for this run.
  ({ key, cert } = selfSigned(dir, "localhost", "DNS:localhost,IP:127.0.0.1"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("TLS", () => {
  test("openConnection({ ssl }) echoes through a TLS server with a self-signed certificate", async () => {
    const out = await run(async () => {
      const server = await startServer(echo, "127.0.0.1", 0, { ssl: { key, cert } });
      const [reader, writer] = await openConnection("127.0.0.1", portOf(server), {
        ssl: { ca: cert },
        serverHostname: "localhost",
      });
      writer.write("secret\n");
      const line = str(await reader.readline());
      const peercert = writer.getExtraInfo("peercert") as { subject: { CN: string } };
      const info = [
        line,
        peercert.subject.CN,
        writer.canWriteEof(),
        writer.getExtraInfo("sslcontext") !== undefined,
        (writer.getExtraInfo("cipher") as { name: string }).name.length > 0,
      ];
      expect(() => writer.writeEof()).toThrow("writeEof() is not supported on TLS connections");
      expect(String(writer)).toMatch(/^<StreamWriter transport=<TLSSocket 127\.0\.0\.1:\d+>/);
      writer.close();
      await writer.waitClosed();
      await shutdown(server);
      return info;
    });
    expect(out).toEqual(["secret\n", "localhost", false, true, true]);
  });

  test("a TLS peer with a bad certificate is rejected by default (verification on)", async () => {
    await run(async () => {
      const server = await startServer(echo, "127.0.0.1", 0, {
        ssl: createSecureContext({ key, cert }),
      });
      const port = portOf(server);
      await expect(openConnection("127.0.0.1", port, { ssl: true })).rejects.toMatchObject({
        code: "DEPTH_ZERO_SELF_SIGNED_CERT",
      });
      await expect(
        openConnection("127.0.0.1", port, { ssl: { ca: cert }, serverHostname: "example.com" }),
      ).rejects.toMatchObject({ code: "ERR_TLS_CERT_ALTNAME_INVALID" });
      await shutdown(server);
    });
  });

  test("StreamWriter.startTls() upgrades a plain connection on both sides", async () => {
    const out = await run(async () => {
      const server = await startServer(
        async (reader, writer) => {
          const cmd = str(await reader.readline());
          writer.write(cmd === "STARTTLS\n" ? "GO\n" : "NO\n");
          await writer.startTls({ key, cert });
          writer.write(`secure: ${str(await reader.readline())}`);
          writer.close();
        },
        "127.0.0.1",
        0,
      );
      const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
      writer.write("STARTTLS\n");
      const go = str(await reader.readline());
      await writer.startTls({ ca: cert }, { serverHostname: "localhost" });
      await expect(writer.startTls({ ca: cert })).rejects.toThrow(
        "startTls(): the connection already uses TLS",
      );
      writer.write("hello\n");
      const answer = str(await reader.readline());
      const cn = (writer.getExtraInfo("peercert") as { subject: { CN: string } }).subject.CN;
      writer.close();
      await writer.waitClosed();
      await shutdown(server);
      return [go, answer, cn];
    });
    expect(out).toEqual(["GO\n", "secure: hello\n", "localhost"]);
  });
});

describe("TLS handshake limits", () => {
  test("openConnection() cancelled during the TLS handshake destroys the socket", async () => {
    const out = await run(async () => {
      const events: string[] = [];
      const server = await startServer(
        async (reader, writer) => {
          await reader.read(); // a TCP peer that never answers the ClientHello
          events.push("server saw the client go away");
          writer.close();
        },
        "127.0.0.1",
        0,
      );
      const t = createTask(() =>
        openConnection("127.0.0.1", portOf(server), { ssl: { ca: cert } }),
      );
      await sleep(20);
      t.cancel();
      events.push(
        await t.then(
          () => "connected?",
          (e: Error) => e.name,
        ),
      );
      await sleep(20);
      await shutdown(server);
      return events;
    });
    expect(out).toEqual(["CancelledError", "server saw the client go away"]);
  });

  test("openConnection() with sslHandshakeTimeout raises TimeoutError", async () => {
    await run(async () => {
      const server = await startServer(
        async (reader, writer) => {
          await reader.read();
          writer.close();
        },
        "127.0.0.1",
        0,
      );
      const err = await openConnection("127.0.0.1", portOf(server), {
        ssl: { ca: cert },
        sslHandshakeTimeout: 30,
      }).catch((e: unknown) => e);
      expect(isTimeoutError(err)).toBe(true);
      expect((err as Error).message).toBe("TLS handshake took longer than 30 ms");
      await shutdown(server);
    });
  });
});

describe("Unix sockets", () => {
  test("openUnixConnection() echoes through startUnixServer()", async () => {
    const path = join(dir, "echo.sock");
    const out = await run(async () => {
      const server = await startUnixServer(echo, path);
      expect(server.sockets[0]!.getsockname()).toBe(path);
      expect(server.sockets[0]!.family).toBe("unix");
      const [reader, writer] = await openUnixConnection(path);
      writer.write("over unix\n");
      const line = str(await reader.readline());
      const peer = writer.getExtraInfo("peername");
      writer.close();
      await writer.waitClosed();
      await shutdown(server);
      return [line, peer];
    });
    expect(out).toEqual(["over unix\n", path]);
  });

  test("startUnixServer() replaces a stale socket file; openUnixConnection() to nothing rejects", async () => {
    const path = join(dir, "stale.sock");
    await run(async () => {
      const first = await startUnixServer(echo, path);
      await shutdown(first);
      const second = await startUnixServer(echo, path);
      await shutdown(second);
      await expect(openUnixConnection(path)).rejects.toMatchObject({
        code: expect.stringMatching(/ENOENT|ECONNREFUSED/),
      });
      await expect(openUnixConnection("")).rejects.toThrow(TypeError);
    });
  });
});
