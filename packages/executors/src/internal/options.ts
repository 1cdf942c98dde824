import { availableParallelism } from "node:os";
import { describeValue, ValueError } from "@aio/core";
import { type ShippedFn, shipFunction } from "./fn-spec.js";
import { prepareArgs } from "./wire.js";

/**
 * What a pool does with a job that is already running when its future is
 * cancelled: `"finish"` lets it run to the end and discards the result
 * (asyncio's and `concurrent.futures`' behaviour); `"abort"` aborts the job's
 * `jobSignal()` and, if the job has not settled `abortGraceMs` later,
 * terminates its worker (only that one) and starts a replacement.
 */
export type CancelRunning = "finish" | "abort";

/**
 * Options shared by {@link ThreadPoolExecutor} and {@link ProcessPoolExecutor}.
 *
 * @example
 * ```ts
 * import type { PoolExecutorOptions } from "@aio/executors";
 * const opts: PoolExecutorOptions = { maxWorkers: 2, idleTimeoutMs: 5_000, maxPending: 1_000 };
 * ```
 */
export interface PoolExecutorOptions {
  /** How many workers at most; default `os.availableParallelism()`. An integer >= 1. */
  maxWorkers?: number;
  /** Runs once in every new worker before its first job (a function or `moduleFunction()`). */
  initializer?: ((...args: any[]) => unknown) | null;
  /** The initializer's arguments (structured-cloned). */
  initargs?: readonly unknown[];
  /** A worker idle for this long (ms) exits; it is started again when needed. Default 30 000; `Infinity`: never. */
  idleTimeoutMs?: number;
  /** Jobs allowed to wait for a worker; `submit()` beyond it throws {@link ExecutorFullError}. Default `Infinity`. */
  maxPending?: number;
  /** See {@link CancelRunning}; default `"finish"`. */
  cancelRunning?: CancelRunning;
  /** With `cancelRunning: "abort"`: how long (ms) a job may take to stop before its worker is terminated. Default 1 000. */
  abortGraceMs?: number;
  /**
   * Jobs sent ahead to a busy worker while every worker is busy and jobs are
   * waiting, so the worker starts the next one without a round trip.
   * `"auto"` (the default) keeps about 4 ms of work queued in each worker,
   * judged from the run time of its recent jobs: 1 job ahead for jobs of 4 ms
   * or more, up to 512 for tiny ones (topped up when half are done). A number fixes the
   * depth; 0 sends a job only to an idle worker (no job ever waits behind a
   * long one). A job sent ahead but not started is still cancellable, and goes
   * to another worker if its worker dies.
   */
  prefetch?: number | "auto";
}

/** The options of a pool, checked and with their defaults filled in. */
export interface ResolvedOptions {
  readonly maxWorkers: number;
  readonly initializer: ShippedFn | null;
  readonly initargs: unknown[];
  readonly idleTimeoutMs: number;
  readonly maxPending: number;
  readonly cancelRunning: CancelRunning;
  readonly abortGraceMs: number;
  /** The fixed prefetch depth, or -1 for "auto". */
  readonly prefetch: number;
}

/**
 * Checks a pool's options and fills in the defaults.
 *
 * @param kind - the class name, for argument errors.
 * @throws {ValueError} when `maxWorkers` is not an integer >= 1.
 * @throws {RangeError} for other out-of-range options.
 * @throws {TypeError} for options of the wrong type.
 */
export function resolveOptions(kind: string, options: PoolExecutorOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${kind} options must be an object, received ${describeValue(options)}`);
  }
  const maxWorkers = options.maxWorkers ?? availableParallelism();
  if (typeof maxWorkers !== "number" || !Number.isInteger(maxWorkers) || maxWorkers < 1) {
    throw new ValueError(
      `${kind} maxWorkers must be an integer >= 1, received ${describeValue(maxWorkers)}`,
    );
  }
  const idleTimeoutMs = checkMs(kind, "idleTimeoutMs", options.idleTimeoutMs, 30_000, true);
  const abortGraceMs = checkMs(kind, "abortGraceMs", options.abortGraceMs, 1_000, false);
  const maxPending = options.maxPending ?? Number.POSITIVE_INFINITY;
  if (
    typeof maxPending !== "number" ||
    !(maxPending >= 0) ||
    !(Number.isInteger(maxPending) || maxPending === Infinity)
  ) {
    throw new RangeError(
      `${kind} maxPending must be an integer >= 0 or Infinity, received ${describeValue(maxPending)}`,
    );
  }
  const prefetch = options.prefetch ?? "auto";
  if (
    prefetch !== "auto" &&
    (typeof prefetch !== "number" || !Number.isInteger(prefetch) || prefetch < 0)
  ) {
    throw new RangeError(
      `${kind} prefetch must be "auto" or an integer >= 0, received ${describeValue(prefetch)}`,
    );
  }
  const cancelRunning = options.cancelRunning ?? "finish";
  if (cancelRunning !== "finish" && cancelRunning !== "abort") {
    throw new TypeError(
      `${kind} cancelRunning must be "finish" or "abort", received ${describeValue(cancelRunning)}`,
    );
  }
  const init = options.initializer ?? null;
  const initializer = init === null ? null : shipFunction(`${kind} initializer`, init);
  const initargs = options.initargs ?? [];
  if (!Array.isArray(initargs)) {
    throw new TypeError(`${kind} initargs must be an array, received ${describeValue(initargs)}`);
  }
  return {
    maxWorkers,
    initializer,
    initargs: prepareArgs(`${kind} initargs`, initargs, false).args,
    idleTimeoutMs,
    maxPending,
    cancelRunning,
    abortGraceMs,
    prefetch: prefetch === "auto" ? -1 : prefetch,
  };
}

function checkMs(
  kind: string,
  name: string,
  value: number | undefined,
  dflt: number,
  allowInf: boolean,
): number {
  const v = value ?? dflt;
  if (typeof v !== "number" || !(v >= 0) || (!allowInf && v === Number.POSITIVE_INFINITY)) {
    throw new RangeError(
      `${kind} ${name} must be a number >= 0${allowInf ? " or Infinity" : ""}, received ${describeValue(v)}`,
    );
  }
  return v;
}
