import { availableParallelism } from "node:os";
import type { TransferListItem } from "node:worker_threads";
import {
  _getRunningLoop,
  _resourceOpened,
  describeValue,
  type EventLoop,
  type Executor,
  type FutureLike,
  getRuntime,
  RuntimeError,
  TimeoutError,
  ValueError,
} from "@aio/core";
import { BrokenExecutorError, ExecutorFullError } from "./errors.js";
import { ConcurrentFuture } from "./internal/concurrent-future.js";
import { type ShippedFn, shipFunction } from "./internal/fn-spec.js";
import {
  M_CANCEL,
  M_INIT,
  M_JOB,
  M_RESUME,
  R_ERR,
  R_INIT_ERR,
  R_INIT_OK,
  R_OK,
  R_SKIPPED,
  type SerializedError,
} from "./internal/protocol.js";
import { deserializeError, prepareArgs } from "./internal/wire.js";

/**
 * What a pool does with a job that is already running when its future is
 * cancelled: `"finish"` lets it run to the end and discards the result
 * (asyncio's and `concurrent.futures`' behaviour); `"abort"` aborts the job's
 * `jobSignal()` and, if the job has not settled `abortGraceMs` later,
 * terminates its worker (only that one) and starts a replacement.
 */
export type CancelRunning = "finish" | "abort";

/**
 * Options shared by {@link ThreadPoolExecutor} and {@link ProcessPoolExecutor}.
 *
 * @example
 * ```ts
 * import type { PoolExecutorOptions } from "@aio/executors";
 * const opts: PoolExecutorOptions = { maxWorkers: 2, idleTimeoutMs: 5_000, maxPending: 1_000 };
 * ```
 */
export interface PoolExecutorOptions {
  /** How many workers at most; default `os.availableParallelism()`. An integer >= 1. */
  maxWorkers?: number;
  /** Runs once in every new worker before its first job (a function or `moduleFunction()`). */
  initializer?: ((...args: any[]) => unknown) | null;
  /** The initializer's arguments (structured-cloned). */
  initargs?: readonly unknown[];
  /** A worker idle for this long (ms) exits; it is started again when needed. Default 30 000; `Infinity`: never. */
  idleTimeoutMs?: number;
  /** Jobs allowed to wait for a worker; `submit()` beyond it throws {@link ExecutorFullError}. Default `Infinity`. */
  maxPending?: number;
  /** See {@link CancelRunning}; default `"finish"`. */
  cancelRunning?: CancelRunning;
  /** With `cancelRunning: "abort"`: how long (ms) a job may take to stop before its worker is terminated. Default 1 000. */
  abortGraceMs?: number;
  /**
   * Jobs sent ahead to a busy worker while every worker is busy and jobs are
   * waiting, so the worker starts the next one without a round trip.
   * `"auto"` (the default) keeps about 4 ms of work queued in each worker,
   * judged from the run time of its recent jobs: 1 job ahead for jobs of 4 ms
   * or more, up to 512 for tiny ones (topped up when half are done). A number fixes the
   * depth; 0 sends a job only to an idle worker (no job ever waits behind a
   * long one). A job sent ahead but not started is still cancellable, and goes
   * to another worker if its worker dies.
   */
  prefetch?: number | "auto";
}

/** How a pool talks to one worker (a thread or a child process). @internal */
export interface WorkerChannel {
  /** Sends a batch; may throw synchronously when a value cannot be cloned. */
  send(batch: unknown[], transfer: TransferListItem[] | null): void;
  /** Kills the worker now. */
  terminate(): void;
  /** Asks an idle worker to exit. */
  close(): void;
  /** Keeps the host process alive while the worker has jobs. */
  ref(): void;
  /** Lets the host process exit while the worker idles. */
  unref(): void;
  /** The thread id or process id, for `toString()`. */
  readonly id: number;
}

/** Hooks a channel calls; set by the pool before the worker starts. @internal */
export interface WorkerEvents {
  message(batch: unknown[]): void;
  error(err: unknown): void;
  exit(code: number | null, signal: string | null): void;
}

/** @internal Marks the loop-owned default executor (see `[kLoopOwned]`). */
export const kLoopOwned: unique symbol = Symbol("aio.loopOwnedExecutor");

const PENDING = 0;
const SENT = 1;
const DONE = 2;

interface Job {
  readonly id: number;
  readonly fn: ShippedFn;
  readonly args: unknown[];
  readonly transfer: TransferListItem[] | null;
  readonly future: FutureLike<unknown>;
  readonly loop: EventLoop | null;
  /** Several calls (`map` with `chunksize`): `args` holds one argument list per call. */
  readonly chunked: boolean;
  state: typeof PENDING | typeof SENT | typeof DONE;
  worker: Slot | null;
  /** The pool has reacted to the future's cancellation. */
  cancelHandled: boolean;
  /** Cancelled while running with `cancelRunning: "abort"`: the worker's grace timer. */
  abortTimer: ReturnType<typeof setTimeout> | null;
}

