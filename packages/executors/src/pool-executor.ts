import {
  _checkInteger,
  _checkMs,
  _checkOptions,
  _checkSignal,
  _className,
  _getRunningLoop,
  _resourceOpened,
  describeValue,
  type Executor,
  type FutureLike,
  RuntimeError,
  ValueError,
} from "@aio/core";
import { PoolEngine, SHUTDOWN_MESSAGE } from "./internal/engine.js";
import { type ShippedFn, shipFunction } from "./internal/fn-spec.js";
import { mapJobs, now } from "./internal/map.js";
import {
  type CancelRunning,
  checkBoolean,
  type PoolExecutorOptions,
  resolveOptions,
} from "./internal/options.js";
import { rejected, resolved } from "./internal/ready.js";
import type { Job, WorkerChannel, WorkerEvents } from "./internal/slot.js";
import { prepareArgs } from "./internal/wire.js";

export type { CancelRunning, PoolExecutorOptions };

/**
 * Per-job options of {@link PoolExecutor.submitWith}.
 *
 * @example
 * ```ts
 * import type { SubmitOptions } from "@aio/executors";
 * const opts: SubmitOptions = { timeout: 5_000, signal: AbortSignal.timeout(10_000) };
 * ```
 */
export interface SubmitOptions {
  /** ms from the call until the future fails with `TimeoutError`; `null` (default): none. */
  timeout?: number | null;
  /** Aborting it cancels the job's future. */
  signal?: AbortSignal;
}

/** @internal Marks the loop-owned default executor (see `[kLoopOwned]`). */
export const kLoopOwned: unique symbol = Symbol("aio.loopOwnedExecutor");

/**
 * The base of {@link ThreadPoolExecutor} and {@link ProcessPoolExecutor}: the
 * public API of a pool of workers (argument checks, documentation).
 *
 * Where things live: option checks in `internal/options.ts`; the scheduling
 * engine (dispatch, replies, cancellation and the abort grace, worker exits,
 * wind-down) in `internal/engine.ts`; the pending queue in
 * `internal/pending-queue.ts`; one worker's jobs, outgoing batch and prefetch
 * depth in `internal/slot.ts`; `ready()` waiters in `internal/ready.ts`;
 * `map()` in `internal/map.ts`; the worker's side in `internal/worker-main.ts`.
 */
export abstract class PoolExecutor implements Executor {
  readonly #engine: PoolEngine;
  /** Tells debug mode the pool was shut down (see `_resourceOpened`). */
  #untrack: () => void;

  /**
   * @param kind - the class name, for argument errors.
   * @param options - see {@link PoolExecutorOptions}.
   * @param perChild - the pool takes `maxTasksPerChild` (process pools).
   * @throws {TypeError} for options of the wrong type (a non-number duration too).
   * @throws {ValueError} when `maxWorkers` is not an integer >= 1.
   * @throws {RangeError} for other out-of-range options.
   */
  constructor(kind: string, options: PoolExecutorOptions = {}, perChild = false) {
    this.#engine = new PoolEngine(
      resolveOptions(kind, options, perChild),
      (events) => this._spawn(events),
      () => this._workerNoun,
    );
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

  /** The word for a worker in messages: "worker thread" or "worker process". @internal */
  protected abstract readonly _workerNoun: string;

  /** The most workers this pool runs at once. */
  get maxWorkers(): number {
    return this.#engine.opts.maxWorkers;
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
    return this.#engine.enqueue(shipped, prepared.args, prepared.transfer, false) as FutureLike<
      Awaited<R>
    >;
  }

