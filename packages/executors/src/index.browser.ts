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
import { registerDefaultExecutor } from "./internal/default-executor.js";
import { ThreadPoolExecutor } from "./thread-pool.browser.js";

export * from "./internal/entry-common.js";
export { moduleFunction } from "./module-function.browser.js";
export { ProcessPoolExecutor } from "./process-pool.browser.js";
export type { ProcessPoolExecutorOptions } from "./process-pool.js";
export { ThreadPoolExecutor } from "./thread-pool.browser.js";
export type { ThreadPoolExecutorOptions } from "./thread-pool.js";

// The loop's default executor: a thread pool, here on Web Workers.
registerDefaultExecutor(ThreadPoolExecutor);
