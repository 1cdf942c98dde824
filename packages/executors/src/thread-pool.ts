import { type ResourceLimits, Worker } from "node:worker_threads";
import { describeValue } from "@aio/core";
import type { WorkerChannel, WorkerEvents } from "./internal/slot.js";
import { workerSource } from "./internal/worker-main.js";
import { PoolExecutor, type PoolExecutorOptions } from "./pool-executor.js";

/**
 * Options of {@link ThreadPoolExecutor}.
 *
 * @example
 * ```ts
 * import type { ThreadPoolExecutorOptions } from "@aio/executors";
 * const opts: ThreadPoolExecutorOptions = { maxWorkers: 2, resourceLimits: { maxOldGenerationSizeMb: 64 } };
 * ```
 */
export interface ThreadPoolExecutorOptions extends PoolExecutorOptions {
  /** V8 heap limits of each worker thread; a worker that exceeds them dies and fails its running job. */
  resourceLimits?: ResourceLimits;
}

const THREAD_SOURCE = workerSource("thread");

/**
 * A pool of `worker_threads` (`concurrent.futures.ThreadPoolExecutor`): for
 * CPU-bound JavaScript and blocking calls (synchronous fs, `Atomics.wait`,
 * native addons) that would otherwise freeze the event loop. Threads start
 * fast and can move `ArrayBuffer`s zero-copy ({@link transfer}); they share
 * the process, so a crash that takes the process down takes the pool too —
 * use {@link ProcessPoolExecutor} for isolation.
 *
 * Functions cross as source (self-contained: closures do not cross threads)
 * or as a `moduleFunction()`; arguments and results by structured clone.
 * Workers start on demand up to `maxWorkers`, exit after `idleTimeoutMs` idle,
 * and do not keep the process alive while idle. A worker that dies fails
 * exactly its running job with {@link BrokenExecutorError} and is replaced.
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { ThreadPoolExecutor } from "@aio/executors";
 * await run(async () => {
 *   await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 *   const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
 *   console.log(await pool.submit(fib, 30)); // 832040, while the loop stays free
 * });
 * ```
 */
export class ThreadPoolExecutor extends PoolExecutor {
  readonly #resourceLimits: ResourceLimits | undefined;
  /** @internal */
  protected readonly _canTransfer = true;
  /** @internal */
  protected readonly _workerNoun = "worker thread";

  /**
   * @param options - see {@link ThreadPoolExecutorOptions}.
   * @throws {TypeError} for options of the wrong type (a non-number duration
   *   too), or an initializer that cannot be shipped.
   * @throws {ValueError} when `maxWorkers` is not an integer >= 1.
   * @throws {RangeError} for other out-of-range options.
   */
  constructor(options: ThreadPoolExecutorOptions = {}) {
    super("ThreadPoolExecutor", options);
    const limits = options.resourceLimits;
    if (limits !== undefined && (typeof limits !== "object" || limits === null)) {
      throw new TypeError(
        `ThreadPoolExecutor resourceLimits must be an object, received ${describeValue(limits)}`,
      );
    }
    this.#resourceLimits = limits;
  }

  /** @internal */
  protected _spawn(events: WorkerEvents): WorkerChannel {
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      ...(this.#resourceLimits === undefined ? {} : { resourceLimits: this.#resourceLimits }),
    });
    worker.on("message", (batch: unknown[]) => events.message(batch));
    worker.on("error", (err) => events.error(err));
    worker.on("exit", (code) => events.exit(code, null));
    return {
      id: worker.threadId,
      send: (batch, transfer) => worker.postMessage(batch, transfer ?? undefined),
      terminate: () => void worker.terminate(),
      close: () => void worker.terminate(),
      ref: () => worker.ref(),
      unref: () => worker.unref(),
    };
  }
}
