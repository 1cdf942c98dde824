// What the two entries (`index.ts` for Node, Deno and Bun; `index.browser.ts`
// for pages) export alike; each adds its own pools and `moduleFunction`.

export {
  BrokenExecutorError,
  ExecutorFullError,
  isBrokenExecutorError,
  isExecutorFullError,
} from "../errors.js";
export {
  type CancelRunning,
  PoolExecutor,
  type PoolExecutorOptions,
  type SubmitOptions,
} from "../pool-executor.js";
export { toThread } from "../to-thread.js";
export { jobSignal, transfer } from "../transfer.js";
export { ConcurrentFuture as _ConcurrentFuture } from "./concurrent-future.js";
/** @internal The `Symbol.for` keys of a worker's `jobSignal()` slot and of a `transfer()` marker (read by `@aio/bullmq`'s inline jobs). */
export {
  TRANSFER_BRAND as _TRANSFER_BRAND,
  WORKER_SLOT as _WORKER_SLOT,
} from "./protocol.js";
