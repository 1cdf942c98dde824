import type { Socket } from "node:net";
import { type Duplex, Writable } from "node:stream";
import * as tls from "node:tls";
import {
  _checkOptions,
  _resourceOpened,
  describeValue,
  getRunningLoop,
  getRuntime,
  RuntimeError,
  ValueError,
} from "@aio/core";
import { checkOptionalString, checkTimeout } from "./internal/check.js";
import { connectionLost, StreamProtocol } from "./internal/protocol.js";
import { clientIdentity, resolveSsl, type SslOption } from "./internal/ssl.js";
import { handshake, SSL_HANDSHAKE_TIMEOUT } from "./internal/tls-handshake.js";
import type { StreamReader } from "./stream-reader.js";

const rt = getRuntime();

export { SSL_HANDSHAKE_TIMEOUT };

/** Options of {@link StreamWriter.startTls}. */
export interface StartTlsOptions {
  /** The name to verify the server's certificate against (client side); default: the host connected to. */
  serverHostname?: string;
  /** Milliseconds to wait for the handshake (default 60 000). */
  sslHandshakeTimeout?: number;
}

function toBuffer(method: string, data: unknown): Uint8Array | string {
  if (data instanceof Uint8Array || typeof data === "string") return data;
  throw new TypeError(
    `${method} data must be a Uint8Array or a string, received ${describeValue(data)}`,
  );
}

let makeWriter: (protocol: StreamProtocol, host: string | null) => StreamWriter;

/** @internal Wraps a protocol in a writer (the connection functions use it). */
export function _makeWriter(protocol: StreamProtocol, host: string | null = null): StreamWriter {
  const writer = makeWriter(protocol, host);
  // A connection (not a pipe) is a resource: debug mode reports one still
  // open when its loop closes — neither closed nor lost — and closes it.
  if (protocol.kind !== "pipe" && !protocol.lost) {
    protocol.untrack = _resourceOpened(writer, "StreamWriter", () => writer.close());
    protocol.rememberNames();
  }
  return writer;
}

/**
 * The writing half of a stream connection (asyncio `StreamWriter`). Writes
 * are buffered by the transport; `await writer.drain()` applies backpressure.
 *
 * Invariant: after `close()` or `writeEof()` nothing more can be written
 * (`write()` throws `RuntimeError`); after the connection is lost (`'close'`
 * from the transport) writes are discarded as in asyncio and `drain()`
 * raises the connection's error, so `write(); await drain()` loops notice.
 *
 * `transport` is the Node stream underneath (`net.Socket`, `tls.TLSSocket`,
 * or a child's stdin `Writable`).
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { openConnection } from "@aio/streams";
 * await run(async () => {
 *   const [reader, writer] = await openConnection("127.0.0.1", 8888);
 *   writer.write("ping\n");
 *   await writer.drain();
 *   console.log(String(await reader.readline()));
 *   writer.close();
 *   await writer.waitClosed();
 * });
 * ```
 */
export class StreamWriter implements AsyncDisposable {
  #p: StreamProtocol;
  #host: string | null;

  private constructor(protocol: StreamProtocol, host: string | null) {
    this.#p = protocol;
    this.#host = host;
  }

  static {
    // `this`, not the class's name: a class that names itself in its body is
    // renamed in the bundle (`class _StreamWriter`), and its `name` with it.
    makeWriter = (protocol, host) => new this(protocol, host);
  }

  /**
   * The Node stream underneath: a `net.Socket`, a `tls.TLSSocket` (after
   * `startTls()`, the new one), or a `Writable`.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [, writer] = await openConnection("127.0.0.1", 8888);
   * (writer.transport as import("node:net").Socket).setNoDelay(true);
   * ```
   */
  get transport(): Writable | Duplex {
    return this.#p.stream as Writable;
  }

  /**
   * The reader of the same connection, or null.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [reader, writer] = await openConnection("127.0.0.1", 8888);
   * console.log(writer.reader === reader); // true
   * ```
   */
  get reader(): StreamReader | null {
    return this.#p.reader;
  }