/**
 * One worker as the pool sees it.
 *
 * Invariant: `jobs` lists, in send order, the jobs sent to the worker whose
 * reply has not arrived; the worker runs them one at a time in that order, so
 * `jobs[0]` is the one running (or about to), and the others have not started.
 */
class Slot {
  readonly jobs: Job[] = [];
  /** Function keys whose spec this worker already has. */
  readonly known = new Set<number>();
  outbox: unknown[] = [];
  outTransfer: TransferListItem[] | null = null;
  flushQueued = false;
  ready = false;
  alive = true;
  closing = false;
  referenced = false;
  idleTimer: ReturnType<typeof setTimeout> | null = null;
  /** The worker's own error (uncaught exception, resource limits), if any. */
  error: unknown = undefined;
  /** Set while the pool terminates the worker on purpose (abort grace). */
  killedFor: Job | null = null;
  /** Being sent jobs by the current dispatch (see `#pickWorker`). */
  filling = false;
  /** Moving average of its jobs' run times (ms), for `prefetch: "auto"`; -1 before the first. */
  avgRunMs = -1;
  /**
   * The worker replied to the job it is being killed for and holds (it starts
   * nothing after an aborted job until RESUME): the jobs it still has never started.
   */
  holding = false;
  channel!: WorkerChannel;
}

/** `prefetch: "auto"`: the work (ms, by recent run times) kept queued in a busy worker. */
const AUTO_PREFETCH_MS = 4;
/** `prefetch: "auto"`: at most this many jobs wait in a worker. */
const AUTO_PREFETCH_MAX = 512;

/** A pool of workers: the shared engine of the thread and process pools. */
const SHUTDOWN_MESSAGE = "cannot schedule new futures after shutdown";

