/**
 * asyncio's `Executor` spread over many machines: {@link BullMQExecutor}
 * sends `submit()`/`map()` jobs through BullMQ queues on Redis to workers
 * started with {@link runWorker} or the `aio-bullmq-worker` CLI, and its
 * futures work with `runInExecutor`, `gather`, `waitFor` and `timeout` as the
 * local pools' do (Dask's `Client` as a `concurrent.futures` executor is the
 * model).
 *
 * @packageDocumentation
 */
export { isModuleNotAllowedError, ModuleNotAllowedError } from "./errors.js";
export { BullMQExecutor } from "./executor.js";
export type {
  BullMQExecutorOptions,
  BullMQFuture,
  BullMQJobOptions,
} from "./executor-options.js";
export type { RedisConnection } from "./internal/connection.js";
export { type RunWorkerOptions, runWorker } from "./worker.js";
