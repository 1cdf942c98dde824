import { randomUUID } from "node:crypto";
import {
  _checkInteger,
  _checkMs,
  _checkOptions,
  _getRunningLoop,
  describeValue,
  type EventLoop,
  type Executor,
  type FutureLike,
  isRuntimeError,
  RuntimeError,
} from "@aio/core";
import { _ConcurrentFuture, BrokenExecutorError } from "@aio/executors";
import { type JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { BullMQExecutorOptions, BullMQFuture } from "./executor-options.js";
import { decodeFailure, decodeValue, encodeArgs } from "./internal/codec.js";
import { createClient, resolveConnection } from "./internal/connection.js";
import {
  compareEventIds,
  type Entry,
  fnRef,
  MAX_BATCH,
  READ_COUNT,
  SENDING,
  SENT,
  SHUTDOWN_MESSAGE,
  UNSENT,
} from "./internal/entry.js";
import { mapFutures } from "./internal/map.js";
import {
  CANCELLED_REASON,
  cancelChannel,
  DEFAULT_PREFIX,
  type FnRef,
  JOB_NAME,
  type JobData,
  STALLED_REASON,
  WIRE_VERSION,
} from "./internal/protocol.js";

/**
 * An `Executor` whose jobs run on worker processes anywhere that can reach
 * one Redis: `submit`, `map`, `shutdown` and `await using` as on the local
 * pools, so `loop.runInExecutor(executor, fn, ...args)`, `gather`, `waitFor`
 * and `timeout` work unchanged (Dask's `Client` as a `concurrent.futures`
 * executor is the model). Jobs are BullMQ jobs; the workers are
 * {@link runWorker} or the `aio-bullmq-worker` CLI.
 *
 * Functions travel as `moduleFunction(url, exportName)` (from
 * `@aio/executors`): the worker imports the module, if it is under one of its
 * `--allow` paths. Arguments and results are structured clones (`node:v8`),
 * so a Date, Map, Set, BigInt, typed array or Error keeps its type.
 *
 * Delivery is at least once: a job whose worker dies runs again on another
 * worker (after `maxStalledCount` stalls its future fails with
 * `BrokenExecutorError`), so jobs should be idempotent.
 *
 * Invariant: `#entries` holds every job whose future is not done, keyed by
 * job id; `#cancelled` holds the jobs whose future was cancelled after they
 * were sent and that may still be in Redis, until they are removed.
 *
 * @example
 * ```ts
 * import { BullMQExecutor } from "@aio/bullmq";
 * import { moduleFunction } from "@aio/executors";
 * await using executor = new BullMQExecutor({ queue: "work", connection: "redis://127.0.0.1:6379" });
 * const resize = moduleFunction(new URL("./jobs.js", import.meta.url), "resize");
 * console.log(await executor.submit(resize, "cat.png", 64));
 * ```
 */
export class BullMQExecutor implements Executor {
  readonly #queueName: string;
  readonly #prefix: string;
  readonly #display: string;
  readonly #jobOptions: JobsOptions;
  readonly #allowSource: boolean;
  readonly #lostTimeoutMs: number;
  readonly #sweepMs: number;
  readonly #client: Redis;
  readonly #reader: Redis;
  readonly #queue: Queue;
  readonly #eventsKey: string;
  readonly #entries = new Map<string, Entry>();
  readonly #cancelled = new Set<string>();
  #outbox: Entry[] = [];
  #flushQueued = false;
  #lastEventId: string | null = null;
  #shutdown = false;
  #closed = false;
  #closing: Promise<void> | null = null;
  /** The last connection error while Redis is unreachable; null while connected. */
  #down: Error | null = null;
  #lostTimer: ReturnType<typeof setTimeout> | null = null;
  #sweepTimer: ReturnType<typeof setInterval> | null = null;
  #everReady = false;
  #idleWaiters: (() => void)[] = [];
  #inflightOps = 0;
  /** The read-back of jobs whose events may be lost (see `#readBack`). */
  #readingBack: "idle" | "running" | "again" = "idle";
  /** Counts suspected event losses; an add confirmed after one reads its jobs back. */
  #lossEpoch = 0;

  /**
   * Connects to Redis (in the background) and prepares the queue.
   *
   * @param options - see {@link BullMQExecutorOptions}.
   * @throws {TypeError} when an option has the wrong type.
   * @throws {RangeError} when a number is out of range.
   * @example
   * ```ts
   * import { BullMQExecutor } from "@aio/bullmq";
   * const executor = new BullMQExecutor({ queue: "work", connection: { host: "127.0.0.1", port: 6379 } });
   * await executor.shutdown();
   * ```
   */
  constructor(options: BullMQExecutorOptions) {
    const where = "BullMQExecutor()";
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `${where} options must be an object with queue and connection, received ${describeValue(options)}`,
      );
    }
    if (typeof options.queue !== "string" || options.queue.length === 0) {
      throw new TypeError(
        `${where} queue must be a non-empty string, received ${describeValue(options.queue)}`,
      );
    }
    const resolved = resolveConnection(where, options.connection);
    const prefix = options.prefix ?? DEFAULT_PREFIX;
    if (typeof prefix !== "string" || prefix.length === 0) {
      throw new TypeError(
        `${where} prefix must be a non-empty string, received ${describeValue(prefix)}`,
      );
    }
    const jobOptions = _checkOptions(`${where} jobOptions`, options.jobOptions);
    if (jobOptions.attempts !== undefined) {
      _checkInteger(where, "jobOptions.attempts", jobOptions.attempts, { min: 1 });
    }
    if (options.allowSource !== undefined && typeof options.allowSource !== "boolean") {
      throw new TypeError(
        `${where} allowSource must be a boolean, received ${describeValue(options.allowSource)}`,
      );
    }
    const lost = options.connectionLostTimeoutMs ?? 30_000;
    _checkMs(where, "connectionLostTimeoutMs", lost, { min: 0 });
    const sweep = options.sweepIntervalMs ?? 5_000;
    _checkMs(where, "sweepIntervalMs", sweep, { min: 1, infinite: false });
    this.#queueName = options.queue;
    this.#prefix = prefix;
    this.#display = resolved.display;
    this.#allowSource = options.allowSource ?? false;
    this.#lostTimeoutMs = lost;
    this.#sweepMs = sweep;
    this.#jobOptions = {
      attempts: 1,
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 86_400 },
      ...jobOptions,
    };
    this.#client = createClient(resolved, false);
    this.#reader = createClient(resolved, true);
    this.#client.on("error", (err: Error) => this.#onConnectionError(err));
    this.#reader.on("error", () => {}); // reported through #client
    this.#client.on("ready", () => this.#onReady());
    this.#client.on("close", () => this.#onClose());
    this.#queue = new Queue(this.#queueName, { connection: this.#client, prefix });
    this.#queue.on("error", () => {}); // connection errors: see #onConnectionError
    this.#eventsKey = `${prefix}:${this.#queueName}:events`;
    void this.#startReader();
  }

  /**
   * Sends `fn(...args)` to a worker as a BullMQ job and returns a future of
   * its result (`Executor.submit`). Inside a running loop the future is a
   * Future of that loop; outside one it is a loop-less future with the same
   * methods. Either way it carries `jobId`.
   *
   * Arguments are checked before anything is sent: one that cannot be
   * cloned throws here. When Redis is unreachable the future fails at once
   * with `BrokenExecutorError`. Cancelling the future removes a job that is
   * still waiting (it never runs) and aborts the signal of a running one.
   *
   * @param fn - a `moduleFunction()` (or, with `allowSource` on both sides, a self-contained function).
   * @param args - the arguments (structured-cloned).
   * @returns a future of the result, with its `jobId`.
   * @throws {RuntimeError} `cannot schedule new futures after shutdown`.
   * @throws {TypeError} when `fn` is not a `moduleFunction()` (without
   *   `allowSource`) or an argument cannot be cloned.
   * @example
   * ```ts
   * import { BullMQExecutor } from "@aio/bullmq";
   * import { moduleFunction } from "@aio/executors";
   * await using executor = new BullMQExecutor({ queue: "work", connection: "redis://127.0.0.1:6379" });
   * const add = moduleFunction<(a: number, b: number) => number>(new URL("./jobs.js", import.meta.url), "add");
   * const future = executor.submit(add, 1, 2);
   * console.log(future.jobId, await future);
   * ```
   */
  submit<A extends unknown[], R>(
    fn: (...args: A) => R | PromiseLike<R>,
    ...args: A
  ): BullMQFuture<Awaited<R>> {
    if (this.#shutdown) throw new RuntimeError(SHUTDOWN_MESSAGE);
    const ref = fnRef(this.#allowSource, "submit()", fn);
    const encoded = encodeArgs("submit()", args);
    return this.#enqueue(ref, encoded) as BullMQFuture<Awaited<R>>;
  }

  /**
   * Runs `fn(item)` for every item on the workers and yields the results in
   * input order (`Executor.map`). Without `buffersize` every item is
   * submitted at once; with it, at most `buffersize` jobs are submitted
   * ahead of the results consumed (the iterable is read lazily, Python
   * 3.14). A job's exception is thrown when its result is reached; leaving
   * the loop early cancels the jobs not yet finished.
   *
   * @param fn - a `moduleFunction()`, called with one item.
   * @param iterable - the items.
   * @param options - `buffersize` (an integer >= 1), `timeout` (ms from this
   *   call until every result must be there, else `TimeoutError`; `null`: none).
   * @returns an async iterator of the results.
   * @throws {TypeError} when `fn` cannot be sent or `iterable` is not iterable.
   * @throws {RangeError} when `buffersize` or `timeout` is out of range.
   * @throws {RuntimeError} `cannot schedule new futures after shutdown`.
   * @example
   * ```ts
   * import { BullMQExecutor } from "@aio/bullmq";
   * import { moduleFunction } from "@aio/executors";
   * await using executor = new BullMQExecutor({ queue: "work", connection: "redis://127.0.0.1:6379" });
   * const square = moduleFunction<(x: number) => number>(new URL("./jobs.js", import.meta.url), "square");
   * for await (const sq of executor.map(square, [1, 2, 3], { buffersize: 2 })) console.log(sq);
   * ```
   */
  map<T, R>(
    fn: (item: T) => R | PromiseLike<R>,
    iterable: Iterable<T>,
    options: { buffersize?: number; timeout?: number | null } = {},
  ): AsyncIterableIterator<Awaited<R>> {
    const ref = fnRef(this.#allowSource, "map()", fn);
    if (iterable === null || typeof (iterable as Iterable<T>)?.[Symbol.iterator] !== "function") {
      throw new TypeError(`map() iterable must be iterable, received ${describeValue(iterable)}`);
    }
    _checkOptions("map()", options);
    const buffersize = options.buffersize ?? Number.POSITIVE_INFINITY;
    _checkInteger("map()", "buffersize", buffersize, { min: 1, infinite: true });
    const timeout = options.timeout ?? null;
    _checkMs("map()", "timeout", timeout, { min: 0, nullable: true });
    if (this.#shutdown) throw new RuntimeError(SHUTDOWN_MESSAGE);
    return mapFutures<T, Awaited<R>>(
      iterable[Symbol.iterator](),
      (item) => this.#enqueue(ref, encodeArgs("map()", [item])) as FutureLike<Awaited<R>>,
      buffersize,
      timeout,
      _getRunningLoop(),
    );
  }

  /**
   * A future for a job submitted earlier, by its id — typically by an
   * earlier run of this program that stopped before the result came
   * (`future.jobId` is the id to keep). It settles as the job's own future
   * would: at once if the job has finished and is still kept in Redis
   * (`removeOnComplete`), else when it finishes.
   *
   * @param jobId - the `jobId` of a future from `submit()`.
   * @returns a future of the job's result.
   * @throws {TypeError} when `jobId` is not a non-empty string.
   * @throws {RuntimeError} `cannot schedule new futures after shutdown`.
   * @example
   * ```ts
   * import { BullMQExecutor } from "@aio/bullmq";
   * await using executor = new BullMQExecutor({ queue: "work", connection: "redis://127.0.0.1:6379" });
   * const savedId = process.argv[2] ?? "a-job-id-saved-before-a-restart";
   * try { console.log(await executor.futureFor(savedId)); } catch (err) { console.log(String(err)); }
   * ```
   */
  futureFor<T = unknown>(jobId: string): BullMQFuture<T> {
    if (typeof jobId !== "string" || jobId.length === 0) {
      throw new TypeError(
        `futureFor() jobId must be a non-empty string, received ${describeValue(jobId)}`,
      );
    }
    if (this.#shutdown) throw new RuntimeError(SHUTDOWN_MESSAGE);
    const known = this.#entries.get(jobId);
    if (known !== undefined) return known.future as BullMQFuture<T>;
    const entry = this.#newEntry(jobId, null);
    entry.state = SENT;
    entry.sentAt = performance.now();
    void this.#whenStarted().then(() => this.#reconcile([entry], true));
    this.#ensureSweep();
    return entry.future as BullMQFuture<T>;
  }

  /**
   * Stops accepting jobs (`Executor.shutdown`). Jobs already submitted still
   * run, unless `cancelFutures` cancels every one not finished (waiting jobs
   * are removed, running ones get their signal aborted). With `wait`
   * (default) resolves once every future is done and the connections are
   * closed; without it, resolves at once and closes them in the background.
   * Calling it again is harmless.
   *
   * @param options - `wait` (default true), `cancelFutures` (default false).
   * @returns resolves when shut down (see `wait`).
   * @example
   * ```ts
   * import { BullMQExecutor } from "@aio/bullmq";
   * const executor = new BullMQExecutor({ queue: "work", connection: "redis://127.0.0.1:6379" });
   * await executor.shutdown({ wait: true, cancelFutures: true });
   * ```
   */
  async shutdown(options: { wait?: boolean; cancelFutures?: boolean } = {}): Promise<void> {
    _checkOptions("shutdown()", options);
    const wait = options.wait ?? true;
    const cancelFutures = options.cancelFutures ?? false;
    this.#shutdown = true;
    if (cancelFutures) {
      for (const entry of [...this.#entries.values()]) entry.future.cancel();
    }
    const closing = (this.#closing ??= this.#closeWhenIdle());
    if (wait) await closing;
  }

  /**
   * `await using executor = …` shuts the executor down and waits.
   * @returns resolves when shut down.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true });
  }

  /**
   * A description in the shape of asyncio's reprs:
   * `<BullMQExecutor [running] queue=work redis://127.0.0.1:6379 pending=3>`.
   * @returns the description.
   */
  toString(): string {
    const state = this.#closed
      ? "closed"
      : this.#shutdown
        ? "shutdown"
        : this.#down !== null
          ? "unreachable"
          : "running";
    return `<BullMQExecutor [${state}] queue=${this.#queueName} ${this.#display} pending=${this.#entries.size}>`;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return "BullMQExecutor";
  }

  /** Node's `util.inspect` hook: the repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  // ---- sending ---------------------------------------------------------

  #newEntry(jobId: string, data: JobData | null): Entry {
    const loop: EventLoop | null = _getRunningLoop();
    const future: FutureLike<unknown> =
      loop !== null ? loop.createFuture() : new _ConcurrentFuture<unknown>();
    Object.defineProperty(future, "jobId", { value: jobId, enumerable: true });
    const entry: Entry = { jobId, future, data, state: UNSENT, sentAt: 0 };
    this.#entries.set(jobId, entry);
    future.addDoneCallback(() => this.#onDone(entry));
    return entry;
  }

  #enqueue(fn: FnRef, args: string): FutureLike<unknown> {
    if (this.#shutdown) throw new RuntimeError(SHUTDOWN_MESSAGE);
    const entry = this.#newEntry(randomUUID(), { v: WIRE_VERSION, fn, args });
    if (this.#down !== null) {
      this.#settle(entry, false, this.#unreachable());
      return entry.future;
    }
    this.#outbox.push(entry);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(() => {
        this.#flushQueued = false;
        this.#flush();
      });
    }
    return entry.future;
  }

  #flush(): void {
    if (this.#lastEventId === null || this.#client.status !== "ready") return;
    while (this.#outbox.length > 0) {
      const batch = this.#outbox.splice(0, MAX_BATCH).filter((e) => !e.future.done());
      if (batch.length === 0) continue;
      for (const e of batch) e.state = SENDING;
      const jobs = batch.map((e) => ({
        name: JOB_NAME,
        data: e.data,
        opts: { ...this.#jobOptions, jobId: e.jobId },
      }));
      this.#inflightOps++;
      const epoch = this.#lossEpoch;
      // One job: a plain add (no MULTI around it), the round-trip case.
      const added: Promise<unknown> =
        jobs.length === 1
          ? this.#queue.add(JOB_NAME, jobs[0]!.data, jobs[0]!.opts)
          : this.#queue.addBulk(jobs);
      added.then(
        () => {
          this.#inflightOps--;
          const now = performance.now();
          for (const e of batch) {
            e.state = SENT;
            e.sentAt = now;
            e.data = null;
            if (e.future.cancelled()) this.#cancelRemote(e.jobId);
          }
          if (this.#lossEpoch !== epoch) {
            void this.#reconcile(
              batch.filter((e) => !e.future.done()),
              false,
            );
          }
          this.#ensureSweep();
          this.#checkIdle();
        },
        (err: unknown) => {
          this.#inflightOps--;
          const error = new BrokenExecutorError(
            `could not add the job to the queue "${this.#queueName}" at ${this.#display}: ${(err as Error)?.message ?? String(err)}`,
            { cause: err },
          );
          for (const e of batch) this.#settle(e, false, error);
          this.#checkIdle();
        },
      );
    }
  }

  // ---- cancellation ----------------------------------------------------

  #onDone(entry: Entry): void {
    this.#entries.delete(entry.jobId);
    if (entry.future.cancelled() && entry.state === SENT) this.#cancelRemote(entry.jobId);
    // UNSENT: the flush skips it (nothing was sent); SENDING: handled when the add returns.
    this.#checkIdle();
  }

  /**
   * The future of a job that was sent is cancelled: remove the job if it is
   * still waiting (it never runs), else tell the worker running it (pub/sub).
   * The id stays in `#cancelled` until the job is gone from Redis.
   */
  #cancelRemote(jobId: string): void {
    this.#cancelled.add(jobId);
    this.#inflightOps++;
    this.#queue
      .remove(jobId)
      .then(
        async (code) => {
          if (code === 1) {
            this.#cancelled.delete(jobId);
          } else {
            await this.#client.publish(cancelChannel(this.#prefix, this.#queueName), jobId);
          }
        },
        () => {
          // Redis unreachable: retried when the connection is back (#reconcileCancelled).
        },
      )
      .finally(() => {
        this.#inflightOps--;
        this.#checkIdle();
      });
  }

  // ---- results -----------------------------------------------------------

  async #startReader(): Promise<void> {
    let last: [string, string[]][];
    try {
      last = (await this.#reader.xrevrange(this.#eventsKey, "+", "-", "COUNT", 1)) as never;
    } catch {
      return; // closed before it could start
    }
    this.#lastEventId = last[0]?.[0] ?? "0-0";
    for (const resolve of this.#startWaiters.splice(0)) resolve();
    this.#flush();
    while (!this.#closed) {
      let res: [string, [string, string[]][]][] | null;
      try {
        res = (await this.#reader.call(
          "XREAD",
          "COUNT",
          String(READ_COUNT),
          "BLOCK",
          "2000",
          "STREAMS",
          this.#eventsKey,
          this.#lastEventId as string,
        )) as typeof res;
      } catch {
        if (this.#closed) return;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (res === null) continue;
      for (const [, events] of res) {
        for (const [id, fields] of events) {
          this.#lastEventId = id;
          this.#onEvent(fields);
        }
        if (events.length >= READ_COUNT) await this.#checkTrimmed(events[0]![0]);
      }
    }
  }

  /**
   * After a full batch (the reader is behind): may events after the last
   * one read before it have been trimmed away (BullMQ keeps ~10 000) before
   * this batch, whose first event is `first`, was read? Then the jobs still
   * pending are read back now, rather than at the next sweep. Trimming
   * removes the oldest events, so after such a loss the stream starts at or
   * after `first` (it may also when trimming came right after the read: a
   * read-back too many is harmless). Redis 7's `max-deleted-entry-id` would
   * be exact, but trimming does not update it.
   */
  async #checkTrimmed(first: string): Promise<void> {
    let info: unknown[];
    try {
      info = (await this.#reader.call("XINFO", "STREAM", this.#eventsKey)) as unknown[];
    } catch {
      return;
    }
    let head: string | undefined;
    for (let i = 0; i + 1 < info.length; i += 2) {
      if (info[i] === "first-entry") head = (info[i + 1] as [string, unknown] | null)?.[0];
    }
    if (head === undefined || compareEventIds(head, first) < 0) return;
    this.#readBack();
  }

  /**
   * Reads every sent job back from Redis (their events may be lost). Jobs
   * whose add is not confirmed yet are read back when it is (`#lossEpoch`):
   * before that, Redis may not have them yet. One read-back at a time; a
   * loss suspected during one runs another after it.
   */
  #readBack(): void {
    this.#lossEpoch++;
    if (this.#readingBack !== "idle") {
      this.#readingBack = "again";
      return;
    }
    this.#readingBack = "running";
    const sent = [...this.#entries.values()].filter((e) => e.state === SENT);
    void this.#reconcile(sent, false).finally(() => {
      const again = this.#readingBack === "again";
      this.#readingBack = "idle";
      if (again) this.#readBack();
    });
  }

  #startWaiters: (() => void)[] = [];

  #whenStarted(): Promise<void> {
    if (this.#lastEventId !== null) return Promise.resolve();
    return new Promise((resolve) => this.#startWaiters.push(resolve));
  }

  #onEvent(fields: string[]): void {
    let event = "";
    let jobId = "";
    let value: string | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const k = fields[i];
      if (k === "event") event = fields[i + 1]!;
      else if (k === "jobId") jobId = fields[i + 1]!;
      else if (k === "returnvalue" || k === "failedReason") value = fields[i + 1];
    }
    if (event === "completed" || event === "failed") {
      const entry = this.#entries.get(jobId);
      if (entry !== undefined) this.#finish(entry, event === "completed", value ?? "");
      else if (this.#cancelled.has(jobId)) this.#cancelRemote(jobId);
    } else if (event === "active" && this.#cancelled.has(jobId)) {
      // A cancelled job started again (e.g. after its worker died): tell its new worker.
      void this.#client
        .publish(cancelChannel(this.#prefix, this.#queueName), jobId)
        .catch(() => {});
    } else if (event === "removed") {
      const entry = this.#entries.get(jobId);
      if (entry !== undefined && entry.state === SENT) {
        this.#settle(
          entry,
          false,
          new BrokenExecutorError(`job ${jobId} was removed from the queue before it finished`),
        );
      }
    }
  }

  /** Settles a job's future from its BullMQ outcome (a returnvalue's JSON, or a failedReason). */
  #finish(entry: Entry, completed: boolean, raw: string): void {
    if (completed) {
      let value: unknown;
      try {
        value = decodeValue(JSON.parse(raw) as string, `job ${entry.jobId}'s result`);
      } catch (err) {
        // A worker on the other engine family: the RuntimeError says so and what to do.
        if (isRuntimeError(err)) {
          this.#settle(entry, false, err);
          return;
        }
        this.#settle(
          entry,
          false,
          new BrokenExecutorError(
            `job ${entry.jobId} returned a value that is not @aio's encoding`,
            {
              cause: err,
            },
          ),
        );
        return;
      }
      this.#settle(entry, true, value);
      return;
    }
    const remote = decodeFailure(raw);
    if (remote !== null) {
      this.#settle(entry, false, remote);
    } else if (raw === STALLED_REASON) {
      this.#settle(
        entry,
        false,
        new BrokenExecutorError(
          `job ${entry.jobId} stalled more often than its workers' maxStalledCount allows (each time its worker died or stopped renewing its lock)`,
        ),
      );
    } else if (raw !== CANCELLED_REASON) {
      this.#settle(entry, false, new BrokenExecutorError(`job ${entry.jobId} failed: ${raw}`));
    }
  }

  #settle(entry: Entry, ok: boolean, value: unknown): void {
    const future = entry.future;
    if (future.done()) return;
    try {
      if (ok) future.setResult(value);
      else future.setException(value);
    } catch {
      // the future's loop is closed: nobody can see the outcome any more
      this.#entries.delete(entry.jobId);
    }
  }

  /**
   * Reads the state of `entries` back from Redis: settles those that have
   * finished, fails those whose job is gone. `lookup`: for `futureFor()`.
   */
  async #reconcile(entries: Entry[], lookup: boolean): Promise<void> {
    if (entries.length === 0) return;
    const pipe = this.#client.pipeline();
    for (const e of entries) {
      pipe.hmget(
        `${this.#prefix}:${this.#queueName}:${e.jobId}`,
        "timestamp",
        "finishedOn",
        "returnvalue",
        "failedReason",
      );
    }
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await pipe.exec();
    } catch {
      return;
    }
    if (replies === null) return;
    entries.forEach((e, i) => {
      const [err, fields] = replies[i]!;
      if (err !== null || e.future.done()) return;
      const [timestamp, finishedOn, returnvalue, failedReason] = fields as [
        string | null,
        string | null,
        string | null,
        string | null,
      ];
      if (timestamp === null) {
        this.#settle(
          e,
          false,
          new BrokenExecutorError(
            lookup
              ? `no job ${e.jobId} in the queue "${this.#queueName}" at ${this.#display} (never submitted, or removed after it finished: see removeOnComplete)`
              : `job ${e.jobId} is gone from Redis at ${this.#display} (was Redis restarted without persistence?)`,
          ),
        );
      } else if (finishedOn !== null) {
        if (returnvalue !== null && failedReason === null) this.#finish(e, true, returnvalue);
        else this.#finish(e, false, failedReason ?? "");
      }
    });
  }

  #ensureSweep(): void {
    if (this.#sweepTimer !== null) return;
    this.#sweepTimer = setInterval(() => {
      if (this.#entries.size === 0 && this.#cancelled.size === 0) {
        clearInterval(this.#sweepTimer!);
        this.#sweepTimer = null;
        return;
      }
      if (this.#down !== null) return;
      const old = performance.now() - this.#sweepMs;
      const due: Entry[] = [];
      for (const e of this.#entries.values()) if (e.state === SENT && e.sentAt <= old) due.push(e);
      void this.#reconcile(due, false);
    }, this.#sweepMs);
    this.#sweepTimer.unref?.();
  }

  // ---- the connection --------------------------------------------------------

  #unreachable(): BrokenExecutorError {
    return new BrokenExecutorError(
      `cannot reach Redis at ${this.#display}: ${this.#down?.message ?? "connection closed"}`,
      { cause: this.#down },
    );
  }

  #onConnectionError(err: Error): void {
    if (this.#closed || this.#client.status === "ready") return;
    this.#down = err;
    // Jobs not sent yet fail at once: nothing of them reached Redis.
    const unsent = this.#outbox.splice(0);
    const error = this.#unreachable();
    for (const e of unsent) this.#settle(e, false, error);
    this.#startLostTimer();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#down ??= new Error("connection closed");
    this.#startLostTimer();
  }

  #startLostTimer(): void {
    if (this.#lostTimer !== null) return;
    this.#lostTimer = setTimeout(() => {
      this.#lostTimer = null;
      if (this.#down === null || this.#closed) return;
      const error = new BrokenExecutorError(
        `lost the connection to Redis at ${this.#display} for ${this.#lostTimeoutMs} ms (connectionLostTimeoutMs): ${this.#down.message}; the job may still run when Redis is back`,
        { cause: this.#down },
      );
      for (const e of [...this.#entries.values()]) this.#settle(e, false, error);
    }, this.#lostTimeoutMs);
  }

  #onReady(): void {
    const wasDown = this.#everReady;
    this.#everReady = true;
    this.#down = null;
    if (this.#lostTimer !== null) {
      clearTimeout(this.#lostTimer);
      this.#lostTimer = null;
    }
    if (wasDown) {
      // Events may have been missed (a Redis restarted without its data has none).
      void this.#reconcile(
        [...this.#entries.values()].filter((e) => e.state === SENT),
        false,
      );
      for (const id of this.#cancelled) this.#cancelRemote(id);
    }
    this.#flush();
  }

  // ---- closing -------------------------------------------------------------

  #checkIdle(): void {
    if (this.#entries.size > 0 || this.#inflightOps > 0) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  async #closeWhenIdle(): Promise<void> {
    if (this.#entries.size > 0 || this.#inflightOps > 0) {
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
    this.#closed = true;
    if (this.#lostTimer !== null) clearTimeout(this.#lostTimer);
    if (this.#sweepTimer !== null) clearInterval(this.#sweepTimer);
    for (const resolve of this.#startWaiters.splice(0)) resolve();
    this.#reader.disconnect();
    await this.#queue.close().catch(() => {});
    this.#client.disconnect();
  }
}
