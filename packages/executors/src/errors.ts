import { brandError } from "@aio/core";

/**
 * The executor cannot run a job: the worker running it died (`process.exit`,
 * a crash outside a job, `resourceLimits` exceeded, a killed process), or a
 * worker initializer failed and the pool is unusable
 * (`concurrent.futures.BrokenExecutor`, `BrokenThreadPool`, `BrokenProcessPool`).
 *
 * When a worker dies, exactly the job it was running fails with this error;
 * jobs that were queued behind it but had not started go to another worker.
 * `cause` holds the worker's own error when there was one.
 *
 * @example
 * ```ts
 * import { ThreadPoolExecutor, isBrokenExecutorError } from "@aio/executors";
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 * try {
 *   await pool.submit(() => process.exit(3));
 * } catch (err) {
 *   console.log(isBrokenExecutorError(err)); // true
 * }
 * ```
 */
export class BrokenExecutorError extends Error {}

/**
 * True when `value` is a {@link BrokenExecutorError} from any copy of `@aio/executors`.
 *
 * @param value - anything.
 * @returns whether it is a `BrokenExecutorError`.
 * @example
 * ```ts
 * import { isBrokenExecutorError } from "@aio/executors";
 * console.log(isBrokenExecutorError(new Error())); // false
 * ```
 */
export const isBrokenExecutorError: (value: unknown) => value is BrokenExecutorError = brandError(
  BrokenExecutorError,
  "BrokenExecutorError",
  "@aio/executors.BrokenExecutorError",
);

/**
 * `submit()` was called while `maxPending` jobs were already waiting for a
 * worker: the pool's queue is full. Await `executor.ready()` before
 * submitting to wait for room instead (backpressure).
 *
 * @example
 * ```ts
 * import { ThreadPoolExecutor, isExecutorFullError } from "@aio/executors";
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 1, maxPending: 1, prefetch: 0 });
 * pool.submit(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200)); // goes straight to the worker
 * pool.submit(() => 2); // waits in the queue: it is full
 * try { pool.submit(() => 3); } catch (err) { console.log(isExecutorFullError(err)); } // true
 * ```
 */
export class ExecutorFullError extends Error {
  /** The `maxPending` limit that was reached. */
  readonly maxPending: number;

  /**
   * @param maxPending - the limit that was reached.
   */
  constructor(maxPending: number) {
    super(
      `the executor's pending queue is full (maxPending=${maxPending}): await executor.ready() before submit()`,
    );
    this.maxPending = maxPending;
  }
}

/**
 * True when `value` is an {@link ExecutorFullError} from any copy of `@aio/executors`.
 *
 * @param value - anything.
 * @returns whether it is an `ExecutorFullError`.
 * @example
 * ```ts
 * import { isExecutorFullError } from "@aio/executors";
 * console.log(isExecutorFullError(new Error())); // false
 * ```
 */
export const isExecutorFullError: (value: unknown) => value is ExecutorFullError = brandError(
  ExecutorFullError,
  "ExecutorFullError",
  "@aio/executors.ExecutorFullError",
);
