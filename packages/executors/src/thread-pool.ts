import {
  MessageChannel,
  type ResourceLimits,
  receiveMessageOnPort,
  Worker,
} from "node:worker_threads";
import { describeValue, RuntimeError } from "@aio/core";
import { ownPort, runtimeName } from "./internal/runtime.js";
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
  /**
   * V8 heap limits of each worker thread; a worker that exceeds them dies and
   * fails its running job. Not on Deno 2, where a worker over its limit can
   * hang instead of ending, nor on Bun 1, which does not enforce them (a
   * `RuntimeError` says so): on Deno use a {@link ProcessPoolExecutor} with
   * `execArgv: ["--v8-flags=--max-old-space-size=N"]`; on Bun bound a process
   * pool's children from outside (`ulimit -v`, a cgroup).
   */
  resourceLimits?: ResourceLimits;
}

const THREAD_SOURCE = workerSource("thread");

/** Why `resourceLimits` is refused on a runtime, and what to use instead; null where they work. */
const LIMITS_REFUSED: string | null =
  runtimeName === "deno"
    ? // Deno 2.9 enforces the limits for a worker's top-level code, but a job
      // run from a message that goes over them often leaves the worker hung,
      // neither ending nor reporting (docs/design/executor-runtimes.md).
      "ThreadPoolExecutor resourceLimits is not supported on Deno 2: a worker thread over its heap limit can hang instead of ending; " +
      'use a ProcessPoolExecutor with execArgv: ["--v8-flags=--max-old-space-size=N"]'
    : runtimeName === "bun"
      ? // Bun 1 (JavaScriptCore) accepts the option and ignores it.
        "ThreadPoolExecutor resourceLimits is not supported on Bun 1: it does not enforce a worker thread's heap limits; " +
        "use a ProcessPoolExecutor and bound its children's memory from outside (ulimit -v, a cgroup)"
      : null;

/**
 * `options`, unless they set `resourceLimits` where the runtime cannot
 * enforce them (`LIMITS_REFUSED`). Checked before the pool exists.
 */
function refuseLimits(options: ThreadPoolExecutorOptions): ThreadPoolExecutorOptions {
  const limits = (options as { resourceLimits?: unknown } | null | undefined)?.resourceLimits;
  // A value of the wrong type is the constructor's TypeError, as elsewhere.
  if (typeof limits === "object" && limits !== null && LIMITS_REFUSED !== null) {
    throw new RuntimeError(LIMITS_REFUSED);
  }
  return options;
}

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
 *   // A named function may call itself: its name crosses with its source.
 *   function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
 *   console.log(await pool.submit(fib, 30)); // 832040, while the loop stays free
 * });
 * ```
 */
export class ThreadPoolExecutor extends PoolExecutor {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  get _className(): string {
    return "ThreadPoolExecutor";
  }

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
   * @throws {RuntimeError} for `resourceLimits` on Deno 2 and Bun 1 (see {@link ThreadPoolExecutorOptions}).
   */
  constructor(options: ThreadPoolExecutorOptions = {}) {
    super("ThreadPoolExecutor", refuseLimits(options));
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
    // Deno: the pool and the worker talk over a channel of their own, which
    // both can read synchronously (see `ownPort` in internal/runtime.ts).
    const channel = ownPort ? new MessageChannel() : null;
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      ...(channel === null
        ? {}
        : { workerData: { port: channel.port2 }, transferList: [channel.port2] }),
      ...(this.#resourceLimits === undefined ? {} : { resourceLimits: this.#resourceLimits }),
    });
    const port = channel?.port1 ?? null;
    // The replies that arrived and were not read yet, read now.
    const drain = (): void => {
      if (port === null) return;
      for (let r = receiveMessageOnPort(port); r !== undefined; r = receiveMessageOnPort(port)) {
        events.message(r.message as unknown[]);
      }
    };
    if (port !== null) {
      port.on("message", (batch: unknown[]) => events.message(batch));
      port.unref(); // the worker's own ref decides whether it keeps the process alive
    } else {
      worker.on("message", (batch: unknown[]) => events.message(batch));
    }
    worker.on("error", (err) => events.error(err));
    worker.on("exit", (code) => {
      // Replies posted before the worker ended are the pool's before its exit.
      drain();
      port?.close();
      events.exit(code, null);
    });
    const target = port ?? worker;
    return {
      id: worker.threadId,
      send: (batch, transfer) => target.postMessage(batch, transfer ?? undefined),
      terminate: () => void worker.terminate(),
      close: () => void worker.terminate(),
      ref: () => worker.ref(),
      unref: () => worker.unref(),
      drain,
    };
  }
}
