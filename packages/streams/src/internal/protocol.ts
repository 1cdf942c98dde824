import type { OnReadOpts, Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import type { SecureContext, TLSSocket } from "node:tls";
import type { EventLoop, FutureLike } from "@aio/core";
import type { StreamReader } from "../stream-reader.js";

/**
 * The write buffer size (bytes) above which `drain()` blocks. Node counts a
 * chunk as buffered until the kernel took it, so with its default (16 KiB)
 * every 64 KiB write would block in `drain()` even when the socket accepted
 * it at once; asyncio measures after trying to send and uses 64 KiB. 256 KiB
 * keeps back-to-back 64 KiB writes flowing while memory per connection stays
 * bounded.
 */
export const WRITE_HIGH_WATER_MARK = 256 * 1024;

/**
 * Size of the buffers a client socket without TLS reads into (Node's
 * `onread` option; `docs/design/streams-read-path.md`). 64 KiB is what Node
 * reads at a time on its default path, so a read never takes two calls where
 * it took one.
 */
export const READ_BUFFER_SIZE = 64 * 1024;

/**
 * The smallest read handed to the reader as it lies in the read buffer
 * (16 KiB, a quarter of {@link READ_BUFFER_SIZE}); the socket then reads
 * into a new buffer. A smaller read is copied out and the buffer reused, so
 * a read never keeps more than 4× its own size alive.
 */
export const HAND_OFF_MIN = READ_BUFFER_SIZE / 4;

/**
 * Node's `onread` option for a socket whose protocol is made later: the
 * callback hands what arrived to `target()`'s {@link StreamProtocol.onRead}.
 * `buffer` is a function, which Node calls after every read for the buffer
 * of the next one: the same buffer again when the read was copied out, a new
 * one when the reader kept it. `undefined` on Deno 2: there an `onread`
 * socket keeps handing its bytes to the callback after `startTls()` wraps
 * it in a `TLSSocket`, so the handshake never sees the peer's reply and
 * never completes; such sockets read through `'data'` instead.
 */
export function readIntoBuffer(target: () => StreamProtocol | undefined): OnReadOpts | undefined {
  if ((globalThis as { Deno?: unknown }).Deno !== undefined) return undefined;
  let next = Buffer.allocUnsafe(READ_BUFFER_SIZE);
  return {
    buffer: () => next,
    callback: (nread, buffer) => {
      if (target()?.onRead(buffer as Buffer, nread) === true) {
        next = Buffer.allocUnsafe(READ_BUFFER_SIZE);
      }
      return true; // (false would pause the socket; the reader pauses it itself)
    },
  };
}

/** The error `drain()` raises when the connection was lost without one (asyncio `ConnectionResetError('Connection lost')`). */
export function connectionLost(): Error {
  return Object.assign(new Error("Connection lost"), { code: "ECONNRESET" });
}

/** What kind of stream a protocol drives; decides the extra info it reports. */
export type StreamKind = "tcp" | "unix" | "pipe";

/**
 * The glue between one Node stream and a StreamReader/StreamWriter pair
 * (asyncio `StreamReaderProtocol` plus `FlowControlMixin`): feeds the reader
 * from `'data'`/`'end'`, records the connection's error, and wakes drain and
 * close waiters.
 *
 * Invariant: once `lost` is set (the stream emitted `'close'`) every drain
 * waiter has been woken and no new one is created; close waiters settle with
 * `lostError` when there was one.
 */
const untracked = (): void => {};

export class StreamProtocol {
  readonly loop: EventLoop;
  stream: Readable | Writable;
  readonly reader: StreamReader | null;
  readonly kind: StreamKind;
  readonly serverSide: boolean;
  /** The Unix socket path, for extra info. */
  path: string | null = null;
  secureContext: SecureContext | null = null;
  tls = false;
  lost = false;
  lostError: unknown = undefined;
  hasLostError = false;
  closing = false;
  eofWritten = false;
  readonly drainWaiters = new Set<FutureLike<void>>();
  readonly closeWaiters = new Set<FutureLike<void>>();
  readonly #readable: boolean;
  readonly #writable: boolean;
  #closeHook: (() => void) | null = null;
  /**
   * A TCP connection's `[peername, sockname]`, read once it is made (see
   * {@link StreamProtocol.rememberNames}): Node forgets them when the socket
   * closes, asyncio's transport keeps them for its lifetime.
   */
  #names: [unknown, unknown] | null = null;
  /** A TLS connection's `[peercert, cipher]`, read once its handshake is done, for the same reason. */
  #tlsInfo: [unknown, unknown] | null = null;
  /** Tells debug mode the connection is closed or lost (see `_makeWriter`). */
  untrack: () => void = untracked;

  constructor(
    loop: EventLoop,
    stream: Readable | Writable,
    reader: StreamReader | null,
    options: { kind: StreamKind; serverSide?: boolean; readable: boolean; writable: boolean },
  ) {
    this.loop = loop;
    this.stream = stream;
    this.reader = reader;
    this.kind = options.kind;
    this.serverSide = options.serverSide === true;
    this.#readable = options.readable && reader !== null;
    this.#writable = options.writable;
    this.attach(stream);
  }

  /** Called once when the stream closes (the server's connection accounting). */
  onClose(hook: () => void): void {
    this.#closeHook = hook;
  }

  #onData = (chunk: Buffer): void => {
    const reader = this.reader!;
    if (reader.atEof() || this.closing) return;
    reader.feedData(chunk);
  };

  /**
   * An `onread` socket (see {@link readIntoBuffer}) read `n` bytes into
   * `buffer`. A read of at least {@link HAND_OFF_MIN} bytes goes to the
   * reader as it lies (true: the buffer is the reader's now, read the next
   * one into a new buffer); a smaller one is copied out (false: reuse the
   * buffer). Flow control is the same as on the `'data'` path (`pause()`
   * stops the reads; `'end'` still comes as an event).
   */
  onRead(buffer: Buffer, n: number): boolean {
    const reader = this.reader;
    if (reader === null || reader.atEof() || this.closing) return false;
    if (n >= HAND_OFF_MIN) {
      reader.feedData(buffer.subarray(0, n));
      return true;
    }
    const chunk = Buffer.allocUnsafe(n);
    buffer.copy(chunk, 0, 0, n);
    reader.feedData(chunk);
    return false;
  }

  #onEnd = (): void => {
    this.reader?.feedEof();
  };

  #onError = (err: unknown): void => {
    if (!this.hasLostError) {
      this.hasLostError = true;
      this.lostError = err;
    }
    if (this.reader !== null && this.#readable) this.reader.setException(err);
    this.#wakeDrainWaiters();
  };

  #onDrain = (): void => {
    this.#wakeDrainWaiters();
  };

  #onClose = (): void => {
    this.lost = true;
    this.untrack();
    const reader = this.reader;
    if (reader !== null && this.#readable && !this.hasLostError && !reader.atEof()) {
      try {
        reader.feedEof();
      } catch {
        // already at EOF
      }
    }
    this.#wakeDrainWaiters();
    for (const w of this.closeWaiters) {
      if (w.done()) continue;
      try {
        if (this.hasLostError) w.setException(this.lostError);
        else w.setResult(undefined);
      } catch {
        // the waiter's loop is closed
      }
    }
    this.closeWaiters.clear();
    const hook = this.#closeHook;
    this.#closeHook = null;
    hook?.();
  };

  #wakeDrainWaiters(): void {
    for (const w of this.drainWaiters) {
      if (!w.done()) {
        try {
          w.setResult(undefined);
        } catch {
          // the waiter's loop is closed
        }
      }
    }
    this.drainWaiters.clear();
  }

  /**
   * Starts listening to `stream`'s events. `closed`: the stream already
   * emitted 'close' (a TLS handshake the peer gave up on): it will not emit
   * it again, so the connection is taken as closed now.
   */
  attach(stream: Readable | Writable, closed = false): void {
    this.stream = stream;
    stream.on("error", this.#onError);
    stream.on("close", this.#onClose);
    if (this.#writable) stream.on("drain", this.#onDrain);
    if (this.#readable) {
      const readable = stream as Readable;
      readable.on("end", this.#onEnd);
      readable.on("data", this.#onData);
      this.reader!._replaceTransport({
        pauseReading: () => readable.pause(),
        resumeReading: () => readable.resume(),
      });
    }
    if (closed) this.#onClose();
  }

  /** Stops listening (before `startTls()` wraps the socket). */
  detach(): void {
    const stream = this.stream;
    stream.off("error", this.#onError);
    stream.off("close", this.#onClose);
    stream.off("drain", this.#onDrain);
    stream.off("end", this.#onEnd);
    stream.off("data", this.#onData);
    if (this.#readable) (stream as Readable).pause();
  }

  /** True when the writable side can buffer no more before draining. */
  needsDrain(): boolean {
    return (this.stream as Writable).writableNeedDrain === true;
  }

  /**
   * Reads a TCP connection's `peername` and `sockname`, and a TLS
   * connection's `peercert` and `cipher`, now, while the socket is open, so
   * `getExtraInfo()` still answers after it closed (asyncio fills its
   * transport's extra info in when the connection is made and when its TLS
   * handshake completes).
   */
  rememberNames(): void {
    if (this.kind === "tcp") this.#names = [this.#address("remote"), this.#address("local")];
    if (this.tls) this.#tlsInfo = [this.#peerCert(), (this.stream as TLSSocket).getCipher()];
  }

  /** The peer's certificate, or undefined when it sent none (a client without one). */
  #peerCert(): unknown {
    const cert = (this.stream as TLSSocket).getPeerCertificate();
    return cert === null || Object.keys(cert).length === 0 ? undefined : cert;
  }

  /** `[host, port]` of one end of a TCP socket, or undefined when Node does not know it (closed). */
  #address(end: "remote" | "local"): unknown {
    const s = this.stream as Socket;
    const host = end === "remote" ? s.remoteAddress : s.localAddress;
    return host === undefined ? undefined : [host, end === "remote" ? s.remotePort : s.localPort];
  }

  /** asyncio `get_extra_info`. */
  extraInfo(name: string): unknown {
    const stream = this.stream;
    switch (name) {
      case "socket":
        return this.kind === "pipe" ? undefined : stream;
      case "peername":
      case "sockname": {
        const peer = name === "peername";
        // A Unix socket's path names the server's end: the client's peer, the server's own.
        if (this.kind === "unix") return peer !== this.serverSide ? (this.path ?? "") : "";
        if (this.kind !== "tcp") return undefined;
        const known = this.#names?.[peer ? 0 : 1] as unknown[] | undefined;
        return known === undefined ? this.#address(peer ? "remote" : "local") : [...known];
      }
      case "peercert":
      case "cipher": {
        if (!this.tls) return undefined;
        const i = name === "peercert" ? 0 : 1;
        if (this.#tlsInfo !== null) return this.#tlsInfo[i];
        return i === 0 ? this.#peerCert() : (stream as TLSSocket).getCipher();
      }
      case "sslcontext":
        return this.tls ? (this.secureContext ?? undefined) : undefined;
      case "ssl_object": // asyncio's key
      case "sslobject":
        return this.tls ? stream : undefined;
      case "pipe":
        return this.kind === "pipe" ? stream : undefined;
      default:
        return undefined;
    }
  }
}
