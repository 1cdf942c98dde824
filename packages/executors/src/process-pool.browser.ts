import { RuntimeError } from "@aio/core";
import type { WorkerChannel } from "./internal/slot.js";
import { PoolExecutor } from "./pool-executor.js";
import type { ProcessPoolExecutorOptions } from "./process-pool.js";

/**
 * `ProcessPoolExecutor` in a browser: a page cannot start processes, so
 * constructing it throws a `RuntimeError` that names the alternative,
 * {@link ThreadPoolExecutor} (on Web Workers). The class exists so that code
 * importing it bundles and `instanceof` checks still work.
 *
 * @example
 * ```ts
 * import { isRuntimeError } from "@aio/core";
 * import { ProcessPoolExecutor, ThreadPoolExecutor } from "@aio/executors";
 * let pool;
 * try {
 *   pool = new ProcessPoolExecutor({ maxWorkers: 2 });
 * } catch (err) {
 *   if (!isRuntimeError(err)) throw err;
 *   pool = new ThreadPoolExecutor({ maxWorkers: 2 }); // in a browser
 * }
 * await pool.shutdown();
 * ```
 */
export class ProcessPoolExecutor extends PoolExecutor {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  get _className(): string {
    return "ProcessPoolExecutor";
  }

  /** @internal */
  protected readonly _canTransfer = false;
  /** @internal */
  protected readonly _workerNoun = "worker process";

  /**
   * @param _options - see `ProcessPoolExecutorOptions` (not read: it always throws).
   * @throws {RuntimeError} always: a page cannot start processes.
   */
  constructor(_options: ProcessPoolExecutorOptions = {}) {
    throw new RuntimeError(
      "ProcessPoolExecutor is not available in a browser: a page cannot start processes; use ThreadPoolExecutor, which runs on Web Workers there",
    );
    // biome-ignore lint/correctness/noUnreachable: the base class must be called in a derived constructor
    super("ProcessPoolExecutor");
  }

  /** @internal */
  protected _spawn(): WorkerChannel {
    throw new RuntimeError("ProcessPoolExecutor is not available in a browser");
  }
}
