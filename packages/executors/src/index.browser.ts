/**
 * The browser entry of `@aio/executors` (the `browser` export condition):
 * the same names as the Node entry, with {@link ThreadPoolExecutor} on Web
 * Workers, `moduleFunction()` taking URLs the page can load, and
 * {@link ProcessPoolExecutor} throwing a `RuntimeError` (a page cannot start
 * processes). Everything else — futures, the queue, cancellation, `map`,
 * `shutdown` — is the one implementation both entries share.
 *
 * Like the Node entry, importing it registers the loop's default executor
 * factory (`loop.runInExecutor(null, …)`, `toThread`): a thread pool, here
 * on Web Workers.
 *
 * @packageDocumentation
 */
import { getRuntime } from "@aio/core";
import { kLoopOwned } from "./pool-executor.js";
import { ThreadPoolExecutor } from "./thread-pool.browser.js";

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
export { moduleFunction } from "./module-function.browser.js";
export {
  type CancelRunning,
  PoolExecutor,
  type PoolExecutorOptions,
  type SubmitOptions,
} from "./pool-executor.js";
export { ProcessPoolExecutor } from "./process-pool.browser.js";
export type { ProcessPoolExecutorOptions } from "./process-pool.js";
export { ThreadPoolExecutor } from "./thread-pool.browser.js";
export type { ThreadPoolExecutorOptions } from "./thread-pool.js";
export { toThread } from "./to-thread.js";
export { jobSignal, transfer } from "./transfer.js";

// The loop's default executor, as in the Node entry (see index.ts).
getRuntime().defaultExecutorFactory ??= () => {
  const pool = new ThreadPoolExecutor();
  pool[kLoopOwned]();
  return pool;
};
