// The error policy (docs/design/error-policy.md) at every public entry point
// of @aio/streams: each is called with wrong types as plain JavaScript would
// (`as never`), and the class and message are asserted. Promise-returning
// functions reject (never throw synchronously); synchronous ones throw.

import { RuntimeError, ValueError } from "@aio/core";
import { run } from "@aio/loop";
import {
  createDatagramEndpoint,
  createSubprocessExec,
  createSubprocessShell,
  IncompleteReadError,
  LimitOverrunError,
  openConnection,
  openUnixConnection,
  PIPE,
  ServerSocket,
  StreamReader,
  StreamWriter,
  startServer,
  startUnixServer,
} from "@aio/streams";
import { describe, expect, test } from "vitest";
import { echoServer, shutdown } from "./helpers.js";

type ErrorClass = abstract new (...args: never[]) => Error;

/** Calls `fn`; it must not throw synchronously and must reject with `cls` and `message`. */
async function rejects(fn: () => unknown, cls: ErrorClass, message: string): Promise<void> {
  let result: unknown;
  expect(() => {
    result = fn();
  }).not.toThrow();
  expect(result).toBeInstanceOf(Promise);
  const err = await (result as Promise<unknown>).then(
    () => new Error("resolved"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(cls);
  expect((err as Error).message).toBe(message);
}

/** `fn()` throws `cls` with `message`. */
function throws(fn: () => unknown, cls: ErrorClass, message: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(cls);
  expect((err as Error).message).toBe(message);
}

const cb = () => {};

describe("openConnection() and openUnixConnection() reject bad arguments", () => {
  test("openConnection()", async () => {
    await run(async () => {
      const w = "openConnection()";
      await rejects(
        () => openConnection(1 as never, 80),
        TypeError,
        `${w} host must be a non-empty string, received 1`,
      );
      await rejects(
        () => openConnection(undefined as never, 80),
        TypeError,
        `${w} host must be a non-empty string, received undefined`,
      );
      await rejects(
        () => openConnection("h", "80" as never),
        TypeError,
        `${w} port must be an integer >= 1 and <= 65535, received "80"`,
      );
      await rejects(
        () => openConnection("h", null as never),
        TypeError,
        `${w} port must be an integer >= 1 and <= 65535, received null`,
      );
      await rejects(
        () => openConnection("h", 65536),
        RangeError,
        `${w} port must be an integer >= 1 and <= 65535, received 65536`,
      );
      await rejects(
        () => openConnection("h", 80, null as never),
        TypeError,
        `${w} options must be an object, received null`,
      );
      await rejects(
        () => openConnection("h", 80, "x" as never),
        TypeError,
        `${w} options must be an object, received "x"`,
      );
      await rejects(
        () => openConnection("h", 80, { limit: "1" as never }),
        TypeError,
        `${w} limit must be an integer >= 1, received "1"`,
      );
      await rejects(
        () => openConnection("h", 80, { limit: -1 }),
        ValueError,
        `${w} limit must be an integer >= 1, received -1`,
      );
      await rejects(
        () => openConnection("h", 80, { ssl: "yes" as never }),
        TypeError,
        `${w} ssl must be true, a tls.SecureContext or a tls options object, received "yes"`,
      );
      await rejects(
        () => openConnection("h", 80, { ssl: false as never }),
        TypeError,
        `${w} ssl must be true, a tls.SecureContext or a tls options object, received false`,
      );
      await rejects(
        () => openConnection("h", 80, { ssl: true, serverHostname: 5 as never }),
        TypeError,
        `${w} serverHostname must be a non-empty string, received 5`,
      );
      await rejects(
        () => openConnection("h", 80, { ssl: true, sslHandshakeTimeout: "1" as never }),
        TypeError,
        `${w} sslHandshakeTimeout must be a number of milliseconds, received "1"`,
      );
      await rejects(
        () => openConnection("h", 80, { ssl: true, sslHandshakeTimeout: 0 }),
        ValueError,
        `${w} sslHandshakeTimeout must be a number of milliseconds > 0, received 0`,
      );
      await rejects(
        () => openConnection("h", 80, { localAddr: "127.0.0.1" as never }),
        TypeError,
        `${w} localAddr must be a [host, port] array, received "127.0.0.1"`,
      );
      await rejects(
        () => openConnection("h", 80, { localAddr: ["127.0.0.1", 70000] }),
        RangeError,
        `${w} localAddr[1] (port) must be an integer >= 0 and <= 65535, received 70000`,
      );
      await rejects(
        () => openConnection("h", 80, { signal: {} as never }),
        TypeError,
        `${w} signal must be an AbortSignal, received an object`,
      );
    });
  });

  test("openUnixConnection()", async () => {
    await run(async () => {
      const w = "openUnixConnection()";
      await rejects(
        () => openUnixConnection(1 as never),
        TypeError,
        `${w} path must be a non-empty string, received 1`,
      );
      await rejects(
        () => openUnixConnection("/tmp/x.sock", 1 as never),
        TypeError,
        `${w} options must be an object, received 1`,
      );
      await rejects(
        () => openUnixConnection("/tmp/x.sock", { limit: 0 }),
        ValueError,
        `${w} limit must be an integer >= 1, received 0`,
      );
      await rejects(
        () => openUnixConnection("/tmp/x.sock", { localAddr: ["a", 1] }),
        ValueError,
        `${w} localAddr is only meaningful for TCP`,
      );
      await rejects(
        () => openUnixConnection("/tmp/x.sock", { signal: "s" as never }),
        TypeError,
        `${w} signal must be an AbortSignal, received "s"`,
      );
    });
  });
});

describe("startServer() and startUnixServer() reject bad arguments", () => {
  test("startServer()", async () => {
    await run(async () => {
      const w = "startServer()";
      await rejects(
        () => startServer(null as never, "127.0.0.1", 0),
        TypeError,
        `${w} clientConnected must be a function, received null`,
      );
      await rejects(
        () => startServer(cb, 5 as never, 0),
        TypeError,
        `${w} host must be a string, an array of strings or null, received 5`,
      );
      await rejects(
        () => startServer(cb, [] as never, 0),
        TypeError,
        `${w} host must be a string, an array of strings or null, received an instance of Array`,
      );
      await rejects(
        () => startServer(cb, "127.0.0.1", "0" as never),
        TypeError,
        `${w} port must be an integer >= 0 and <= 65535, received "0"`,
      );
      await rejects(
        () => startServer(cb, "127.0.0.1", -1),
        RangeError,
        `${w} port must be an integer >= 0 and <= 65535, received -1`,
      );
      await rejects(
        () => startServer(cb, "127.0.0.1", 0, null as never),
        TypeError,
        `${w} options must be an object, received null`,
      );
      await rejects(
        () => startServer(cb, "127.0.0.1", 0, { limit: 1.5 }),
        ValueError,
        `${w} limit must be an integer >= 1, received 1.5`,
      );
      await rejects(
        () => startServer(cb, "127.0.0.1", 0, { backlog: 1.5 }),
        RangeError,
        `${w} backlog must be an integer >= 0, received 1.5`,
      );
      await rejects(
        () => startServer(cb, "127.0.0.1", 0, { startServing: "no" as never }),
        TypeError,
        `${w} startServing must be a boolean, received "no"`,
      );
      await rejects(
        () => startServer(cb, "127.0.0.1", 0, { reusePort: 1 as never }),
        TypeError,
        `${w} reusePort must be a boolean, received 1`,
      );
      await rejects(
        () => startServer(cb, "127.0.0.1", 0, { keepAlive: 1 as never }),
        TypeError,
        `${w} keepAlive must be a boolean, received 1`,
      );
      await rejects(
        () => startServer(cb, "127.0.0.1", 0, { ssl: true as never }),
        TypeError,
        `${w} ssl must be a tls.SecureContext or tls options with a cert and key (or pfx), received true`,
      );
      await rejects(
        () => startServer(cb, "127.0.0.1", 0, { sslHandshakeTimeout: 10 }),
        ValueError,
        `${w} sslHandshakeTimeout is only meaningful with ssl`,
      );
      await rejects(
        () => startServer(cb, "127.0.0.1", 0, { sslHandshakeTimeout: Number.NaN }),
        RangeError,
        `${w} sslHandshakeTimeout must be a finite number of milliseconds, received NaN`,
      );
    });
  });

  test("startUnixServer()", async () => {
    await run(async () => {
      const w = "startUnixServer()";
      await rejects(
        () => startUnixServer("f" as never, "/tmp/x.sock"),
        TypeError,
        `${w} clientConnected must be a function, received "f"`,
      );
      await rejects(
        () => startUnixServer(cb, null as never),
        TypeError,
        `${w} path must be a non-empty string, received null`,
      );
      await rejects(
        () => startUnixServer(cb, "/tmp/x.sock", [] as never),
        TypeError,
        `${w} options must be an object, received an instance of Array`,
      );
      await rejects(
        () => startUnixServer(cb, "/tmp/x.sock", { keepAlive: true }),
        ValueError,
        `${w} keepAlive is only meaningful for TCP`,
      );
    });
  });

  test("ServerSocket", () => {
    throws(
      () => new ServerSocket({} as never),
      TypeError,
      "ServerSocket server must be a net.Server, received an object",
    );
  });
});

describe("StreamReader rejects bad arguments", () => {
  test("constructor, setTransport(), feedData(), fromReadableStream()", () => {
    throws(
      () => new StreamReader(5 as never),
      TypeError,
      "StreamReader options must be an object, received 5",
    );
    throws(
      () => new StreamReader({ limit: "1" as never }),
      TypeError,
      'StreamReader limit must be an integer >= 1, received "1"',
    );
    throws(
      () => new StreamReader({ loop: {} as never }),
      TypeError,
      "StreamReader loop must be an event loop, received an object",
    );
    throws(
      () => new StreamReader().setTransport(null as never),
      TypeError,
      "setTransport() transport must be an object with pauseReading() and resumeReading(), received null",
    );
    throws(
      () => new StreamReader().feedData("x" as never),
      TypeError,
      'feedData() data must be a Uint8Array, received "x"',
    );
    throws(
      () => StreamReader.fromReadableStream({} as never),
      TypeError,
      "fromReadableStream() stream must be a ReadableStream, received an object",
    );
  });

  test("read(), readexactly(), readuntil() reject", async () => {
    await run(async () => {
      const r = new StreamReader();
      await rejects(
        () => r.read("1" as never),
        TypeError,
        'read() n must be an integer, received "1"',
      );
      await rejects(() => r.read(1.5), ValueError, "read() n must be an integer, received 1.5");
      await rejects(
        () => r.readexactly(null as never),
        TypeError,
        "readexactly() n must be an integer, received null",
      );
      await rejects(
        () => r.readexactly(-1),
        ValueError,
        "readexactly() n must be an integer >= 0, received -1",
      );
      await rejects(
        () => r.readuntil(5 as never),
        TypeError,
        "readuntil() separator must be a Uint8Array, a string or an array of them, received 5",
      );
      await rejects(
        () => r.readuntil([]),
        ValueError,
        "Separator should contain at least one element",
      );
    });
  });
});

describe("StreamWriter rejects bad arguments", () => {
  test("write(), writelines(), getExtraInfo(), startTls(), fromWritableStream()", async () => {
    await run(async () => {
      const { server, port } = await echoServer();
      const [, writer] = await openConnection("127.0.0.1", port);
      throws(
        () => writer.write(5 as never),
        TypeError,
        "write() data must be a Uint8Array or a string, received 5",
      );
      throws(
        () => writer.writelines(5 as never),
        TypeError,
        "writelines() data must be an iterable of Uint8Arrays or strings, received 5",
      );
      throws(
        () => writer.writelines([5] as never),
        TypeError,
        "writelines() data must be a Uint8Array or a string, received 5",
      );
      throws(
        () => writer.getExtraInfo(1 as never),
        TypeError,
        "getExtraInfo() name must be a string, received 1",
      );
      await rejects(
        () => writer.startTls("x" as never),
        TypeError,
        'startTls() ssl must be true, a tls.SecureContext or a tls options object, received "x"',
      );
      await rejects(
        () => writer.startTls(true, 1 as never),
        TypeError,
        "startTls() options must be an object, received 1",
      );
      await rejects(
        () => writer.startTls(true, { serverHostname: 1 as never }),
        TypeError,
        "startTls() serverHostname must be a non-empty string, received 1",
      );
      await rejects(
        () => writer.startTls(true, { sslHandshakeTimeout: -5 }),
        ValueError,
        "startTls() sslHandshakeTimeout must be a number of milliseconds > 0, received -5",
      );
      throws(
        () => StreamWriter.fromWritableStream({} as never),
        TypeError,
        "fromWritableStream() stream must be a WritableStream, received an object",
      );
      // Nothing above touched the connection: it still echoes.
      writer.close();
      await writer.waitClosed();
      await rejects(() => writer.startTls(true), RuntimeError, "startTls(): the writer is closing");
      await shutdown(server);
    });
  });
});

describe("subprocesses reject bad arguments", () => {
  test("createSubprocessExec(), createSubprocessShell(), Process methods", async () => {
    await run(async () => {
      const e = "createSubprocessExec()";
      await rejects(
        () => createSubprocessExec(5 as never),
        TypeError,
        `${e} program must be a non-empty string, received 5`,
      );
      await rejects(
        () => createSubprocessExec("true", "x" as never),
        TypeError,
        `${e} args must be an array of strings, received "x"`,
      );
      await rejects(
        () => createSubprocessExec("true", [], null as never),
        TypeError,
        `${e} options must be an object, received null`,
      );
      await rejects(
        () => createSubprocessExec("true", [], { stdout: "pipes" as never }),
        TypeError,
        'stdout must be PIPE, DEVNULL, INHERIT, null or a file descriptor, received "pipes"',
      );
      await rejects(
        () => createSubprocessExec("true", [], { cwd: 1 as never }),
        TypeError,
        `${e} cwd must be a string, received 1`,
      );
      await rejects(
        () => createSubprocessExec("true", [], { env: "x" as never }),
        TypeError,
        `${e} env must be an object, received "x"`,
      );
      await rejects(
        () => createSubprocessExec("true", [], { limit: 0 }),
        ValueError,
        `${e} limit must be an integer >= 1, received 0`,
      );
      const s = "createSubprocessShell()";
      await rejects(
        () => createSubprocessShell(null as never),
        TypeError,
        `${s} cmd must be a non-empty string, received null`,
      );
      await rejects(
        () => createSubprocessShell("true", 1 as never),
        TypeError,
        `${s} options must be an object, received 1`,
      );
      const proc = await createSubprocessExec("cat", [], { stdin: PIPE, stdout: PIPE });
      throws(
        () => proc.sendSignal({} as never),
        TypeError,
        "sendSignal() signal must be a signal name or number, received an object",
      );
      throws(
        () => proc.sendSignal("SIGNOPE" as never),
        ValueError,
        'sendSignal() signal must be a signal name such as "SIGTERM", received "SIGNOPE"',
      );
      throws(
        () => proc.sendSignal(99),
        ValueError,
        "sendSignal() signal must be an integer >= 0 and <= 64, received 99",
      );
      await rejects(
        () => proc.communicate(5 as never),
        TypeError,
        "communicate() input must be a Uint8Array, a string or undefined, received 5",
      );
      const [out] = await proc.communicate("still fine");
      expect(String(out)).toBe("still fine");
    });
  });
});

describe("error classes reject bad arguments", () => {
  test("IncompleteReadError and LimitOverrunError", () => {
    throws(
      () => new IncompleteReadError("ab" as never, 2),
      TypeError,
      'IncompleteReadError partial must be a Uint8Array, received "ab"',
    );
    throws(
      () => new IncompleteReadError(new Uint8Array(), "2" as never),
      TypeError,
      'IncompleteReadError expected must be an integer >= 0, received "2"',
    );
    throws(
      () => new IncompleteReadError(new Uint8Array(), -1),
      RangeError,
      "IncompleteReadError expected must be an integer >= 0, received -1",
    );
    throws(
      () => new LimitOverrunError(1 as never, 2),
      TypeError,
      "LimitOverrunError message must be a string, received 1",
    );
    throws(
      () => new LimitOverrunError("m", null as never),
      TypeError,
      "LimitOverrunError consumed must be an integer >= 0, received null",
    );
  });
});

describe("createDatagramEndpoint() and DatagramTransport reject bad arguments", () => {
  test("createDatagramEndpoint()", async () => {
    await run(async () => {
      const w = "createDatagramEndpoint()";
      const local = { localAddr: ["127.0.0.1", 0] as [string, number] };
      await rejects(
        () => createDatagramEndpoint(null as never, local),
        TypeError,
        `${w} protocolFactory must be a function, received null`,
      );
      await rejects(
        () => createDatagramEndpoint(() => ({}), 5 as never),
        TypeError,
        `${w} options must be an object, received 5`,
      );
      await rejects(
        () => createDatagramEndpoint(() => ({}), { localAddr: [1, 0] as never }),
        TypeError,
        `${w} localAddr must be a [host, port] array, received an instance of Array`,
      );
      await rejects(
        () => createDatagramEndpoint(() => ({}), { localAddr: ["", 0] }),
        TypeError,
        `${w} localAddr[0] (host) must be a non-empty string, received ""`,
      );
      await rejects(
        () => createDatagramEndpoint(() => ({}), { localAddr: ["127.0.0.1", -1] }),
        RangeError,
        `${w} localAddr[1] (port) must be an integer >= 0 and <= 65535, received -1`,
      );
      await rejects(
        () => createDatagramEndpoint(() => ({}), { remoteAddr: ["127.0.0.1", 0] }),
        RangeError,
        `${w} remoteAddr[1] (port) must be an integer >= 1 and <= 65535, received 0`,
      );
      await rejects(
        () => createDatagramEndpoint(() => ({}), { family: "udp4" as never }),
        TypeError,
        `${w} family must be 4 or 6, received "udp4"`,
      );
      await rejects(
        () => createDatagramEndpoint(() => ({}), { family: 5 as never }),
        RangeError,
        `${w} family must be 4 or 6, received 5`,
      );
      await rejects(
        () => createDatagramEndpoint(() => ({}), { ...local, reuseAddress: "yes" as never }),
        TypeError,
        `${w} reuseAddress must be a boolean, received "yes"`,
      );
      await rejects(
        () => createDatagramEndpoint(() => ({}), { ...local, allowBroadcast: 1 as never }),
        TypeError,
        `${w} allowBroadcast must be a boolean, received 1`,
      );
      await rejects(
        () => createDatagramEndpoint(() => ({})),
        ValueError,
        `${w} needs localAddr, remoteAddr or family (unexpected address family)`,
      );
      await rejects(
        () => createDatagramEndpoint(() => ({}), { localAddr: ["::1", 0], family: 4 }),
        ValueError,
        `${w} localAddr, remoteAddr and family must share one address family, received IPv4 and IPv6`,
      );
      await rejects(
        () => createDatagramEndpoint(() => 5 as never, local),
        TypeError,
        `${w} protocolFactory must return a protocol object, received 5`,
      );
    });
  });

  test("DatagramTransport.getExtraInfo()", async () => {
    await run(async () => {
      const [transport] = await createDatagramEndpoint(() => ({}), { localAddr: ["127.0.0.1", 0] });
      throws(
        () => transport.getExtraInfo(null as never),
        TypeError,
        "getExtraInfo() name must be a string, received null",
      );
      transport.close();
    });
  });
});
