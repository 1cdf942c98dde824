import * as net from "node:net";
import * as tls from "node:tls";
import { _checkOptions, _checkSignal, getRunningLoop, getRuntime, ValueError } from "@aio/core";
import {
  checkAddr,
  checkHost,
  checkOptionalString,
  checkPath,
  checkPort,
  checkTimeout,
} from "./internal/check.js";
import { readIntoBuffer, StreamProtocol, WRITE_HIGH_WATER_MARK } from "./internal/protocol.js";
import { clientIdentity, resolveSsl, type SslOption } from "./internal/ssl.js";
import { waitEvent } from "./internal/wait-event.js";
import { checkLimit, StreamReader } from "./stream-reader.js";
import { _makeWriter, SSL_HANDSHAKE_TIMEOUT, type StreamWriter } from "./stream-writer.js";

const rt = getRuntime();

/** Options of {@link openConnection} and {@link openUnixConnection}. */
export interface OpenConnectionOptions {
  /** The reader's buffer limit in bytes (default 64 KiB). */
  limit?: number;
  /**
   * TLS: `true` (verify the server against the default CAs), a
   * `tls.SecureContext`, or `tls.ConnectionOptions` (`ca`, `cert`, `key`,
   * `rejectUnauthorized`, …). Certificate verification is on unless the
   * options turn it off.
   */
  ssl?: SslOption;
  /** The name the server's certificate must match; default: `host`. Only with `ssl`. */
  serverHostname?: string;
  /** Milliseconds to wait for the TLS handshake (default 60 000). Only with `ssl`. */
  sslHandshakeTimeout?: number;
  /** Bind the local end to `[host, port]` before connecting (TCP only). */
  localAddr?: readonly [string, number];
  /** Cancels the connection attempt, like cancelling the task. */
  signal?: AbortSignal;
}

/** Checks the options shared by both connection functions. */
function checkConnectOptions(where: string, options: OpenConnectionOptions): void {
  if (options.ssl === undefined) {
    if (options.serverHostname !== undefined)
      throw new ValueError(`${where} serverHostname is only meaningful with ssl`);
    if (options.sslHandshakeTimeout !== undefined) {
      throw new ValueError(`${where} sslHandshakeTimeout is only meaningful with ssl`);
    }
  }
  checkOptionalString(where, "serverHostname", options.serverHostname);
  _checkSignal(where, "signal", options.signal);
}