/** The base of {@link ThreadPoolExecutor} and {@link ProcessPoolExecutor}. */
export abstract class PoolExecutor implements Executor {
  readonly #maxWorkers: number;
  readonly #initializer: ShippedFn | null;
  readonly #initargs: unknown[];
  readonly #idleTimeoutMs: number;
  readonly #maxPending: number;
  readonly #cancelRunning: CancelRunning;
  readonly #abortGraceMs: number;
  /** The fixed prefetch depth, or -1 for "auto". */
  readonly #prefetch: number;
  readonly #workers = new Set<Slot>();
  // The pending queue: a growable ring would be faster; an array with a head
  // index and periodic compaction is simple and amortised O(1).
  #queue: Job[] = [];
  #head = 0;
  #pending = 0;
  #nextId = 1;
  #running = 0;
  #shutdown = false;
  #broken: BrokenExecutorError | null = null;
  /** Tells debug mode the pool was shut down (see `_resourceOpened`). */
  #untrack: () => void;
  #readyWaiters: {
    resolve: () => void;
    reject: (e: unknown) => void;
    future: FutureLike<void> | null;
  }[] = [];
  #closedWaiters: (() => void)[] = [];

  /**
   * @param kind - the class name, for argument errors.
   * @param options - see {@link PoolExecutorOptions}.
   * @throws {ValueError} when `maxWorkers` is not an integer >= 1.
   * @throws {RangeError} for other out-of-range options.
   * @throws {TypeError} for options of the wrong type.
   */
  constructor(kind: string, options: PoolExecutorOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError(`${kind} options must be an object, received ${describeValue(options)}`);
    }
    const max = options.maxWorkers ?? availableParallelism();
    if (typeof max !== "number" || !Number.isInteger(max) || max < 1) {
      throw new ValueError(
        `${kind} maxWorkers must be an integer >= 1, received ${describeValue(max)}`,
      );
    }
    this.#maxWorkers = max;
    this.#idleTimeoutMs = checkMs(kind, "idleTimeoutMs", options.idleTimeoutMs, 30_000, true);
    this.#abortGraceMs = checkMs(kind, "abortGraceMs", options.abortGraceMs, 1_000, false);
    const maxPending = options.maxPending ?? Number.POSITIVE_INFINITY;
    if (
      typeof maxPending !== "number" ||
      !(maxPending >= 0) ||
      !(Number.isInteger(maxPending) || maxPending === Infinity)
    ) {
      throw new RangeError(
        `${kind} maxPending must be an integer >= 0 or Infinity, received ${describeValue(maxPending)}`,
      );
    }
    this.#maxPending = maxPending;
    const prefetch = options.prefetch ?? "auto";
    if (
      prefetch !== "auto" &&
      (typeof prefetch !== "number" || !Number.isInteger(prefetch) || prefetch < 0)
    ) {
      throw new RangeError(
        `${kind} prefetch must be "auto" or an integer >= 0, received ${describeValue(prefetch)}`,
      );
    }
    this.#prefetch = prefetch === "auto" ? -1 : prefetch;
    const cancelRunning = options.cancelRunning ?? "finish";
    if (cancelRunning !== "finish" && cancelRunning !== "abort") {
      throw new TypeError(
        `${kind} cancelRunning must be "finish" or "abort", received ${describeValue(cancelRunning)}`,
      );
    }
    this.#cancelRunning = cancelRunning;
    const init = options.initializer ?? null;
    this.#initializer = init === null ? null : shipFunction(`${kind} initializer`, init);
    const initargs = options.initargs ?? [];
    if (!Array.isArray(initargs)) {
      throw new TypeError(`${kind} initargs must be an array, received ${describeValue(initargs)}`);
    }
    this.#initargs = prepareArgs(`${kind} initargs`, initargs, false).args;
    // Debug mode reports a pool made inside run() and never shut down
    // (report only: a pool is not bound to the loop, its idle workers do not
    // keep the process alive).
    this.#untrack = _resourceOpened(this, kind);
  }

  /** @internal The loop's own default executor is shut down by the loop: not reported. */
  [kLoopOwned](): void {
    this.#untrack();
  }

  /** Starts one worker; the subclass wires `events` to it. @internal */
  protected abstract _spawn(events: WorkerEvents): WorkerChannel;

  /** Whether `transfer()` markers move buffers (threads) or are copied (processes). @internal */
  protected abstract readonly _canTransfer: boolean;

  /** The most workers this pool runs at once. */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  /**
   * Schedules `fn(...args)` on a worker (`Executor.submit`) and returns a
   * future of its result. Inside a running loop the future is a Future of
   * that loop (await it, pass it to `gather`/`wait`, cancel it); outside a
   * loop it is a loop-less future with the same methods, whose `getLoop()`
   * throws.
   *
   * Cancelling the future before the job starts means it never runs. A
   * running job either finishes with its result discarded (default) or, with
   * `cancelRunning: "abort"`, is told through `jobSignal()` and stopped.
   *
   * @param fn - a self-contained function (its source is shipped: it must not
   *   use variables from its enclosing scope — closures do not cross threads)
   *   or a `moduleFunction()`.
   * @param args - the arguments, structured-cloned; wrap an `ArrayBuffer` in
   *   `transfer()` to move it.
   * @returns a future of the job's result.
   * @throws {RuntimeError} `cannot schedule new futures after shutdown`.
   * @throws {BrokenExecutorError} when an initializer failed and the pool is unusable.
   * @throws {ExecutorFullError} when `maxPending` jobs are already waiting.
   * @throws {TypeError} when `fn` cannot be shipped or an argument cannot be cloned.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { ThreadPoolExecutor } from "@aio/executors";
   * await run(async () => {
   *   await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
   *   console.log(await pool.submit((a: number, b: number) => a + b, 1, 2)); // 3
   * });
   * ```
   */
  submit<A extends unknown[], R>(
    fn: (...args: A) => R | PromiseLike<R>,
    ...args: A
  ): FutureLike<Awaited<R>> {
    const shipped = shipFunction("submit()", fn);
    const prepared = prepareArgs("submit()", args, this._canTransfer);
    return this.#enqueue(shipped, prepared.args, prepared.transfer, false) as FutureLike<
      Awaited<R>
    >;
  }

  /**
   * Runs `fn(item)` for every item on the pool and yields the results in
   * input order (`Executor.map`). Items are submitted at once (as far as
   * `maxPending` allows; the rest as results are consumed); a job's
   * exception is thrown when its result is reached. Leaving the loop early
   * (`break`, an exception) cancels the jobs not yet finished.
   *
   * @param fn - a self-contained function or a `moduleFunction()`, called with one item.
   * @param iterable - the items.
   * @param options - `chunksize`: items per job (fewer round trips for tiny
   *   jobs; default 1); `timeout`: ms from this call until every result must
   *   be available, else `TimeoutError` (default `null`: no limit).
   * @returns an async iterator of the results.
   * @throws {TypeError} when `fn` cannot be shipped or `iterable` is not iterable.
   * @throws {RangeError} when `chunksize` is not an integer >= 1 or `timeout` is negative.
   * @throws {RuntimeError} `cannot schedule new futures after shutdown`.
   * @example
   * ```ts
   * import { ThreadPoolExecutor } from "@aio/executors";
   * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
   * for await (const sq of pool.map((x: number) => x * x, [1, 2, 3], { chunksize: 2 })) console.log(sq);
   * ```
   */
  map<T, R>(
    fn: (item: T) => R | PromiseLike<R>,
    iterable: Iterable<T>,
    options: { chunksize?: number; timeout?: number | null } = {},
  ): AsyncIterableIterator<Awaited<R>> {
    const shipped = shipFunction("map()", fn);
    if (iterable === null || typeof (iterable as Iterable<T>)?.[Symbol.iterator] !== "function") {
      throw new TypeError(`map() iterable must be iterable, received ${describeValue(iterable)}`);
    }
    const chunksize = options.chunksize ?? 1;
    if (typeof chunksize !== "number" || !Number.isInteger(chunksize) || chunksize < 1) {
      throw new RangeError(
        `map() chunksize must be an integer >= 1, received ${describeValue(chunksize)}`,
      );
    }
    const timeout = options.timeout ?? null;
    if (timeout !== null && (typeof timeout !== "number" || !(timeout >= 0))) {
      throw new RangeError(
        `map() timeout must be a number >= 0 or null, received ${describeValue(timeout)}`,
      );
    }
    this.#checkOpen();
    const loop = _getRunningLoop();
    const deadline = timeout === null ? null : now(loop) + timeout;
    const items = iterable[Symbol.iterator]();
    const futures: FutureLike<unknown>[] = [];
    let exhausted = false;
    const submitMore = (): void => {
      while (!exhausted && this.#pending < this.#maxPending) {
        const chunk: unknown[][] = [];
        while (chunk.length < chunksize) {
          const next = items.next();
          if (next.done === true) {
            exhausted = true;
            break;
          }
          chunk.push([next.value]);
        }
        if (chunk.length === 0) break;
        const args = chunksize === 1 ? chunk[0]! : chunk;
        const prepared = prepareArgs("map()", args, false);
        futures.push(this.#enqueue(shipped, prepared.args, null, chunksize !== 1));
      }
    };
    submitMore();
    const pool = this;
    async function* results(): AsyncGenerator<Awaited<R>> {
      let i = 0;
      try {
        while (i < futures.length || !exhausted) {
          if (i >= futures.length) {
            await pool.ready();
            submitMore();
            continue;
          }
          const fut = futures[i]!;
          await waitUntil(fut, deadline, loop);
          futures[i++] = undefined as never;
          submitMore();
          if (chunksize === 1) yield fut.result() as Awaited<R>;
          else for (const r of fut.result() as Awaited<R>[]) yield r;
        }
      } finally {
        for (let j = i; j < futures.length; j++) futures[j]?.cancel();
      }
    }
    return results();
  }

  /**
   * Resolves when `submit()` will accept a job without
   * {@link ExecutorFullError}: the backpressure side of `maxPending`. Inside a
   * loop it is a cancellable Future of that loop.
   *
   * @returns resolves when there is room in the pending queue.
   * @throws {RuntimeError} (rejects) when the executor is shut down.
   * @example
   * ```ts
   * import { ThreadPoolExecutor } from "@aio/executors";
   * await using pool = new ThreadPoolExecutor({ maxWorkers: 2, maxPending: 100 });
   * for (let i = 0; i < 10_000; i++) {
   *   await pool.ready();
   *   pool.submit((x: number) => x * 2, i);
   * }
   * ```
   */
  ready(): PromiseLike<void> {
    const loop = _getRunningLoop();
    if (this.#shutdown) return rejected(loop, new RuntimeError(SHUTDOWN_MESSAGE));
    if (this.#broken !== null) return rejected(loop, this.#broken);
    if (this.#pending < this.#maxPending && this.#readyWaiters.length === 0) return resolved(loop);
    if (loop !== null) {
      const fut = loop.createFuture<void>();
      const waiter = {
        resolve: () => {
          if (!fut.done()) fut.setResult(undefined);
        },
        reject: (e: unknown) => {
          if (!fut.done()) fut.setException(e);
        },
        future: fut,
      };
      this.#readyWaiters.push(waiter);
      fut.addDoneCallback(() => {
        // A cancelled waiter leaves the list, and passes its turn on.
        const i = this.#readyWaiters.indexOf(waiter);
        if (i !== -1) this.#readyWaiters.splice(i, 1);
        if (fut.cancelled()) this.#wakeReady();
      });
      return fut;
    }
    return new Promise<void>((resolve, reject) => {
      this.#readyWaiters.push({ resolve, reject, future: null });
    });
  }

  /**
   * Stops accepting jobs and releases the workers (`Executor.shutdown`). Jobs
   * already submitted still run, unless `cancelFutures` cancels those that
   * have not started. With `wait` (default) resolves once every job is done
   * and every worker has exited; without it, resolves at once and the pool
   * winds down in the background. Calling it again is harmless.
   *
   * @param options - `wait` (default true), `cancelFutures` (default false).
   * @returns resolves when shut down (see `wait`).
   * @example
   * ```ts
   * import { ThreadPoolExecutor } from "@aio/executors";
   * const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
   * const job = pool.submit(() => 42);
   * await pool.shutdown({ wait: true });
   * console.log(job.result()); // 42
   * ```
   */
  async shutdown(options: { wait?: boolean; cancelFutures?: boolean } = {}): Promise<void> {
    const wait = options.wait ?? true;
    const cancelFutures = options.cancelFutures ?? false;
    this.#shutdown = true;
    this.#untrack();
    for (const w of this.#readyWaiters.splice(0)) w.reject(new RuntimeError(SHUTDOWN_MESSAGE));
    if (cancelFutures) {
      const notStarted: Job[] = [];
      for (let i = this.#head; i < this.#queue.length; i++) notStarted.push(this.#queue[i]!);
      for (const slot of this.#workers) notStarted.push(...slot.jobs.slice(1));
      for (const job of notStarted) {
        if (job.future.cancel()) this.#onCancelled(job);
      }
    }
    this.#windDown();
    if (wait && !this.#isFinished()) {
      await new Promise<void>((resolve) => this.#closedWaiters.push(resolve));
    }
  }

  /**
   * `await using pool = …` shuts the pool down and waits (`with executor:`).
   * @returns resolves when shut down.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown({ wait: true });
  }

  /**
   * A description in the shape of asyncio's reprs:
   * `<ThreadPoolExecutor [running] maxWorkers=4 workers=2 busy=1 pending=0>`.
   * @returns the description.
   */
  toString(): string {
    const state = this.#broken !== null ? "broken" : this.#shutdown ? "shutdown" : "running";
    return `<${this.constructor.name} [${state}] maxWorkers=${this.#maxWorkers} workers=${this.#workers.size} busy=${this.#running} pending=${this.#pending}>`;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return this.constructor.name;
  }

  /** Node's `util.inspect` hook: the repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  // ---- internals -------------------------------------------------------

  #checkOpen(): void {
    if (this.#broken !== null) throw this.#broken;
    if (this.#shutdown) throw new RuntimeError(SHUTDOWN_MESSAGE);
  }

  #enqueue(
    fn: ShippedFn,
    args: unknown[],
    transfer: TransferListItem[] | null,
    chunked: boolean,
  ): FutureLike<unknown> {
    this.#checkOpen();
    if (this.#pending >= this.#maxPending) throw new ExecutorFullError(this.#maxPending);
    const loop = _getRunningLoop();
    const future: FutureLike<unknown> =
      loop !== null ? loop.createFuture() : new ConcurrentFuture();
    const job: Job = {
      id: this.#nextId++,
      fn,
      args,
      transfer,
      future,
      loop,
      chunked,
      state: PENDING,
      worker: null,
      cancelHandled: false,
      abortTimer: null,
    };
    future.addDoneCallback(() => {
      if (future.cancelled()) this.#onCancelled(job);
    });
    this.#queue.push(job);
    this.#pending++;
    this.#dispatch();
    return future;
  }

  #takePending(): Job | null {
    while (this.#head < this.#queue.length) {
      const job = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as never;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      if (job.state === PENDING) {
        this.#pending--;
        if (!job.future.done()) return job;
        // Cancelled, and its done callback has not run yet.
        job.state = DONE;
        this.#wakeReady();
      }
    }
    return null;
  }

  #dispatch(): void {
    let woke = false;
    while (this.#pending > 0) {
      const slot = this.#pickWorker();
      if (slot === null) break;
      // The last pending jobs may turn out cancelled (their done callbacks
      // not run yet): then there is nothing to send.
      const job = this.#takePending();
      if (job === null) break;
      woke = true;
      slot.filling = true;
      this.#send(slot, job);
    }
    if (woke) {
      for (const slot of this.#workers) slot.filling = false;
      this.#wakeReady();
    }
  }

  #pickWorker(): Slot | null {
    // An idle worker first, then a new one, then the least loaded busy worker
    // with room ahead. A busy worker is topped up once half its jobs ahead
    // are done, then filled (fewer, larger batches); `filling` lasts for one
    // dispatch, so the fill goes on even when the other worker has fewer jobs.
    let best: Slot | null = null;
    for (const slot of this.#workers) {
      if (!slot.alive || slot.closing) continue;
      const n = slot.jobs.length;
      if (n === 0) return slot;
      if (best !== null && n >= best.jobs.length && !slot.filling) continue;
      const depth = this.#depth(slot);
      if (n - 1 < (slot.filling || depth <= 1 ? depth : depth >> 1)) best = slot;
    }
    if (this.#workers.size < this.#maxWorkers) return this.#startWorker();
    return best;
  }

  /** How many jobs may wait in `slot` behind the running one. */
  #depth(slot: Slot): number {
    if (this.#prefetch >= 0) return this.#prefetch;
    const avg = slot.avgRunMs;
    if (avg < 0) return 1;
    // About AUTO_PREFETCH_MS of expected work ahead, from 1 to AUTO_PREFETCH_MAX jobs.
    return avg * AUTO_PREFETCH_MAX <= AUTO_PREFETCH_MS
      ? AUTO_PREFETCH_MAX
      : Math.max(1, Math.floor(AUTO_PREFETCH_MS / avg));
  }

  #startWorker(): Slot {
    const slot = new Slot();
    const events: WorkerEvents = {
      message: (batch) => this.#onMessage(slot, batch),
      error: (err) => {
        slot.error ??= err;
      },
      exit: (code, signal) => this.#onExit(slot, code, signal),
    };
    // Workers outlive the task that happened to start them: keep them out of its context.
    slot.channel = getRuntime().taskContext.exit(() => this._spawn(events));
    this.#workers.add(slot);
    const init = this.#initializer;
    slot.outbox.push([M_INIT, init === null ? null : init.spec, this.#initargs]);
    this.#queueFlush(slot);
    return slot;
  }

  #send(slot: Slot, job: Job): void {
    job.state = SENT;
    job.worker = slot;
    if (slot.jobs.length === 0) {
      this.#running++;
      if (slot.idleTimer !== null) {
        clearTimeout(slot.idleTimer);
        slot.idleTimer = null;
      }
      if (!slot.referenced) {
        slot.referenced = true;
        slot.channel.ref();
      }
    }
    slot.jobs.push(job);
    const key = job.fn.key;
    const spec = slot.known.has(key) ? null : job.fn.spec;
    slot.known.add(key);
    slot.outbox.push([
      M_JOB,
      job.id,
      key,
      spec,
      job.args,
      this.#cancelRunning === "abort",
      job.chunked,
    ]);
    if (job.transfer !== null) (slot.outTransfer ??= []).push(...job.transfer);
    this.#queueFlush(slot);
  }

  #queueFlush(slot: Slot): void {
    if (slot.flushQueued) return;
    slot.flushQueued = true;
    queueMicrotask(() => this.#flush(slot));
  }

  #flush(slot: Slot): void {
    slot.flushQueued = false;
    if (!slot.alive || slot.outbox.length === 0) return;
    const batch = slot.outbox;
    const transfer = slot.outTransfer;
    slot.outbox = [];
    slot.outTransfer = null;
    try {
      slot.channel.send(batch, transfer);
    } catch (err) {
      // One value in the batch could not be cloned: send one by one, so only
      // the job that carries it fails.
      for (const msg of batch) {
        const m = msg as unknown[];
        try {
          slot.channel.send([m], m[0] === M_JOB ? this.#transferOf(slot, m[1] as number) : null);
        } catch (e) {
          if (m[0] !== M_JOB) throw e;
          const job = slot.jobs.find((j) => j.id === m[1]);
          if (job === undefined) continue;
          if (m[3] !== null) slot.known.delete(job.fn.key);
          this.#removeFromSlot(slot, job);
          this.#settle(
            job,
            false,
            new TypeError(
              `the job's arguments could not be cloned to reach a worker: ${(e as Error).message}`,
              {
                cause: e,
              },
            ),
          );
        }
      }
      void err;
    }
  }

  #transferOf(slot: Slot, id: number): TransferListItem[] | null {
    return slot.jobs.find((j) => j.id === id)?.transfer ?? null;
  }

  #removeFromSlot(slot: Slot, job: Job): void {
    const i = slot.jobs.indexOf(job);
    if (i === -1) return;
    slot.jobs.splice(i, 1);
    job.state = DONE;
    if (slot.jobs.length === 0) this.#becameIdle(slot);
  }

  #settle(job: Job, ok: boolean, value: unknown): void {
    const fut = job.future;
    if (fut.done() || job.loop?.isClosed()) return;
    if (ok) fut.setResult(value);
    else fut.setException(value);
  }

  #onMessage(slot: Slot, batch: unknown[]): void {
    const hadJobs = slot.jobs.length > 0;
    for (const msg of batch) {
      const m = msg as unknown[];
      const tag = m[0];
      if (tag === R_INIT_OK) {
        slot.ready = true;
        continue;
      }
      if (tag === R_INIT_ERR) {
        this.#breakPool(
          new BrokenExecutorError("A worker initializer failed, the pool is not usable anymore", {
            cause: deserializeError(m[1] as SerializedError),
          }),
        );
        return;
      }
      const id = m[1] as number;
      let i = 0;
      while (i < slot.jobs.length && slot.jobs[i]!.id !== id) i++;
      const job = slot.jobs[i];
      if (job === undefined) continue;
      slot.jobs.splice(i, 1);
      job.state = DONE;
      if (job.abortTimer !== null) {
        clearTimeout(job.abortTimer);
        job.abortTimer = null;
      }
      if (m[3] === true) {
        // The worker holds after this aborted job (see worker-main.ts).
        if (slot.killedFor === null) {
          slot.outbox.push([M_RESUME, id]);
          this.#queueFlush(slot);
        } else {
          slot.holding = true;
        }
      }
      if (tag !== R_SKIPPED) {
        const ms = m[4] as number;
        slot.avgRunMs = slot.avgRunMs < 0 ? ms : slot.avgRunMs * 0.75 + ms * 0.25;
      }
      if (tag === R_OK) this.#settle(job, true, m[2]);
      else if (tag === R_ERR) this.#settle(job, false, deserializeError(m[2] as SerializedError));
      // R_SKIPPED: the future is already cancelled.
    }
    if (hadJobs && slot.jobs.length === 0) this.#becameIdle(slot);
    this.#dispatch();
    if (this.#shutdown) this.#windDown();
  }

  #becameIdle(slot: Slot): void {
    this.#running--;
    if (slot.referenced) {
      slot.referenced = false;
      slot.channel.unref();
    }
    if (this.#shutdown || !slot.alive) return;
    if (this.#idleTimeoutMs !== Number.POSITIVE_INFINITY) {
      slot.idleTimer = setTimeout(() => {
        slot.idleTimer = null;
        if (slot.jobs.length === 0 && slot.alive) this.#closeWorker(slot);
      }, this.#idleTimeoutMs);
      slot.idleTimer.unref();
    }
  }

  #closeWorker(slot: Slot): void {
    if (slot.closing) return;
    slot.closing = true;
    // Whoever awaits shutdown() waits for this exit: keep the process alive until it comes.
    if (!slot.referenced) {
      slot.referenced = true;
      slot.channel.ref();
    }
    if (slot.idleTimer !== null) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
    }
    slot.channel.close();
  }

  #onCancelled(job: Job): void {
    if (job.cancelHandled) return;
    job.cancelHandled = true;
    if (job.state === PENDING) {
      job.state = DONE;
      this.#pending--;
      this.#wakeReady();
      return;
    }
    if (job.state !== SENT) return;
    const slot = job.worker!;
    if (!slot.alive) return;
    const running = slot.jobs[0] === job;
    const abort = running && this.#cancelRunning === "abort";
    slot.outbox.push([M_CANCEL, job.id, abort]);
    this.#queueFlush(slot);
    if (abort) {
      // If the job ignores its signal, its worker — and only its worker — goes.
      job.abortTimer = setTimeout(() => {
        job.abortTimer = null;
        // Timers run before I/O in a host turn: after a long busy stretch the
        // job's reply may be waiting unread. Decide after one poll phase has
        // passed (two check phases), on fresh state.
        setImmediate(() =>
          setImmediate(() => {
            if (slot.alive && slot.killedFor === null && slot.jobs[0] === job) {
              slot.killedFor = job;
              slot.channel.terminate();
            }
          }),
        );
      }, this.#abortGraceMs);
    }
  }

  #onExit(slot: Slot, code: number | null, signal: string | null): void {
    if (!slot.alive) return;
    slot.alive = false;
    this.#workers.delete(slot);
    if (slot.idleTimer !== null) clearTimeout(slot.idleTimer);
    const jobs = slot.jobs.splice(0);
    if (jobs.length > 0) this.#running--;
    const killedFor = slot.killedFor;
    if (
      this.#initializer !== null &&
      !slot.ready &&
      !slot.closing &&
      killedFor === null &&
      this.#broken === null
    ) {
      // asyncio: a failing initializer breaks the pool (BrokenThreadPool).
      this.#breakPool(
        new BrokenExecutorError(
          `A worker exited (${describeExit(code, signal)}) before its initializer completed, the pool is not usable anymore`,
          slot.error === undefined ? undefined : { cause: slot.error },
        ),
        jobs,
      );
      return;
    }
    // A worker killed while it held after its aborted job's reply started none of the others.
    const head = slot.holding ? undefined : jobs[0];
    const rest = slot.holding ? jobs : jobs.slice(1);
    if (head !== undefined) {
      head.state = DONE;
      if (head.abortTimer !== null) clearTimeout(head.abortTimer);
      if (head !== killedFor) {
        this.#settle(
          head,
          false,
          new BrokenExecutorError(
            `A ${this._workerNoun} terminated abruptly (${describeExit(code, signal)}) while running a job`,
            slot.error === undefined ? undefined : { cause: slot.error },
          ),
        );
      }
    }
    // The jobs queued behind it never started: they go back to the front of the queue.
    const back = rest.filter((j) => !j.future.done());
    for (const j of back) {
      j.state = PENDING;
      j.worker = null;
    }
    if (back.length > 0) {
      this.#queue.splice(this.#head, 0, ...back);
      this.#pending += back.length;
    }
    if (this.#broken !== null) {
      for (const j of back) this.#settle(j, false, this.#broken);
    } else {
      this.#dispatch();
    }
    if (this.#shutdown || this.#broken !== null) this.#windDown();
  }

  /** The word for a worker in messages: "worker thread" or "worker process". @internal */
  protected abstract readonly _workerNoun: string;

  #breakPool(error: BrokenExecutorError, extra: Job[] = []): void {
    if (this.#broken !== null) return;
    this.#broken = error;
    for (const w of this.#readyWaiters.splice(0)) w.reject(error);
    const jobs = [...extra];
    for (let i = this.#head; i < this.#queue.length; i++) {
      const j = this.#queue[i]!;
      if (j.state === PENDING) jobs.push(j);
    }
    this.#queue = [];
    this.#head = 0;
    this.#pending = 0;
    for (const slot of this.#workers) {
      jobs.push(...slot.jobs.splice(0));
      slot.channel.terminate();
    }
    this.#running = 0;
    for (const j of jobs) {
      j.state = DONE;
      this.#settle(j, false, error);
    }
    this.#windDown();
  }

  #wakeReady(): void {
    let room = this.#maxPending - this.#pending;
    while (room > 0 && this.#readyWaiters.length > 0) {
      const w = this.#readyWaiters.shift()!;
      w.resolve();
      room--;
    }
  }

  #isFinished(): boolean {
    return this.#workers.size === 0 && this.#pending === 0;
  }

  /** After shutdown: close workers that have nothing left to do; resolve waiters when all are gone. */
  #windDown(): void {
    if (!this.#shutdown && this.#broken === null) return;
    if (this.#pending === 0) {
      for (const slot of this.#workers) {
        if (slot.jobs.length === 0) this.#closeWorker(slot);
      }
    }
    if (this.#isFinished()) {
      for (const resolve of this.#closedWaiters.splice(0)) resolve();
    }
  }
}

