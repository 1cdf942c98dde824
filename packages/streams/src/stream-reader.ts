import {
  _checkInteger,
  _checkOptions,
  _getRunningLoop,
  describeValue,
  type EventLoop,
  type FutureLike,
  getRunningLoop,
  getRuntime,
  RuntimeError,
  ValueError,
} from "@aio/core";
import {
  IncompleteReadError,
  isIncompleteReadError,
  isLimitOverrunError,
  LimitOverrunError,
} from "./errors.js";
import { checkSize, toSeparator } from "./internal/check.js";
import { ChunkBuffer } from "./internal/chunk-buffer.js";
import { feedFromReadableStream } from "./internal/web-source.js";

/** asyncio's `_DEFAULT_LIMIT`: 64 KiB, the longest line `readline()` accepts by default. */
export const DEFAULT_LIMIT = 2 ** 16;

const NEWLINE = Buffer.from("\n");
const _rt = getRuntime();

/**
 * What a {@link StreamReader} needs from its data source for flow control
 * (asyncio's `ReadTransport.pause_reading`/`resume_reading`).
 *
 * @example
 * ```ts
 * import { StreamReader, type ReadTransport } from "@aio/streams";
 * const transport: ReadTransport = { pauseReading() {}, resumeReading() {} };
 * new StreamReader().setTransport(transport);
 * ```
 */
export interface ReadTransport {
  /** Stop delivering data until {@link ReadTransport.resumeReading}. */
  pauseReading(): void;
  /** Deliver data again. */
  resumeReading(): void;
}

/** A separator for {@link StreamReader.readuntil}: bytes, or a string encoded as UTF-8. */
export type Separator = Uint8Array | string;

/** Options of the {@link StreamReader} constructor. */
export interface StreamReaderOptions {
  /** Buffer limit in bytes (default 64 KiB): the longest line, and the flow-control threshold. */
  limit?: number;
  /** The loop the reader's waits belong to; default: the running loop, if any, else the one running at the first wait. */
  loop?: EventLoop;
}

/** @internal Validates a `limit` option (asyncio: a limit <= 0 is a ValueError). */
export function checkLimit(where: string, limit: unknown): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  _checkInteger(where, "limit", limit, { min: 1, rangeError: ValueError });
  return limit;
}

/**
 * The reading half of a stream connection (asyncio `StreamReader`): a byte
 * buffer filled by the transport, with `read`, `readline`, `readexactly` and
 * `readuntil` on top.
 *
 * Invariants: bytes leave the buffer only when a read returns them (or
 * `readline()` discards an over-limit line, as asyncio does); a read blocked
 * waiting for data holds exactly one waiter Future, and a cancelled read
 * leaves the buffer untouched. Flow control follows asyncio: when the buffer
 * grows past `2 × limit` the transport is paused, and it is resumed once the
 * buffer drains to `limit` or a read has to wait for more data.
 *
 * Difference from asyncio: after `setException()` (a connection error such
 * as `ECONNRESET`) the bytes already buffered are still returned; the error
 * is raised once a read cannot be satisfied from the buffer.
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { StreamReader } from "@aio/streams";
 * await run(async () => {
 *   const reader = new StreamReader();
 *   reader.feedData(Buffer.from("hello\nworld"));
 *   reader.feedEof();
 *   console.log(String(await reader.readline())); // "hello\n"
 *   console.log(String(await reader.read())); // "world"
 * });
 * ```
 */
export class StreamReader implements AsyncIterable<Buffer> {
  #limit: number;
  #loop: EventLoop | null;
  #buffer = new ChunkBuffer();
  #eof = false;
  #exception: unknown = undefined;
  #hasException = false;
  #waiter: FutureLike<void> | null = null;
  #transport: ReadTransport | null = null;
  #paused = false;
  /** While > 0 (a `read()` to EOF is collecting), the transport is not paused. */
  #unbounded = 0;

