/**
 * asyncio's executors for TypeScript: {@link ThreadPoolExecutor}
 * (`worker_threads`), {@link ProcessPoolExecutor} (child processes),
 * {@link toThread}, and the default executor behind
 * `loop.runInExecutor(null, …)`.
 *
 * Importing this package registers a factory in `@aio/core`'s runtime, so
 * every loop can lazily create its default `ThreadPoolExecutor` — that is
 * this module's one side effect.
 *
 * @packageDocumentation
 */
import { getRuntime } from "@aio/core";
import { kLoopOwned } from "./pool-executor.js";
import { ThreadPoolExecutor } from "./thread-pool.js";

export {
  BrokenExecutorError,
  ExecutorFullError,
  isBrokenExecutorError,
  isExecutorFullError,
} from "./errors.js";
export { ConcurrentFuture as _ConcurrentFuture } from "./internal/concurrent-future.js";
/** @internal The `Symbol.for` keys of a worker's `jobSignal()` slot and of a `transfer()` marker (read by `@aio/bullmq`'s inline jobs). */
export {
  TRANSFER_BRAND as _TRANSFER_BRAND,
  WORKER_SLOT as _WORKER_SLOT,
} from "./internal/protocol.js";
export { moduleFunction } from "./module-function.js";
export {
  type CancelRunning,
  PoolExecutor,
  type PoolExecutorOptions,
  type SubmitOptions,
} from "./pool-executor.js";
export { ProcessPoolExecutor, type ProcessPoolExecutorOptions } from "./process-pool.js";
export { ThreadPoolExecutor, type ThreadPoolExecutorOptions } from "./thread-pool.js";
export { toThread } from "./to-thread.js";
export { jobSignal, transfer } from "./transfer.js";

// The loop's default executor (asyncio creates a ThreadPoolExecutor lazily too).
// The loop shuts it down itself, so debug mode does not report it as left open.
getRuntime().defaultExecutorFactory ??= () => {
  const pool = new ThreadPoolExecutor();
  pool[kLoopOwned]();
  return pool;
};