function checkMs(
  kind: string,
  name: string,
  value: number | undefined,
  dflt: number,
  allowInf: boolean,
): number {
  const v = value ?? dflt;
  if (typeof v !== "number" || !(v >= 0) || (!allowInf && v === Number.POSITIVE_INFINITY)) {
    throw new RangeError(
      `${kind} ${name} must be a number >= 0${allowInf ? " or Infinity" : ""}, received ${describeValue(v)}`,
    );
  }
  return v;
}

function describeExit(code: number | null, signal: string | null): string {
  return signal !== null ? `signal ${signal}` : `exit code ${code}`;
}

function now(loop: EventLoop | null): number {
  return loop !== null ? loop.time() : performance.now();
}

function resolved(loop: EventLoop | null): PromiseLike<void> {
  if (loop === null) return Promise.resolve();
  const fut = loop.createFuture<void>();
  fut.setResult(undefined);
  return fut;
}

function rejected(loop: EventLoop | null, err: unknown): PromiseLike<void> {
  if (loop === null) return Promise.reject(err);
  const fut = loop.createFuture<void>();
  fut.setException(err);
  return fut;
}

/** Waits for `fut`; throws `TimeoutError` once `deadline` (loop time, or `performance.now()` outside a loop) passes. */
async function waitUntil(
  fut: FutureLike<unknown>,
  deadline: number | null,
  loop: EventLoop | null,
): Promise<void> {
  if (fut.done()) return;
  if (deadline === null) {
    await fut.then(
      () => {},
      () => {},
    );
    return;
  }
  const remaining = Math.max(0, deadline - now(loop));
  if (loop !== null) {
    const waiter = loop.createFuture<boolean>();
    const onDone = () => {
      if (!waiter.done()) waiter.setResult(true);
    };
    fut.addDoneCallback(onDone);
    const timer = loop.callLater(remaining, () => {
      if (!waiter.done()) waiter.setResult(false);
    });
    try {
      if (!(await waiter)) throw new TimeoutError();
    } finally {
      timer.cancel();
      fut.removeDoneCallback(onDone);
    }
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ok = await Promise.race([
    fut.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), remaining);
    }),
  ]);
  clearTimeout(timer);
  if (!ok) throw new TimeoutError();
}