  /**
   * `submit()` with per-job options: `timeout` (ms from this call, waiting
   * time in the queue included) after which the future fails with
   * `TimeoutError`, and `signal`, whose abort cancels the future. Either way
   * the job is then stopped by the pool's `cancelRunning` rule, as for
   * `future.cancel()`: a job not started never runs; a running job finishes
   * with its result discarded (`"finish"`, the default) or has its
   * `jobSignal()` aborted and, if it does not stop within `abortGraceMs`,
   * its worker terminated (`"abort"`). The options come first, so
   * `submit(fn, ...args)` stays exactly asyncio's.
   *
   * @param options - `timeout` (ms, `null`: none) and `signal`.
   * @param fn - as for {@link PoolExecutor.submit}.
   * @param args - as for {@link PoolExecutor.submit}.
   * @returns a future of the job's result.
   * @throws {TypeError} for options of the wrong type (a non-number `timeout`
   *   too), or as {@link PoolExecutor.submit}.
   * @throws {RangeError} when `timeout` is negative or NaN.
   * @throws {RuntimeError} `cannot schedule new futures after shutdown`.
   * @throws {ExecutorFullError} when `maxPending` jobs are already waiting.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { isTimeoutError } from "@aio/core";
   * import { ThreadPoolExecutor } from "@aio/executors";
   * await run(async () => {
   *   await using pool = new ThreadPoolExecutor({ maxWorkers: 1, cancelRunning: "abort", abortGraceMs: 100 });
   *   const slow = pool.submitWith({ timeout: 50 }, () => { for (;;) {} });
   *   await slow.then(() => {}, (e) => console.log(isTimeoutError(e))); // true; the worker is replaced
   * });
   * ```
   */
  submitWith<A extends unknown[], R>(
    options: SubmitOptions,
    fn: (...args: A) => R | PromiseLike<R>,
    ...args: A
  ): FutureLike<Awaited<R>> {
    options = _checkOptions("submitWith()", options);
    const timeout = options.timeout ?? null;
    _checkMs("submitWith()", "timeout", timeout, { min: 0, nullable: true });
    _checkSignal("submitWith()", "signal", options.signal);
    const shipped = shipFunction("submitWith()", fn);
    const prepared = prepareArgs("submitWith()", args, this._canTransfer);
    return this.#engine.enqueue(shipped, prepared.args, prepared.transfer, false, {
      timeout,
      signal: options.signal,
    }) as FutureLike<Awaited<R>>;
  }

  /**
   * Runs `fn(item)` for every item on the pool and yields the results in
   * input order (`Executor.map`). Without `buffersize`, items are submitted
   * at once (as far as `maxPending` allows; the rest as results are
   * consumed). With `buffersize` (asyncio 3.14) the iterable is read lazily:
   * at most `buffersize` jobs are submitted and not yet consumed, so an
   * endless generator works. A job's exception is thrown when its result is
   * reached. Leaving the loop early (`break`, an exception) cancels the jobs
   * not yet finished and closes the iterable's iterator.
   *
   * @param fn - a self-contained function or a `moduleFunction()`, called with one item.
   * @param iterable - the items (any iterable, endless ones with `buffersize`).
   * @param options - `chunksize`: items per job (fewer round trips for tiny
   *   jobs; default 1); `timeout`: ms from this call until every result must
   *   be available, else `TimeoutError` (default `null`: no limit);
   *   `buffersize`: jobs (chunks of `chunksize` items) allowed ahead of the
   *   consumer (default `null`: no limit).
   * @returns an async iterator of the results.
   * @throws {TypeError} when `fn` cannot be shipped, `iterable` is not
   *   iterable, or an option has the wrong type (a non-number `timeout` too).
   * @throws {RangeError} when `chunksize` is not an integer >= 1 or `timeout` is negative or NaN.
   * @throws {ValueError} when `buffersize` is not an integer >= 1.
   * @throws {RuntimeError} `cannot schedule new futures after shutdown`, when
   *   there is an item to submit (over an empty iterable the iterator just
   *   ends, as asyncio's).
   * @example
   * ```ts
   * import { ThreadPoolExecutor } from "@aio/executors";
   * await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
   * for await (const sq of pool.map((x: number) => x * x, [1, 2, 3], { chunksize: 2 })) console.log(sq);
   * function* naturals() { for (let n = 0; ; n++) yield n; }
   * for await (const sq of pool.map((x: number) => x * x, naturals(), { buffersize: 4 })) {
   *   if (sq > 100) break; // the endless generator was read at most 4 items ahead
   * }
   * ```
   */
  map<T, R>(
    fn: (item: T) => R | PromiseLike<R>,
    iterable: Iterable<T>,
    options: { chunksize?: number; timeout?: number | null; buffersize?: number | null } = {},
  ): AsyncIterableIterator<Awaited<R>> {
    const shipped = shipFunction("map()", fn);
    if (iterable === null || typeof (iterable as Iterable<T>)?.[Symbol.iterator] !== "function") {
      throw new TypeError(`map() iterable must be iterable, received ${describeValue(iterable)}`);
    }
    options = _checkOptions("map()", options);
    const chunksize = options.chunksize ?? 1;
    _checkInteger("map()", "chunksize", chunksize, { min: 1 });
    const timeout = options.timeout ?? null;
    _checkMs("map()", "timeout", timeout, { min: 0, nullable: true });
    const buffersize = options.buffersize ?? null;
    if (buffersize !== null) {
      _checkInteger("map()", "buffersize", buffersize, { min: 1, rangeError: ValueError });
    }
    const engine = this.#engine;
    const loop = _getRunningLoop();
    const deadline = timeout === null ? null : now(loop) + timeout;
    const host = {
      enqueue: (f: ShippedFn, args: unknown[], chunked: boolean) =>
        engine.enqueue(f, args, null, chunked),
      hasRoom: () => engine.queue.count < engine.opts.maxPending,
      checkOpen: () => engine.checkOpen(),
      ready: () => this.ready(),
    };
    return mapJobs<T, Awaited<R>>(host, shipped, iterable, chunksize, buffersize, deadline, loop);
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
    const engine = this.#engine;
    if (engine.shutdown) return rejected(loop, new RuntimeError(SHUTDOWN_MESSAGE));
    if (engine.broken !== null) return rejected(loop, engine.broken);
    if (engine.queue.count < engine.opts.maxPending && engine.readyWaiters.length === 0) {
      return resolved(loop);
    }
    return engine.readyWaiters.wait(loop, () => engine.wakeReady());
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
   * @throws {TypeError} (rejects) when `options`, `wait` or `cancelFutures` has the wrong type.
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
    // An async function: a bad argument rejects, it never throws.
    options = _checkOptions("shutdown()", options);
    checkBoolean("shutdown()", "wait", options.wait);
    checkBoolean("shutdown()", "cancelFutures", options.cancelFutures);
    const wait = options.wait ?? true;
    const cancelFutures = options.cancelFutures ?? false;
    const engine = this.#engine;
    engine.shutdown = true;
    this.#untrack();
    engine.readyWaiters.rejectAll(new RuntimeError(SHUTDOWN_MESSAGE));
    if (cancelFutures) {
      const notStarted: Job[] = engine.queue.entries();
      for (const slot of engine.workers) notStarted.push(...slot.jobs.slice(1));
      // In submission order, as asyncio cancels its work queue: a job sent
      // ahead to a worker was submitted before the ones still queued.
      notStarted.sort((a, b) => a.id - b.id);
      for (const job of notStarted) {
        if (job.future.cancel()) engine.onCancelled(job);
      }
    }
    engine.windDown();
    if (wait && !engine.isFinished()) {
      await new Promise<void>((resolve) => engine.closedWaiters.push(resolve));
    }
  }

  /**
   * Ends every worker now and shuts the pool down (asyncio 3.14
   * `terminate_workers()`). Every job not finished — running, sent ahead to
   * a worker, or still waiting in the queue — fails at once with
   * {@link BrokenExecutorError}; `submit()` then throws `RuntimeError`. A
   * child process gets `SIGTERM` (a job that handles it may delay its
   * exit: see {@link PoolExecutor.killWorkers}); a worker thread is
   * terminated. Harmless on a pool with no workers, a broken pool, or one
   * already shut down. `await shutdown()` afterwards resolves once every
   * worker has exited.
   *
   * @example
   * ```ts
   * import { ThreadPoolExecutor, isBrokenExecutorError } from "@aio/executors";
   * const pool = new ThreadPoolExecutor({ maxWorkers: 1 });
   * const stuck = pool.submit(() => { for (;;) {} });
   * await new Promise((r) => setTimeout(r, 100));
   * pool.terminateWorkers();
   * console.log(await stuck.then(() => "done", (e) => isBrokenExecutorError(e))); // true
   * await pool.shutdown();
   * ```
   */
  terminateWorkers(): void {
    this.#untrack();
    this.#engine.forceShutdown("SIGTERM", "terminateWorkers()");
  }

  /**
   * As {@link PoolExecutor.terminateWorkers}, but a child process gets
   * `SIGKILL`, which it cannot handle or ignore (asyncio 3.14
   * `kill_workers()`). Worker threads are terminated as by
   * `terminateWorkers()`.
   *
   * @example
   * ```ts
   * import { ProcessPoolExecutor, isBrokenExecutorError } from "@aio/executors";
   * const pool = new ProcessPoolExecutor({ maxWorkers: 1 });
   * const job = pool.submit(() => { process.on("SIGTERM", () => {}); for (;;) {} });
   * await new Promise((r) => setTimeout(r, 500));
   * pool.killWorkers();
   * console.log(await job.then(() => "done", (e) => isBrokenExecutorError(e))); // true
   * await pool.shutdown();
   * ```
   */
  killWorkers(): void {
    this.#untrack();
    this.#engine.forceShutdown("SIGKILL", "killWorkers()");
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
    const e = this.#engine;
    const state = e.broken !== null ? "broken" : e.shutdown ? "shutdown" : "running";
    return `<${_className(this)} [${state}] maxWorkers=${e.opts.maxWorkers} workers=${e.workers.size} busy=${e.running} pending=${e.queue.count}>`;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return _className(this);
  }

  /** Node's `util.inspect` hook: the repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
