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
import { registerDefaultExecutor } from "./internal/default-executor.js";
import { ThreadPoolExecutor } from "./thread-pool.js";

export * from "./internal/entry-common.js";
export { moduleFunction } from "./module-function.js";
export { ProcessPoolExecutor, type ProcessPoolExecutorOptions } from "./process-pool.js";
export { ThreadPoolExecutor, type ThreadPoolExecutorOptions } from "./thread-pool.js";

// The loop's default executor: a thread pool.
registerDefaultExecutor(ThreadPoolExecutor);
