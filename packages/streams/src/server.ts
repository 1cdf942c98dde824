import { lstatSync, unlinkSync } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
import {
  _checkFunction,
  _checkInteger,
  _checkOptions,
  _resourceOpened,
  describeValue,
  type EventLoop,
  type FutureLike,
  getRunningLoop,
  getRuntime,
  isCancelledError,
  isFailed,
  RuntimeError,
  ValueError,
} from "@aio/core";
import { checkBoolean, checkPath, checkPort, checkTimeout } from "./internal/check.js";
import { StreamProtocol, WRITE_HIGH_WATER_MARK } from "./internal/protocol.js";
import { resolveSsl } from "./internal/ssl.js";
import { closeUnixServer, inodeOf } from "./internal/unix-socket-file.js";
import { waitEvent } from "./internal/wait-event.js";
import { ServerSocket } from "./server-socket.js";
import { checkLimit, StreamReader } from "./stream-reader.js";
import { _makeWriter, SSL_HANDSHAKE_TIMEOUT, type StreamWriter } from "./stream-writer.js";

const rt = getRuntime();

/** The function a server runs, in a new task, for each accepted connection. */
export type ClientConnectedCallback = (reader: StreamReader, writer: StreamWriter) => unknown;

/** Options of {@link startServer} and {@link startUnixServer}. */
export interface StartServerOptions {
  /** The readers' buffer limit in bytes (default 64 KiB). */
  limit?: number;
  /** TLS: a `tls.SecureContext` or `tls.TlsOptions` with `key` and `cert`. */
  ssl?: tls.SecureContext | tls.TlsOptions;
  /** Milliseconds a client gets to finish the TLS handshake (default 60 000). */
  sslHandshakeTimeout?: number;
  /** The listen backlog (default: Node's 511). */
  backlog?: number;
  /** Start accepting at once (default true); with false, call `startServing()` or `serveForever()`. */
  startServing?: boolean;
  /** Several processes may bind the same port (Linux `SO_REUSEPORT`; TCP only, Node ≥ 22.12). */
  reusePort?: boolean;
  /**
   * Set `SO_KEEPALIVE` on every accepted connection (asyncio 3.13
   * `keep_alive`), so the kernel probes idle peers and a vanished one ends
   * the connection with an error instead of leaving it open forever. TCP only.
   */
  keepAlive?: boolean;
}

interface Listen {
  kind: "tcp" | "unix";
  targets: (net.ListenOptions & { host?: string })[];
  path: string | null;
}

/** `Server` itself, for its static methods (set in its static block, see there). */
let ServerClass: typeof Server;

/**
 * A listening server (asyncio `Server`, 3.13 surface): each accepted
 * connection runs the callback in its own task with a fresh reader/writer
 * pair. An exception escaping the callback is reported through the loop's
 * exception handler (`"Unhandled exception in client_connected_cb"`) and that
 * connection is closed; the server keeps serving.
 *
 * Invariant: `waitClosed()` resolves once `close()` was called, every
 * listening socket has closed, and every accepted connection has closed
 * (asyncio 3.12).
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { startServer } from "@aio/streams";
 * await run(async () => {
 *   await using server = await startServer(async (reader, writer) => {
 *     writer.write(await reader.readline());
 *     writer.close();
 *   }, "127.0.0.1", 0);
 *   console.log(server.sockets[0]!.getsockname());
 * });
 * ```
 */
export class Server implements AsyncDisposable {
  static {
    // biome-ignore lint/complexity/noThisInStatic: a class that names itself in its body is renamed in the bundle (`class _Server`), and its `name` with it.
    ServerClass = this;
  }

  readonly #loop: EventLoop;
  readonly #cb: ClientConnectedCallback;
  readonly #limit: number;
  readonly #kind: "tcp" | "unix";
  readonly #path: string | null;
  readonly #tls: tls.SecureContext | null;
  #servers: net.Server[] = [];
  #openServers = 0;
  #serving = false;
  #closed = false;
  #clients = new Map<StreamProtocol, StreamWriter>();
  #pending: net.Socket[] = [];
  /** TLS connections still in their handshake (closed with the server). */
  #handshaking = new Set<net.Socket>();
  #waiters: Set<FutureLike<void>> | null = new Set();
  #servingForever: FutureLike<void> | null = null;
  /** The inode of a Unix server's socket file, once bound (see `closeUnixServer`). */
  #inode: number | null = null;
  /** Tells debug mode the server was closed (see `_resourceOpened` of \@aio/core). */
  #untrack: () => void = () => {};