async function connect(
  where: string,
  options: OpenConnectionOptions,
  kind: "tcp" | "unix",
  host: string | null,
  make: (
    ssl: { context: tls.SecureContext; options: tls.ConnectionOptions } | null,
    onread: net.OnReadOpts | undefined,
  ) => net.Socket,
  path: string | null,
): Promise<[StreamReader, StreamWriter]> {
  const limit = checkLimit(where, options.limit);
  checkConnectOptions(where, options);
  const timeout = checkTimeout(where, "sslHandshakeTimeout", options.sslHandshakeTimeout);
  const ssl = options.ssl === undefined ? null : resolveSsl(where, options.ssl, "client");
  const signal = options.signal;
  signal?.throwIfAborted();
  const loop = getRunningLoop();
  const reader = new StreamReader({ limit, loop });
  // Without TLS the socket reads into one reused buffer (`make` passes
  // `onread` to `net.connect`); nothing arrives before the protocol exists.
  let made: StreamProtocol | undefined;
  const onread = readIntoBuffer(() => made);
  const socket = rt.taskContext.exit(() => make(ssl, onread));
  const protocol = new StreamProtocol(loop, socket, reader, {
    kind,
    readable: true,
    writable: true,
  });
  made = protocol;
  protocol.path = path;
  if (ssl !== null) {
    protocol.tls = true;
    protocol.secureContext = ssl.context;
  }
  const onAbort = (): void => {
    socket.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await waitEvent(
      loop,
      socket,
      ssl !== null ? "secureConnect" : "connect",
      ssl !== null ? (timeout ?? SSL_HANDSHAKE_TIMEOUT) : null,
      `TLS handshake took longer than ${timeout ?? SSL_HANDSHAKE_TIMEOUT} ms`,
      () => socket.destroy(),
    );
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  return [reader, _makeWriter(protocol, host)];
}

/**
 * Opens a TCP connection (TLS with `ssl`) and returns its reader and writer
 * (asyncio `open_connection`). `TCP_NODELAY` is set, as asyncio does.
 *
 * Connection errors are Node's errors with their `code`: `ECONNREFUSED`,
 * `ENOTFOUND` (the host does not resolve), `ETIMEDOUT`, and for TLS the
 * verification codes (`DEPTH_ZERO_SELF_SIGNED_CERT`,
 * `ERR_TLS_CERT_ALTNAME_INVALID`, …).
 *
 * Bad arguments are rejections: the function never throws synchronously.
 *
 * @param host - the host name or address.
 * @param port - the port, 1–65535.
 * @param options - `limit`, `ssl`, `serverHostname`, `sslHandshakeTimeout`, `localAddr`, `signal`.
 * @returns `[reader, writer]`.
 * @throws {TypeError} when `host` is not a non-empty string, `port` not a number,
 *   `options` not an object, or an option of the wrong type (`ssl`, `localAddr`, `signal`, …).
 * @throws {RangeError} when `port` is out of range.
 * @throws {ValueError} when `limit` is not an integer > 0, `sslHandshakeTimeout` not > 0,
 *   or TLS options come without `ssl`.
 * @throws {CancelledError} when the task is cancelled while connecting (the socket is destroyed).
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { openConnection } from "@aio/streams";
 * await run(async () => {
 *   const [reader, writer] = await openConnection("example.com", 443, { ssl: true });
 *   writer.write("HEAD / HTTP/1.0\r\nHost: example.com\r\n\r\n");
 *   console.log(String(await reader.readline()));
 *   writer.close();
 *   await writer.waitClosed();
 * });
 * ```
 */
export async function openConnection(
  host: string,
  port: number,
  options?: OpenConnectionOptions,
): Promise<[StreamReader, StreamWriter]> {
  const where = "openConnection()";
  checkHost(where, host);
  checkPort(where, port, 1);
  const opts = _checkOptions(where, options);
  const local = checkAddr(where, "localAddr", opts.localAddr);
  return connect(
    where,
    opts,
    "tcp",
    host,
    (ssl, onread) => {
      // `writableHighWaterMark` reaches the socket's Duplex options (not in @types/node).
      const base: net.TcpNetConnectOpts & { writableHighWaterMark: number } = {
        host,
        port,
        noDelay: true,
        writableHighWaterMark: WRITE_HIGH_WATER_MARK,
        allowHalfOpen: ssl === null,
        ...(local !== undefined ? { localAddress: local[0], localPort: local[1] } : {}),
      };
      if (ssl === null) return net.connect(onread === undefined ? base : { ...base, onread });
      return tls.connect({
        ...base,
        ...ssl.options,
        secureContext: ssl.context,
        ...clientIdentity(opts.serverHostname ?? host, ssl.options),
      });
    },
    null,
  );
}

/**
 * Opens a Unix domain socket connection (asyncio `open_unix_connection`).
 *
 * Bad arguments are rejections: the function never throws synchronously.
 *
 * @param path - the socket path.
 * @param options - `limit`, `ssl`, `serverHostname`, `sslHandshakeTimeout`, `signal`.
 * @returns `[reader, writer]`.
 * @throws {TypeError} when `path` is not a non-empty string, or an option has the wrong type.
 * @throws {ValueError} when `path` is longer than a Unix socket address holds
 *   (107 bytes on Linux, 103 on macOS), `limit` is not an integer > 0, or `localAddr` is given.
 * @throws the Node error (`ENOENT`, `ECONNREFUSED`) when nobody listens.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { openUnixConnection } from "@aio/streams";
 * await run(async () => {
 *   const [reader, writer] = await openUnixConnection("/tmp/app.sock");
 *   writer.write("ping\n");
 *   console.log(String(await reader.readline()));
 *   writer.close();
 * });
 * ```
 */
export async function openUnixConnection(
  path: string,
  options?: OpenConnectionOptions,
): Promise<[StreamReader, StreamWriter]> {
  const where = "openUnixConnection()";
  checkPath(where, path);
  const opts = _checkOptions(where, options);
  if (opts.localAddr !== undefined)
    throw new ValueError(`${where} localAddr is only meaningful for TCP`);
  return connect(
    where,
    opts,
    "unix",
    opts.serverHostname ?? null,
    (ssl, onread) => {
      if (ssl === null) {
        const opts = {
          path,
          allowHalfOpen: true,
          writableHighWaterMark: WRITE_HIGH_WATER_MARK,
          ...(onread === undefined ? {} : { onread }),
        };
        return net.connect(opts as net.IpcNetConnectOpts & { onread: net.OnReadOpts });
      }
      return tls.connect({
        path,
        ...ssl.options,
        secureContext: ssl.context,
        ...clientIdentity(opts.serverHostname, ssl.options),
      });
    },
    path,
  );
}