  #checkWritable(method: string): void {
    if (this.#p.closing) throw new RuntimeError(`Cannot call ${method} after close()`);
    if (this.#p.eofWritten) throw new RuntimeError(`Cannot call ${method} after writeEof()`);
  }

  /**
   * Writes bytes (a string is encoded as UTF-8). Never blocks; follow with
   * `await writer.drain()` to respect backpressure. After the connection is
   * lost the bytes are discarded and `drain()` reports the error (asyncio).
   * @param data - the bytes.
   * @throws {TypeError} when `data` is neither a Uint8Array nor a string.
   * @throws {RuntimeError} after `close()` or `writeEof()`.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [, writer] = await openConnection("127.0.0.1", 8888);
   * writer.write(new Uint8Array([1, 2, 3]));
   * await writer.drain();
   * ```
   */
  write(data: Uint8Array | string): void {
    const chunk = toBuffer("write()", data);
    this.#checkWritable("write()");
    if (this.#p.lost || chunk.length === 0 || (this.#p.stream as Writable).destroyed) return;
    (this.#p.stream as Writable).write(chunk);
  }

  /**
   * Writes several chunks (asyncio `writelines`).
   * @param data - an iterable of chunks.
   * @throws {TypeError} when `data` is not iterable, or a chunk is neither a Uint8Array nor a string.
   * @throws {RuntimeError} after `close()` or `writeEof()`.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [, writer] = await openConnection("127.0.0.1", 8888);
   * writer.writelines(["a\n", "b\n"]);
   * ```
   */
  writelines(data: Iterable<Uint8Array | string>): void {
    if (typeof (data as Partial<Iterable<unknown>> | null)?.[Symbol.iterator] !== "function") {
      throw new TypeError(
        `writelines() data must be an iterable of Uint8Arrays or strings, received ${describeValue(data)}`,
      );
    }
    const chunks = Array.from(data, (d) => toBuffer("writelines()", d));
    this.#checkWritable("writelines()");
    const stream = this.#p.stream as Writable;
    if (this.#p.lost || stream.destroyed) return;
    const many = chunks.length > 1 && typeof stream.cork === "function";
    if (many) stream.cork();
    for (const c of chunks) if (c.length !== 0) stream.write(c);
    if (many) stream.uncork();
  }

  /**
   * Waits until the transport's write buffer is below its high-water mark
   * (asyncio `drain`). Returns at once when it already is.
   * @returns when it is appropriate to write again.
   * @throws the connection's error (e.g. `ECONNRESET`, `EPIPE`) when it was lost,
   *   or an `Error("Connection lost")` with code `ECONNRESET` when it closed — also right after
   *   `close()` with nothing buffered, once the transport has closed (as asyncio) — except after
   *   `writeEof()` and the peer's EOF (both halves shut down in order), where it returns, as asyncio.
   * @throws {CancelledError} when the task is cancelled while waiting; the
   *   writer stays usable.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [, writer] = await openConnection("127.0.0.1", 8888);
   * for (let i = 0; i < 1000; i++) { writer.write(Buffer.alloc(65536)); await writer.drain(); }
   * ```
   */
  async drain(): Promise<void> {
    const p = this.#p;
    const reader = p.reader;
    if (reader !== null) {
      const exc = reader.exception();
      if (exc !== undefined) throw exc;
    }
    if (this.#gone()) return;
    if (!p.needsDrain()) {
      // asyncio: a transport closed with nothing buffered loses its
      // connection on the next loop iteration, and drain() (which yields
      // once when closing) raises. Node closes once its shutdown completes:
      // wait for that, then raise as on a closed writer.
      if (!this.#closing() || (p.stream as Writable).writableLength !== 0) return;
      await this.waitClosed();
      this.#gone();
      return;
    }
    const waiter = p.loop.createFuture<void>();
    p.drainWaiters.add(waiter);
    try {
      await waiter;
    } finally {
      // A cancelled drain() removes its waiter (asyncio FlowControlMixin._drain_helper).
      p.drainWaiters.delete(waiter);
    }
    if (p.hasLostError) throw p.lostError;
    this.#gone();
  }

  /**
   * asyncio `_drain_helper`'s `if self._connection_lost: raise …`: throws
   * when the transport is gone (its error, else `Connection lost`); false
   * while it is open. A destroyed stream counts as gone before its
   * `'close'` event arrives: Node destroys a child's stdin when the child
   * exits, and that event can come after `wait()` resolved. True (nothing
   * to wait for) after an orderly shutdown of both halves of a socket, our
   * `writeEof()` then the peer's EOF: Node closes such a socket, asyncio
   * keeps the transport open and `drain()` returns.
   */
  #gone(): boolean {
    const p = this.#p;
    const stream = p.stream as Writable;
    if (!p.lost && !stream.destroyed) return false;
    if (p.hasLostError) throw p.lostError;
    const errored = stream.errored;
    if (errored !== null && errored !== undefined) throw errored;
    if (p.kind !== "pipe" && p.eofWritten && !p.closing) return true;
    throw connectionLost();
  }

  /**
   * True when `writeEof()` is supported: plain TCP, Unix sockets and pipes;
   * not TLS (as in asyncio).
   * @returns whether half-closing is supported.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [, writer] = await openConnection("127.0.0.1", 8888);
   * console.log(writer.canWriteEof()); // true
   * ```
   */
  canWriteEof(): boolean {
    return !this.#p.tls;
  }

  /**
   * Half-closes: sends EOF after the buffered data; the reading side stays open.
   * @throws {RuntimeError} on TLS connections, and after `close()`.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [reader, writer] = await openConnection("127.0.0.1", 8888);
   * writer.write("request");
   * writer.writeEof();
   * const response = await reader.read();
   * ```
   */
  writeEof(): void {
    if (this.#p.tls) throw new RuntimeError("writeEof() is not supported on TLS connections");
    if (this.#p.closing) throw new RuntimeError("Cannot call writeEof() after close()");
    if (this.#p.eofWritten) return;
    this.#p.eofWritten = true;
    if (!this.#p.lost) (this.#p.stream as Writable).end();
  }

  /**
   * Closes the connection: buffered data is flushed, then the transport is
   * closed (not half-closed). Idempotent. Use {@link StreamWriter.waitClosed}
   * to wait for it.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [, writer] = await openConnection("127.0.0.1", 8888);
   * writer.close();
   * await writer.waitClosed();
   * ```
   */
  close(): void {
    const p = this.#p;
    if (p.closing) return;
    p.closing = true;
    p.untrack();
    const stream = p.stream as Writable & { destroySoon?: () => void };
    if (p.lost || stream.destroyed) return;
    if (p.kind === "pipe") {
      if (!stream.writableEnded) stream.end();
      return;
    }
    if (stream.writableFinished) {
      stream.destroy();
      return;
    }
    stream.once("finish", () => stream.destroy());
    if (!stream.writableEnded) stream.end();
  }

  /**
   * Drops the connection at once, discarding buffered data (asyncio `transport.abort()`).
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [, writer] = await openConnection("127.0.0.1", 8888);
   * writer.abort();
   * ```
   */
  abort(): void {
    const p = this.#p;
    p.closing = true;
    p.untrack();
    const stream = p.stream as Writable & { resetAndDestroy?: () => void };
    if (stream.destroyed) return;
    // A reset (RST) exists for a plain TCP handle only: Node throws
    // ERR_INVALID_HANDLE_TYPE for a TLS or a Unix socket and leaves it open,
    // so those are destroyed (closed at once, buffered data dropped).
    if (p.kind === "tcp" && !p.tls && typeof stream.resetAndDestroy === "function") {
      try {
        stream.resetAndDestroy();
        return;
      } catch {
        // not a TCP handle after all (e.g. still connecting): destroy below
      }
    }
    stream.destroy();
  }

  /**
   * asyncio's transport `_closing`: `close()` or `abort()` was called — or,
   * on a pipe, `writeEof()`, which closes a pipe (asyncio's pipe transport).
   */
  #closing(): boolean {
    const p = this.#p;
    return p.closing || (p.kind === "pipe" && p.eofWritten);
  }

  /**
   * True once `close()` was called or the connection was lost; for a pipe
   * (a child's stdin) also after `writeEof()`, which closes it, as asyncio's
   * pipe transport.
   * @returns whether the writer is closing or closed.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [, writer] = await openConnection("127.0.0.1", 8888);
   * writer.close();
   * console.log(writer.isClosing()); // true
   * ```
   */
  isClosing(): boolean {
    return this.#closing() || this.#p.lost;
  }

  /**
   * Waits until the connection is closed (asyncio `wait_closed`).
   * @returns when the transport has closed.
   * @throws the connection's error when it was lost with one (as asyncio).
   * @throws {CancelledError} when the task is cancelled while waiting.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [, writer] = await openConnection("127.0.0.1", 8888);
   * writer.close();
   * await writer.waitClosed();
   * ```
   */
  async waitClosed(): Promise<void> {
    const p = this.#p;
    if (p.lost) {
      if (p.hasLostError) throw p.lostError;
      return;
    }
    const waiter = p.loop.createFuture<void>();
    p.closeWaiters.add(waiter);
    try {
      await waiter;
    } finally {
      p.closeWaiters.delete(waiter);
    }
  }

  /**
   * Transport information (asyncio `get_extra_info`): `'peername'` and
   * `'sockname'` (`[host, port]`, or a path for Unix sockets), `'socket'`
   * (the Node socket), `'peercert'` (the peer's certificate, TLS),
   * `'cipher'`, `'sslcontext'` (the `tls.SecureContext`), `'ssl_object'`
   * (asyncio's key; also `'sslobject'`: the TLSSocket), `'pipe'` (subprocess pipes). The addresses, the
   * certificate and the cipher still answer after the connection closed,
   * as asyncio's (read when it was made and when its handshake completed).
   * @param name - the key.
   * @param defaultValue - returned when the key is unknown or not available.
   * @returns the value.
   * @throws {TypeError} when `name` is not a string.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [, writer] = await openConnection("127.0.0.1", 8888);
   * const [host, port] = writer.getExtraInfo("peername") as [string, number];
   * ```
   */
  getExtraInfo<T = unknown>(name: string, defaultValue?: T): T | undefined {
    if (typeof name !== "string") {
      throw new TypeError(`getExtraInfo() name must be a string, received ${describeValue(name)}`);
    }
    const value = this.#p.extraInfo(name);
    return value === undefined ? defaultValue : (value as T);
  }

  /**
   * Upgrades the connection to TLS (asyncio `start_tls`): waits for pending
   * writes, then runs the handshake on the same socket — as the client for a
   * connection made with `openConnection`, as the server for a connection a
   * `Server` accepted. The reader and writer keep working, now encrypted.
   * @param ssl - client: `true` or `tls.ConnectionOptions`/`SecureContext`; server: `tls.TlsOptions` (key, cert)/`SecureContext`.
   * @param options - `serverHostname`, `sslHandshakeTimeout` (ms).
   * @returns when the handshake is done.
   * @throws {TypeError} when `ssl` is not a valid TLS configuration (a server needs a certificate),
   *   or `options` or an option has the wrong type.
   * @throws {ValueError} when `sslHandshakeTimeout` is not > 0, or `serverHostname` is given on the server side.
   * @throws {RuntimeError} when already TLS, or closing.
   * @throws {TimeoutError} when the handshake takes longer than `sslHandshakeTimeout`.
   * @throws the handshake's error (e.g. code `DEPTH_ZERO_SELF_SIGNED_CERT`); the connection is then closed.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [reader, writer] = await openConnection("mail.example.com", 587);
   * writer.write("STARTTLS\r\n");
   * await reader.readline();
   * await writer.startTls(true);
   * ```
   */
  async startTls(ssl: SslOption, options?: StartTlsOptions): Promise<void> {
    const where = "startTls()";
    const opts = _checkOptions(where, options);
    const serverHostname = checkOptionalString(where, "serverHostname", opts.serverHostname);
    const timeout = checkTimeout(where, "sslHandshakeTimeout", opts.sslHandshakeTimeout);
    const p = this.#p;
    if (serverHostname !== undefined && p.serverSide) {
      throw new ValueError(`${where} serverHostname is only meaningful on the client side`);
    }
    const { context, options: sslOptions } = resolveSsl(
      where,
      ssl,
      p.serverSide ? "server" : "client",
    );
    if (p.tls) throw new RuntimeError("startTls(): the connection already uses TLS");
    if (p.kind === "pipe") throw new RuntimeError("startTls() needs a socket connection");
    if (p.closing || p.lost) throw new RuntimeError("startTls(): the writer is closing");
    await this.drain();
    const raw = p.stream as Socket;
    p.detach();
    const servername = serverHostname ?? this.#host ?? undefined;
    const socket: tls.TLSSocket = rt.taskContext.exit(() =>
      p.serverSide
        ? new tls.TLSSocket(raw, { ...sslOptions, secureContext: context, isServer: true })
        : tls.connect({
            ...sslOptions,
            secureContext: context,
            socket: raw,
            ...clientIdentity(servername, sslOptions),
          }),
    );
    // TLS has no half-close: the peer's EOF closes the connection, as it does
    // for a connection made with `ssl` (asyncio's SSLProtocol shuts down on
    // eof_received). The wrapped TCP socket was half-open.
    socket.allowHalfOpen = false;
    p.tls = true;
    p.secureContext = context;
    await handshake(p, socket, p.serverSide ? "secure" : "secureConnect", timeout);
  }

  /**
   * A Web `WritableStream` writing through this writer, with backpressure
   * (each write awaits `drain()`). Closing the stream half-closes the
   * connection (`writeEof()`, so its reader keeps working); on TLS, where
   * there is no half-close, it closes the writer. Aborting it aborts the transport.
   * @returns the stream.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [, writer] = await openConnection("127.0.0.1", 8888);
   * await new Response("hello").body!.pipeTo(writer.toWritableStream());
   * ```
   */
  toWritableStream(): WritableStream<Uint8Array> {
    return new WritableStream<Uint8Array>({
      write: async (chunk) => {
        this.write(chunk);
        await this.drain();
      },
      close: async () => {
        // Closing the Web stream ends the writing side only (half-close), so
        // the reader of the same connection keeps working; TLS has no
        // half-close, so there the connection closes, and a pipe's
        // writeEof() closes the pipe.
        if (this.canWriteEof()) this.writeEof();
        else this.close();
        if (this.#closing()) await this.waitClosed();
        else await this.drain();
      },
      abort: () => {
        this.abort();
      },
    });
  }

  /**
   * A writer over a Web `WritableStream` (or any Node `Writable` via
   * `Writable.toWeb`); `drain()` follows the stream's backpressure.
   * @param stream - the destination.
   * @returns the writer.
   * @throws {TypeError} when `stream` is not a WritableStream.
   * @throws {RuntimeError} `no running event loop` outside a loop.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { StreamWriter } from "@aio/streams";
   * await run(async () => {
   *   const chunks: Uint8Array[] = [];
   *   const writer = StreamWriter.fromWritableStream(new WritableStream({ write: (c) => { chunks.push(c); } }));
   *   writer.write("hi");
   *   writer.close();
   *   await writer.waitClosed();
   * });
   * ```
   */
  static fromWritableStream(stream: WritableStream<Uint8Array>): StreamWriter {
    if (!(stream instanceof WritableStream)) {
      throw new TypeError(
        `fromWritableStream() stream must be a WritableStream, received ${describeValue(stream)}`,
      );
    }
    return fromWritable(Writable.fromWeb(stream as never));
  }

  /**
   * `await using writer = …` closes the writer and waits for it (errors of a lost connection are ignored).
   * @returns when closed.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    try {
      await this.waitClosed();
    } catch {
      // the connection's error was already reported to reads and drain()
    }
  }

  /**
   * asyncio's repr shape: `<StreamWriter transport=<Socket 127.0.0.1:5000> reader=<StreamReader>>`.
   * @returns the description.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [, writer] = await openConnection("127.0.0.1", 8888);
   * console.log(String(writer));
   * ```
   */
  toString(): string {
    const p = this.#p;
    const info = ["StreamWriter"];
    const peer = p.extraInfo("peername");
    const name = p.tls ? "TLSSocket" : p.kind === "pipe" ? "Pipe" : "Socket";
    const state = p.lost ? " closed" : p.closing ? " closing" : "";
    info.push(
      `transport=<${name}${Array.isArray(peer) ? ` ${peer[0]}:${peer[1]}` : typeof peer === "string" && peer ? ` ${peer}` : ""}${state}>`,
    );
    if (p.reader !== null) info.push(`reader=${p.reader.toString()}`);
    return `<${info.join(" ")}>`;
  }

  /** @returns `"StreamWriter"`. */
  get [Symbol.toStringTag](): string {
    return "StreamWriter";
  }

  /** @returns the same as {@link StreamWriter.toString}. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** @internal A writer over a Node Writable (subprocess stdin, Web adapters). */
export function fromWritable(stream: Writable): StreamWriter {
  const protocol = new StreamProtocol(getRunningLoop(), stream, null, {
    kind: "pipe",
    readable: false,
    writable: true,
  });
  return _makeWriter(protocol);
}
