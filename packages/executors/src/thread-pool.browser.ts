import { describeValue, RuntimeError } from "@aio/core";
import type { WorkerChannel, WorkerEvents } from "./internal/slot.js";
import { workerSource } from "./internal/worker-main.js";
import { PoolExecutor } from "./pool-executor.js";
import type { ThreadPoolExecutorOptions } from "./thread-pool.js";

/** The part of a Web Worker the pool uses (the repo's type libraries have no DOM). */
interface WebWorker {
  postMessage(message: unknown, transfer: unknown[]): void;
  terminate(): void;
  addEventListener(type: string, cb: (e: WebWorkerEvent) => void): void;
}
interface WebWorkerEvent {
  data?: unknown;
  message?: string;
  filename?: string;
  lineno?: number;
  colno?: number;
  preventDefault(): void;
}
type WebWorkerConstructor = new (url: string, opts: { type: "module"; name: string }) => WebWorker;

/** The host's `Worker`, if it has one (read once). */
const WorkerCtor = (globalThis as { Worker?: WebWorkerConstructor }).Worker;

/** The exit code reported for a Web Worker that is gone (Node reports 1 for a terminated thread too). */
const WORKER_GONE = 1;

/** The one Blob URL of the worker script, made on the first spawn and kept for the page's life. */
let workerUrl: string | null = null;
/** Web Workers have no thread id: a page-wide counter names them in `toString()`. */
let nextWorkerId = 1;

/** A Web Worker's `error` event as an Error (the worker's own Error object does not cross). */
function workerError(ev: WebWorkerEvent): Error {
  if (typeof ev.message === "string" && ev.message !== "") {
    const where = ev.filename ? ` (${ev.filename}:${ev.lineno}:${ev.colno})` : "";
    return new Error(`${ev.message}${where}`);
  }
  return new Error("the Web Worker failed to load or run its script");
}

/**
 * {@link ThreadPoolExecutor} in a browser: the same pool — queue, dispatch,
 * cancellation, abort grace, broken workers, shutdown — over Web Workers
 * instead of `worker_threads`. Selected by the `browser` export condition of
 * `@aio/executors` (esbuild, Vite and Rollup's node-resolve with `browser`
 * pick it); the Node entry is untouched.
 *
 * Each worker is a module Web Worker made from a Blob URL of the pool's
 * worker script (`workerMain("web")`): a self-contained function crosses as
 * source and is compiled there; a `moduleFunction(url, name)` is imported
 * there with `import(url)` — so one worker runs both kinds of job. Arguments
 * and results cross by structured clone; {@link transfer} moves
 * `ArrayBuffer`s. A worker's uncaught error (an exception thrown outside a
 * job, a script that fails to load) ends it: the pool terminates it, fails
 * its running job with {@link BrokenExecutorError} and starts a replacement
 * when jobs wait. `cancelRunning: "abort"` aborts the job's `jobSignal()` and,
 * after `abortGraceMs`, `worker.terminate()`s a job that ignores it.
 *
 * What a page lacks: `resourceLimits` (no heap limits for Web Workers: a
 * `RuntimeError`), `ref`/`unref` (there is no process to keep alive), and
 * the synchronous port read that lets a Node worker see the cancellation of
 * a job sent ahead before starting it (a Web Worker sees it a host turn
 * later, so such a job may still run; its result is discarded). A page whose
 * Content-Security-Policy forbids `blob:` workers (`worker-src`) cannot
 * start the workers: the jobs fail with `BrokenExecutorError`.
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { ThreadPoolExecutor } from "@aio/executors";
 * await run(async () => {
 *   await using pool = new ThreadPoolExecutor({ maxWorkers: 2 });
 *   function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
 *   console.log(await pool.submit(fib, 25)); // 75025, computed in a Web Worker
 * });
 * ```
 */
export class ThreadPoolExecutor extends PoolExecutor {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  get _className(): string {
    return "ThreadPoolExecutor";
  }

  /** @internal */
  protected readonly _canTransfer = true;
  /** @internal */
  protected readonly _workerNoun = "Web Worker";

  /**
   * @param options - see {@link ThreadPoolExecutorOptions}.
   * @throws {TypeError} for options of the wrong type (a non-number duration
   *   too), or an initializer that cannot be shipped.
   * @throws {ValueError} when `maxWorkers` is not an integer >= 1.
   * @throws {RangeError} for other out-of-range options.
   * @throws {RuntimeError} for `resourceLimits` (Web Workers have no heap
   *   limits), or where the host has no `Worker`.
   */
  constructor(options: ThreadPoolExecutorOptions = {}) {
    super("ThreadPoolExecutor", options);
    const limits = options.resourceLimits;
    if (limits !== undefined) {
      if (typeof limits !== "object" || limits === null) {
        throw new TypeError(
          `ThreadPoolExecutor resourceLimits must be an object, received ${describeValue(limits)}`,
        );
      }
      throw new RuntimeError(
        "ThreadPoolExecutor resourceLimits is not supported in a browser: Web Workers have no heap limits",
      );
    }
    if (typeof WorkerCtor !== "function") {
      throw new RuntimeError("ThreadPoolExecutor needs Web Workers, which this host does not have");
    }
  }

  /** @internal */
  protected _spawn(events: WorkerEvents): WorkerChannel {
    workerUrl ??= URL.createObjectURL(new Blob([workerSource("web")], { type: "text/javascript" }));
    const worker = new WorkerCtor!(workerUrl, { type: "module", name: "@aio/executors" });
    let gone = false;
    // A Web Worker reports no exit: the pool reports it when it ends the
    // worker, or when the worker's uncaught error ends it (as it ends a
    // Node worker thread). Asynchronously, as Node's exit event: the engine
    // may be iterating its workers when it terminates one.
    const end = (): void => {
      if (gone) return;
      gone = true;
      worker.terminate();
      queueMicrotask(() => events.exit(WORKER_GONE, null));
    };
    worker.addEventListener("message", (e) => {
      if (!gone) events.message(e.data as unknown[]);
    });
    worker.addEventListener("error", (e) => {
      e.preventDefault(); // reported through the job's BrokenExecutorError, not the console
      if (gone) return;
      events.error(workerError(e));
      end();
    });
    worker.addEventListener("messageerror", () => {
      if (gone) return;
      events.error(new Error("a reply from the Web Worker could not be deserialized"));
      end();
    });
    return {
      id: nextWorkerId++,
      send: (batch, transfer) => worker.postMessage(batch, transfer ?? []),
      terminate: end,
      close: end,
      ref: () => {},
      unref: () => {},
    };
  }
}