  /**
   * @param options - `limit` (default 64 KiB), `loop`.
   * @throws {TypeError} when `options` is not an object, `limit` not a number, or `loop` not an event loop.
   * @throws {ValueError} when `limit` is not an integer > 0.
   */
  constructor(options?: StreamReaderOptions) {
    const opts = _checkOptions("StreamReader", options);
    this.#limit = checkLimit("StreamReader", opts.limit);
    const loop = opts.loop as Partial<EventLoop> | undefined;
    if (
      loop !== undefined &&
      (typeof loop !== "object" || typeof loop?.createFuture !== "function")
    ) {
      throw new TypeError(
        `StreamReader loop must be an event loop, received ${describeValue(loop)}`,
      );
    }
    this.#loop = opts.loop ?? _getRunningLoop();
  }

  /**
   * The buffer limit in bytes.
   * @example
   * ```ts
   * import { StreamReader } from "@aio/streams";
   * console.log(new StreamReader({ limit: 1024 }).limit); // 1024
   * ```
   */
  get limit(): number {
    return this.#limit;
  }

  /**
   * Sets the transport the reader pauses and resumes for flow control
   * (asyncio `set_transport`). The connection functions do this for you.
   * @param transport - the transport.
   * @throws {TypeError} when `transport` lacks `pauseReading()` or `resumeReading()`.
   * @throws {RuntimeError} when a transport is already set.
   * @example
   * ```ts
   * import { StreamReader } from "@aio/streams";
   * new StreamReader().setTransport({ pauseReading() {}, resumeReading() {} });
   * ```
   */
  setTransport(transport: ReadTransport): void {
    const t = transport as Partial<ReadTransport> | null;
    if (
      typeof t !== "object" ||
      t === null ||
      typeof t.pauseReading !== "function" ||
      typeof t.resumeReading !== "function"
    ) {
      throw new TypeError(
        `setTransport() transport must be an object with pauseReading() and resumeReading(), received ${describeValue(transport)}`,
      );
    }
    if (this.#transport !== null) throw new RuntimeError("Transport already set");
    this.#transport = transport;
  }

  /** @internal Replaces the transport (`startTls()`); resumes it when the reader had paused the old one. */
  _replaceTransport(transport: ReadTransport | null): void {
    this.#transport = transport;
    if (this.#paused) {
      this.#paused = false;
      transport?.resumeReading();
    }
  }

  /**
   * The exception set by {@link StreamReader.setException}, or `undefined`.
   * @returns the exception.
   * @example
   * ```ts
   * import { StreamReader } from "@aio/streams";
   * console.log(new StreamReader().exception()); // undefined
   * ```
   */
  exception(): unknown {
    return this.#exception;
  }

  /**
   * Records a connection error: reads that cannot be satisfied from the
   * buffer throw it from now on, and a waiting read wakes up and throws it.
   * @param exc - the error.
   * @example
   * ```ts
   * import { StreamReader } from "@aio/streams";
   * new StreamReader().setException(new Error("connection reset"));
   * ```
   */
  setException(exc: unknown): void {
    this.#exception = exc;
    this.#hasException = true;
    this.#wakeup();
  }

  /**
   * Signals end of stream: no more data will be fed.
   * @example
   * ```ts
   * import { StreamReader } from "@aio/streams";
   * const r = new StreamReader();
   * r.feedEof();
   * console.log(r.atEof()); // true
   * ```
   */
  feedEof(): void {
    this.#eof = true;
    this.#wakeup();
  }

  /**
   * True when the buffer is empty and EOF was fed.
   * @returns whether nothing more can be read.
   * @example
   * ```ts
   * import { StreamReader } from "@aio/streams";
   * console.log(new StreamReader().atEof()); // false
   * ```
   */
  atEof(): boolean {
    return this.#eof && this.#buffer.size === 0;
  }

  /**
   * Appends bytes to the buffer (the transport calls this). The reader takes
   * ownership of the chunk: it is not copied, so do not modify it afterwards.
   * @param data - the bytes.
   * @throws {RuntimeError} after {@link StreamReader.feedEof}.
   * @throws {TypeError} when `data` is not a Uint8Array.
   * @example
   * ```ts
   * import { StreamReader } from "@aio/streams";
   * new StreamReader().feedData(Buffer.from("abc"));
   * ```
   */
  feedData(data: Uint8Array): void {
    if (this.#eof) throw new RuntimeError("feedData() after feedEof()");
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`feedData() data must be a Uint8Array, received ${describeValue(data)}`);
    }
    if (data.length === 0) return;
    this.#buffer.push(
      Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    );
    this.#wakeup();
    if (
      this.#transport !== null &&
      !this.#paused &&
      this.#unbounded === 0 &&
      this.#buffer.size > 2 * this.#limit
    ) {
      this.#paused = true;
      this.#transport.pauseReading();
    }
  }

  #wakeup(): void {
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      if (!waiter.done()) {
        try {
          waiter.setResult(undefined);
        } catch {
          // The waiter's loop is closed: nobody can be woken.
        }
      }
    }
  }

  /** asyncio `_maybe_resume_transport`. */
  #maybeResume(): void {
    if (this.#paused && this.#buffer.size <= this.#limit) {
      this.#paused = false;
      this.#transport?.resumeReading();
    }
  }

  /**
   * asyncio `_wait_for_data`, split so the callers `await` the waiter
   * themselves (one promise less per wait): one waiter at a time; a paused
   * transport is resumed first, else `readexactly(n > limit)` would deadlock.
   */
  #newWaiter(method: string): FutureLike<void> {
    if (this.#waiter !== null) {
      throw new RuntimeError(
        `${method}() called while another task is already waiting for incoming data`,
      );
    }
    if (this.#paused) {
      this.#paused = false;
      this.#transport?.resumeReading();
    }
    const waiter = (this.#loop ?? getRunningLoop()).createFuture<void>();
    this.#waiter = waiter;
    return waiter;
  }

  /** After a cancelled (or failed) wait: the buffer is untouched, only the waiter goes. */
  #dropWaiter(waiter: FutureLike<void>): void {
    if (this.#waiter === waiter) this.#waiter = null;
  }

  #throwIfFailed(): void {
    if (this.#hasException) throw this.#exception;
  }

  /**
   * Reads up to `n` bytes (asyncio `read`). With `n` omitted or negative,
   * reads until EOF. Returns an empty buffer at EOF. If the buffer has data,
   * returns at once without waiting.
   * @param n - the maximum number of bytes; default -1 (to EOF).
   * @returns the bytes read.
   * @throws {TypeError} when `n` is not a number.
   * @throws {ValueError} when `n` is not an integer.
   * @throws {CancelledError} when the task is cancelled while waiting (no byte is lost).
   * @throws the connection's error (e.g. `ECONNRESET`) once the buffer is exhausted.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [reader, writer] = await openConnection("127.0.0.1", 8888);
   * const chunk = await reader.read(1024);
   * ```
   */
  async read(n = -1): Promise<Buffer> {
    checkSize("read()", n, true);
    if (n === 0) {
      // asyncio raises a set exception even for n == 0; here once the buffer is empty.
      if (this.#buffer.size === 0) this.#throwIfFailed();
      return this.#buffer.take(0);
    }
    if (n < 0) {
      // Collect in the buffer until EOF; on an error the bytes stay buffered.
      this.#unbounded++;
      try {
        while (!this.#eof && !this.#hasException) {
          const waiter = this.#newWaiter("read");
          try {
            await waiter;
          } catch (err) {
            this.#dropWaiter(waiter);
            throw err;
          }
        }
      } finally {
        this.#unbounded--;
      }
      if (this.#hasException) throw this.#exception;
      const all = this.#buffer.takeAll();
      this.#maybeResume();
      return all;
    }
    if (this.#buffer.size === 0) {
      this.#throwIfFailed();
      if (!this.#eof) {
        const waiter = this.#newWaiter("read");
        try {
          await waiter;
        } catch (err) {
          this.#dropWaiter(waiter);
          throw err;
        }
      }
      if (this.#buffer.size === 0) this.#throwIfFailed();
    }
    const data = this.#buffer.take(n);
    this.#maybeResume();
    return data;
  }

  /**
   * Reads exactly `n` bytes (asyncio `readexactly`).
   * @param n - the number of bytes, >= 0.
   * @returns exactly `n` bytes.
   * @throws {IncompleteReadError} when EOF comes first; `partial` holds the bytes read.
   * @throws {ValueError} when `n` is negative or not an integer.
   * @throws {CancelledError} when cancelled while waiting (the buffer keeps every byte).
   * @throws the connection's error (e.g. `ECONNRESET`) when the buffer holds fewer than `n` bytes (for `n` = 0: when it is empty).
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [reader] = await openConnection("127.0.0.1", 8888);
   * const header = await reader.readexactly(4);
   * const body = await reader.readexactly(header.readUInt32BE(0));
   * ```
   */
  async readexactly(n: number): Promise<Buffer> {
    checkSize("readexactly()", n, false);
    if (n === 0) {
      if (this.#buffer.size === 0) this.#throwIfFailed();
      return this.#buffer.take(0);
    }
    while (this.#buffer.size < n) {
      this.#throwIfFailed();
      if (this.#eof) {
        const partial = this.#buffer.takeAll();
        this.#maybeResume();
        throw new IncompleteReadError(partial, n);
      }
      {
        const waiter = this.#newWaiter("readexactly");
        try {
          await waiter;
        } catch (err) {
          this.#dropWaiter(waiter);
          throw err;
        }
      }
    }
    const data = this.#buffer.take(n);
    this.#maybeResume();
    return data;
  }

  /**
   * Reads up to and including a separator (asyncio `readuntil`; several
   * separators as in 3.13 — the match that ends first wins, and on a tie the
   * shortest separator).
   * @param separator - bytes or a string (UTF-8), or an array of them; default `"\n"`.
   * @returns the bytes, ending with the separator.
   * @throws {IncompleteReadError} at EOF without a separator (`partial` holds the rest of the stream).
   * @throws {LimitOverrunError} when the separator is not within `limit` bytes; the buffer is left intact.
   * @throws {ValueError} when a separator is empty or the array is empty.
   * @throws {CancelledError} when cancelled while waiting (no byte is lost).
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [reader] = await openConnection("127.0.0.1", 8888);
   * const headers = await reader.readuntil("\r\n\r\n");
   * ```
   */
  async readuntil(separator: Separator | readonly Separator[] = NEWLINE): Promise<Buffer> {
    const seps = (
      Array.isArray(separator) ? separator.map(toSeparator) : [toSeparator(separator)]
    ).sort((a, b) => a.length - b.length);
    if (seps.length === 0) throw new ValueError("Separator should contain at least one element");
    const minSeplen = seps[0]!.length;
    const maxSeplen = seps[seps.length - 1]!.length;
    if (minSeplen === 0) throw new ValueError("Separator should be at least one-byte string");
    const buffer = this.#buffer;
    // `offset`: the number of bytes at the start of the buffer known to hold no separator.
    let offset = 0;
    let matchStart = -1;
    let matchEnd = -1;
    for (;;) {
      const buflen = buffer.size;
      if (buflen - offset >= minSeplen) {
        for (const sep of seps) {
          const i = buffer.indexOf(sep, offset);
          if (i !== -1) {
            const end = i + sep.length;
            if (matchEnd === -1 || end < matchEnd) {
              matchEnd = end;
              matchStart = i;
            }
          }
        }
        if (matchEnd !== -1) break;
        offset = Math.max(0, buflen + 1 - maxSeplen);
        if (offset > this.#limit) {
          throw new LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
        }
      }
      this.#throwIfFailed();
      if (this.#eof) {
        const partial = buffer.takeAll();
        this.#maybeResume();
        throw new IncompleteReadError(partial, null);
      }
      {
        const waiter = this.#newWaiter("readuntil");
        try {
          await waiter;
        } catch (err) {
          this.#dropWaiter(waiter);
          throw err;
        }
      }
    }
    if (matchStart > this.#limit) {
      throw new LimitOverrunError("Separator is found, but chunk is longer than limit", matchStart);
    }
    const chunk = buffer.take(matchEnd);
    this.#maybeResume();
    return chunk;
  }

  /**
   * Reads one line, up to and including `\n` (asyncio `readline`). At EOF
   * returns what is left (maybe without `\n`), then empty buffers.
   * @returns the line.
   * @throws {ValueError} when the line is longer than `limit`; as in asyncio
   *   the over-limit line is discarded (up to and including its `\n` when it
   *   was received, else the whole buffer) so the next read starts clean.
   * @throws {CancelledError} when cancelled while waiting (no byte is lost).
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [reader] = await openConnection("127.0.0.1", 8888);
   * const line = (await reader.readline()).toString("utf8");
   * ```
   */
  async readline(): Promise<Buffer> {
    try {
      return await this.readuntil(NEWLINE);
    } catch (err) {
      if (isIncompleteReadError(err)) return err.partial;
      if (isLimitOverrunError(err)) {
        const buffer = this.#buffer;
        if (buffer.matchesAt(err.consumed, NEWLINE)) buffer.take(err.consumed + NEWLINE.length);
        else buffer.clear();
        this.#maybeResume();
        throw new ValueError(err.message);
      }
      throw err;
    }
  }

  /**
   * Iterates over lines until EOF (asyncio `async for line in reader`).
   * @returns an async iterator of lines (each with its `\n`, except maybe the last).
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [reader] = await openConnection("127.0.0.1", 8888);
   * for await (const line of reader) console.log(line.toString().trimEnd());
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }

  /**
   * A Web `ReadableStream` of the reader's bytes, pulled on demand (so the
   * reader's flow control reaches the consumer). Feed it to `new Response()`,
   * `Readable.fromWeb()`, `pipeline`… Reading through the stream and the
   * reader at the same time interleaves the bytes unpredictably.
   * @returns the stream; it closes at EOF and errors with the connection's error.
   * @example
   * ```ts
   * import { openConnection } from "@aio/streams";
   * const [reader] = await openConnection("127.0.0.1", 8888);
   * const text = await new Response(reader.toReadableStream()).text();
   * ```
   */
  toReadableStream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = await this.read(this.#limit);
          if (chunk.length === 0) controller.close();
          else controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );
  }

  /**
   * A reader fed from a Web `ReadableStream` (or `Readable.toWeb(nodeStream)`),
   * with flow control: the stream is not pulled while the buffer is over
   * `2 × limit`.
   * @param stream - the byte stream.
   * @param options - `limit`, `loop`.
   * @returns the reader.
   * @throws {TypeError} when `stream` is not a ReadableStream.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { StreamReader } from "@aio/streams";
   * await run(async () => {
   *   const reader = StreamReader.fromReadableStream(new Response("a\nb\n").body!);
   *   for await (const line of reader) console.log(String(line).trim());
   * });
   * ```
   */
  static fromReadableStream(
    stream: ReadableStream<Uint8Array>,
    options?: StreamReaderOptions,
  ): StreamReader {
    if (!(stream instanceof ReadableStream)) {
      throw new TypeError(
        `fromReadableStream() stream must be a ReadableStream, received ${describeValue(stream)}`,
      );
    }
    // Made outside the class body: a class that names itself in its body is
    // renamed in the bundle (`class _StreamReader`), and its `name` with it.
    const reader = newReader(options);
    feedFromReadableStream(reader, stream);
    return reader;
  }

  /**
   * asyncio's repr: `<StreamReader 5 bytes eof limit=1024 waiter=… paused>`.
   * @returns the description.
   * @example
   * ```ts
   * import { StreamReader } from "@aio/streams";
   * console.log(String(new StreamReader())); // "<StreamReader>"
   * ```
   */
  toString(): string {
    const info = ["StreamReader"];
    if (this.#buffer.size !== 0) info.push(`${this.#buffer.size} bytes`);
    if (this.#eof) info.push("eof");
    if (this.#limit !== DEFAULT_LIMIT) info.push(`limit=${this.#limit}`);
    if (this.#waiter !== null) info.push(`waiter=${String(this.#waiter)}`);
    if (this.#hasException) {
      const e = this.#exception;
      info.push(`exception=${e instanceof Error ? `${e.name}('${e.message}')` : String(e)}`);
    }
    if (this.#transport !== null) info.push("transport");
    if (this.#paused) info.push("paused");
    return `<${info.join(" ")}>`;
  }

  /** @returns `"StreamReader"`. */
  get [Symbol.toStringTag](): string {
    return "StreamReader";
  }

  /** @returns the same as {@link StreamReader.toString}. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function newReader(options: StreamReaderOptions | undefined): StreamReader {
  return new StreamReader(options);
}