  private constructor(
    loop: EventLoop,
    cb: ClientConnectedCallback,
    limit: number,
    kind: "tcp" | "unix",
    path: string | null,
    ctx: tls.SecureContext | null,
  ) {
    this.#loop = loop;
    this.#cb = cb;
    this.#limit = limit;
    this.#kind = kind;
    this.#path = path;
    this.#tls = ctx;
  }

  /** @internal Binds every target and returns the server. */
  static async _create(
    where: string,
    cb: ClientConnectedCallback,
    listen: Listen,
    options: StartServerOptions,
  ): Promise<Server> {
    const limit = checkLimit(where, options.limit);
    const hsTimeout = checkTimeout(where, "sslHandshakeTimeout", options.sslHandshakeTimeout);
    if (options.backlog !== undefined) _checkInteger(where, "backlog", options.backlog);
    checkBoolean(where, "startServing", options.startServing);
    checkBoolean(where, "reusePort", options.reusePort);
    const keepAlive = checkBoolean(where, "keepAlive", options.keepAlive) === true;
    if (keepAlive && listen.kind !== "tcp") {
      throw new ValueError(`${where} keepAlive is only meaningful for TCP`);
    }
    if (hsTimeout !== undefined && options.ssl === undefined) {
      throw new ValueError(`${where} sslHandshakeTimeout is only meaningful with ssl`);
    }
    const ssl = options.ssl === undefined ? null : resolveSsl(where, options.ssl, "server");
    const loop = getRunningLoop();
    const server = new ServerClass(loop, cb, limit, listen.kind, listen.path, ssl?.context ?? null);
    try {
      for (const target of listen.targets) {
        const srv = rt.taskContext.exit(() =>
          // No half-close on TLS (as asyncio): a peer's EOF closes the connection.
          net.createServer({
            allowHalfOpen: ssl === null,
            noDelay: true,
            // SO_KEEPALIVE on each accepted socket, set by Node before 'connection'.
            keepAlive,
            highWaterMark: WRITE_HIGH_WATER_MARK,
          } as net.ServerOpts),
        );
        server.#servers.push(srv);
        server.#openServers++;
        if (ssl === null) srv.on("connection", (socket: net.Socket) => server.#accept(socket));
        else {
          const ms = hsTimeout ?? SSL_HANDSHAKE_TIMEOUT;
          srv.on("connection", (socket: net.Socket) => server.#handshake(socket, ssl.options, ms));
        }
        srv.once("close", () => {
          server.#openServers--;
          server.#maybeWakeup();
        });
        const listenOpts: net.ListenOptions = { ...target };
        if (options.backlog !== undefined) listenOpts.backlog = options.backlog;
        if (options.reusePort === true) (listenOpts as { reusePort?: boolean }).reusePort = true;
        srv.listen(listenOpts);
        await waitEvent(loop, srv, "listening", null, "", () => {});
        srv.on("error", (err) => {
          loop.callExceptionHandler({ message: `Server ${server} error`, exception: err });
        });
      }
    } catch (err) {
      server.close();
      throw err;
    }
    // asyncio 3.13 (cleanup_socket): close() removes the socket file only while it is still this one.
    if (listen.path !== null) server.#inode = inodeOf(listen.path);
    if (options.startServing !== false) server.#serving = true;
    // Debug mode reports a server still open when its loop closes, and closes it.
    server.#untrack = _resourceOpened(server, "Server", () => server.close());
    return server;
  }

  /**
   * TLS: wraps an accepted socket and hands it to `#accept` once the
   * handshake is done; a failed or slow handshake just drops the socket.
   */
  #handshake(raw: net.Socket, options: tls.TlsOptions, timeoutMs: number): void {
    if (this.#closed) {
      raw.destroy();
      return;
    }
    const socket = new tls.TLSSocket(raw, {
      ...options,
      secureContext: this.#tls!,
      isServer: true,
    });
    this.#handshaking.add(raw);
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    timer.unref();
    const onError = (): void => {
      clearTimeout(timer);
      socket.destroy();
      raw.destroy();
    };
    // The raw socket must close too, or the listening server never finishes closing.
    socket.once("close", () => {
      this.#handshaking.delete(raw);
      raw.destroy();
    });
    socket.once("error", onError);
    socket.once("end", onError);
    socket.once("secure", () => {
      clearTimeout(timer);
      socket.off("error", onError);
      socket.off("end", onError);
      this.#handshaking.delete(raw);
      this.#accept(socket);
    });
  }

  #accept(socket: net.Socket): void {
    if (this.#closed || this.#loop.isClosed()) {
      socket.destroy();
      return;
    }
    if (!this.#serving) {
      socket.pause();
      socket.on("error", () => {});
      this.#pending.push(socket);
      return;
    }
    const loop = this.#loop;
    const reader = new StreamReader({ limit: this.#limit, loop });
    const protocol = new StreamProtocol(loop, socket, reader, {
      kind: this.#kind,
      serverSide: true,
      readable: true,
      writable: true,
    });
    protocol.path = this.#path;
    if (this.#tls !== null) {
      protocol.tls = true;
      protocol.secureContext = this.#tls;
    }
    const writer = _makeWriter(protocol);
    this.#clients.set(protocol, writer);
    protocol.onClose(() => {
      this.#clients.delete(protocol);
      this.#maybeWakeup();
    });
    if (protocol.lost) return;
    const cb = this.#cb;
    const task = loop.createTask(() => cb(reader, writer));
    task.addDoneCallback((t) => {
      // isFailed(): a callback that threw `undefined` failed too.
      if (isFailed(t)) {
        const exc = t.exception();
        // asyncio StreamReaderProtocol: report, then close this connection only.
        loop.callExceptionHandler({
          message: "Unhandled exception in client_connected_cb",
          exception: exc,
          transport: socket,
          task: t,
        });
        writer.close();
      }
    });
  }

  #maybeWakeup(): void {
    if (!this.#closed || this.#clients.size !== 0 || this.#openServers !== 0) return;
    const waiters = this.#waiters;
    if (waiters === null) return;
    this.#waiters = null;
    for (const w of waiters) {
      if (!w.done()) {
        try {
          w.setResult(undefined);
        } catch {
          // the waiter's loop is closed
        }
      }
    }
  }

  /**
   * The listening sockets (empty once closed).
   * @example
   * ```ts
   * import { startServer } from "@aio/streams";
   * const server = await startServer(() => {}, "127.0.0.1", 0);
   * console.log(server.sockets.length); // 1
   * ```
   */
  get sockets(): ServerSocket[] {
    if (this.#closed) return [];
    return this.#servers.map((s) => new ServerSocket(s));
  }

  /**
   * The loop the server belongs to.
   * @returns the loop.
   */
  getLoop(): EventLoop {
    return this.#loop;
  }

  /**
   * True while the server accepts connections.
   * @returns whether it is serving.
   * @example
   * ```ts
   * import { startServer } from "@aio/streams";
   * const server = await startServer(() => {}, "127.0.0.1", 0, { startServing: false });
   * console.log(server.isServing()); // false
   * ```
   */
  isServing(): boolean {
    return this.#serving;
  }

  /**
   * Starts accepting connections (for `startServing: false`); connections
   * that arrived meanwhile are handed to the callback now. Idempotent.
   * @returns when serving.
   * @throws {RuntimeError} when the server is closed.
   * @example
   * ```ts
   * import { startServer } from "@aio/streams";
   * const server = await startServer(() => {}, "127.0.0.1", 0, { startServing: false });
   * await server.startServing();
   * ```
   */
  async startServing(): Promise<void> {
    if (this.#closed) throw new RuntimeError(`server ${this} is closed`);
    if (this.#serving) return;
    this.#serving = true;
    const pending = this.#pending;
    this.#pending = [];
    for (const socket of pending) {
      socket.removeAllListeners("error");
      this.#accept(socket);
      socket.resume();
    }
  }

  /**
   * Serves until cancelled (asyncio `serve_forever`): on cancellation the
   * server is closed and waited for, then the `CancelledError` propagates.
   * @returns never resolves normally.
   * @throws {RuntimeError} when already awaited on `serveForever()` or closed.
   * @throws {CancelledError} when cancelled, or when `close()` is called.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { startServer } from "@aio/streams";
   * await run(async () => {
   *   const server = await startServer(async (r, w) => { w.write(await r.read(100)); w.close(); }, "127.0.0.1", 8888);
   *   await server.serveForever();
   * });
   * ```
   */
  async serveForever(): Promise<void> {
    if (this.#servingForever !== null) {
      throw new RuntimeError(`server ${this} is already being awaited on serveForever()`);
    }
    if (this.#closed) throw new RuntimeError(`server ${this} is closed`);
    await this.startServing();
    const fut = this.#loop.createFuture<void>();
    this.#servingForever = fut;
    try {
      await fut;
    } catch (err) {
      if (isCancelledError(err)) {
        this.close();
        await this.waitClosed();
      }
      throw err;
    } finally {
      this.#servingForever = null;
    }
  }

  /**
   * Stops listening (asyncio `close`): no new connections are accepted;
   * connections already accepted stay open (see `closeClients()`). Idempotent.
   * @example
   * ```ts
   * import { startServer } from "@aio/streams";
   * const server = await startServer(() => {}, "127.0.0.1", 0);
   * server.close();
   * await server.waitClosed();
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#untrack();
    this.#serving = false;
    // Each server emits 'close' once (also one that never listened).
    const closeAll = () => {
      for (const s of this.#servers) s.close();
    };
    if (this.#path === null) closeAll();
    else closeUnixServer(this.#path, this.#inode, closeAll);
    for (const socket of this.#pending) socket.destroy();
    this.#pending = [];
    for (const socket of this.#handshaking) socket.destroy();
    this.#handshaking.clear();
    const fut = this.#servingForever;
    if (fut !== null && !fut.done()) fut.cancel();
    this.#maybeWakeup();
  }

  /**
   * Closes every accepted connection (asyncio 3.13 `close_clients`):
   * buffered data is flushed first.
   * @example
   * ```ts
   * import { startServer } from "@aio/streams";
   * const server = await startServer(() => {}, "127.0.0.1", 0);
   * server.close();
   * server.closeClients();
   * await server.waitClosed();
   * ```
   */
  closeClients(): void {
    for (const writer of [...this.#clients.values()]) writer.close();
  }

  /**
   * Drops every accepted connection at once (asyncio 3.13 `abort_clients`).
   * @example
   * ```ts
   * import { startServer } from "@aio/streams";
   * const server = await startServer(() => {}, "127.0.0.1", 0);
   * server.close();
   * server.abortClients();
   * ```
   */
  abortClients(): void {
    for (const writer of [...this.#clients.values()]) writer.abort();
  }

  /**
   * Waits until the server is closed and every connection it accepted has
   * closed (asyncio 3.12 `wait_closed`).
   * @returns when fully closed.
   * @throws {CancelledError} when the task is cancelled while waiting.
   * @example
   * ```ts
   * import { startServer } from "@aio/streams";
   * const server = await startServer(() => {}, "127.0.0.1", 0);
   * server.close();
   * await server.waitClosed();
   * ```
   */
  async waitClosed(): Promise<void> {
    const waiters = this.#waiters;
    if (waiters === null) return;
    const waiter = this.#loop.createFuture<void>();
    waiters.add(waiter);
    try {
      await waiter;
    } finally {
      waiters.delete(waiter);
    }
  }

  /**
   * `await using server = …`: closes, closes the clients, and waits.
   * @returns when closed.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    this.closeClients();
    await this.waitClosed();
  }

  /**
   * `<Server sockets=[127.0.0.1:5000]>` (asyncio's repr shape).
   * @returns the description.
   */
  toString(): string {
    const socks = this.sockets.map((s) => {
      const n = s.getsockname();
      return typeof n === "string" ? n : `${n[0]}:${n[1]}`;
    });
    return `<Server sockets=[${socks.join(", ")}]${this.#serving ? " serving" : ""}${this.#closed ? " closed" : ""}>`;
  }

  /** @returns `"Server"`. */
  get [Symbol.toStringTag](): string {
    return "Server";
  }

  /** @returns the same as {@link Server.toString}. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/**
 * Starts a TCP server (TLS with `ssl`) that runs `clientConnected(reader,
 * writer)` in a new task for each connection (asyncio `start_server`).
 *
 * Bad arguments are rejections: the function never throws synchronously.
 *
 * @param clientConnected - called with each connection's reader and writer; may be async.
 * @param host - the address to bind, an array of them (one listening socket each), or `null` for every interface.
 * @param port - the port, 0–65535 (0: any free port — read it from `server.sockets[0].getsockname()`).
 * @param options - `limit`, `ssl`, `sslHandshakeTimeout`, `backlog`, `startServing`, `reusePort`, `keepAlive`.
 * @returns the listening {@link Server}.
 * @throws {TypeError} when `clientConnected` is not a function, `host` not a string, an array of them or null,
 *   `port` not a number, `options` not an object, an option of the wrong type, or `ssl` without a certificate.
 * @throws {RangeError} when `port` or `backlog` is out of range.
 * @throws {ValueError} when `limit` is not an integer > 0, `sslHandshakeTimeout` not > 0 or given without `ssl`.
 * @throws the Node error when binding fails (code `EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`).
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { startServer } from "@aio/streams";
 * await run(async () => {
 *   const server = await startServer(async (reader, writer) => {
 *     for await (const line of reader) writer.write(line);
 *     writer.close();
 *   }, "127.0.0.1", 8888);
 *   await server.serveForever();
 * });
 * ```
 */
export async function startServer(
  clientConnected: ClientConnectedCallback,
  host: string | readonly string[] | null = null,
  port: number | null = null,
  options?: StartServerOptions,
): Promise<Server> {
  const where = "startServer()";
  _checkFunction(where, "clientConnected", clientConnected);
  const p = port === null ? 0 : checkPort(where, port, 0);
  const hosts =
    host === null
      ? [null]
      : typeof host === "string"
        ? [host]
        : Array.isArray(host)
          ? [...host]
          : null;
  if (
    hosts === null ||
    hosts.length === 0 ||
    hosts.some((h) => h !== null && (typeof h !== "string" || h === ""))
  ) {
    throw new TypeError(
      `startServer() host must be a string, an array of strings or null, received ${describeValue(host)}`,
    );
  }
  const targets = hosts.map((h) => (h === null ? { port: p } : { host: h, port: p }));
  return Server._create(
    where,
    clientConnected,
    { kind: "tcp", targets, path: null },
    _checkOptions(where, options),
  );
}

/**
 * Starts a Unix domain socket server (asyncio `start_unix_server`). A stale
 * socket file at `path` is removed first, as asyncio does; `close()` removes
 * the file while it is still this server's, so a server that replaced it
 * meanwhile keeps its socket (asyncio 3.13's `cleanup_socket`).
 *
 * Bad arguments are rejections: the function never throws synchronously.
 *
 * @param clientConnected - called with each connection's reader and writer.
 * @param path - the socket path.
 * @param options - `limit`, `ssl`, `sslHandshakeTimeout`, `backlog`, `startServing`.
 * @returns the listening {@link Server}.
 * @throws {TypeError} when `clientConnected` is not a function, `path` not a non-empty string, or an option has the wrong type.
 * @throws {ValueError} when `path` is longer than a Unix socket address holds (107 bytes on Linux, 103 on macOS),
 *   or `keepAlive` is given (TCP only).
 * @throws the Node error when binding fails (`EADDRINUSE` when a live server owns the path).
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { startUnixServer } from "@aio/streams";
 * await run(async () => {
 *   await using server = await startUnixServer(async (r, w) => { w.write(await r.readline()); w.close(); }, "/tmp/app.sock");
 * });
 * ```
 */
export async function startUnixServer(
  clientConnected: ClientConnectedCallback,
  path: string,
  options?: StartServerOptions,
): Promise<Server> {
  const where = "startUnixServer()";
  _checkFunction(where, "clientConnected", clientConnected);
  checkPath(where, path);
  const opts = _checkOptions(where, options);
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // nothing there
  }
  return Server._create(where, clientConnected, { kind: "unix", targets: [{ path }], path }, opts);
}
