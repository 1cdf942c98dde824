import {
  _checkInteger,
  _checkMs,
  _checkOneOf,
  _checkOptions,
  describeValue,
  ValueError,
} from "@aio/core";
import { type ShippedFn, shipFunction } from "./fn-spec.js";
import { prepareArgs } from "./wire.js";

/**
 * The host's parallelism, the default `maxWorkers`: `os.availableParallelism()`
 * where the runtime has `node:os` (Node, Deno, Bun), else
 * `navigator.hardwareConcurrency` (browsers). `node:os` is reached through
 * `process.getBuiltinModule`, so the browser build imports no Node built-in.
 */
function availableParallelism(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.getBuiltinModule === "function") {
    return (proc.getBuiltinModule("node:os") as typeof import("node:os")).availableParallelism();
  }
  return (
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
      ?.hardwareConcurrency || 1
  );
}

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
  /** How many workers at most; default `os.availableParallelism()` (`navigator.hardwareConcurrency` in a browser). An integer >= 1. */
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
  /** Jobs a worker runs before it is replaced (`ProcessPoolExecutor`); `Infinity`: no limit. */
  readonly maxTasksPerChild: number;
}

/**
 * Checks a pool's options and fills in the defaults.
 *
 * @param kind - the class name, for argument errors.
 * @param perChild - the pool takes `maxTasksPerChild` (process pools).
 * @throws {TypeError} for options of the wrong type (a non-number duration too).
 * @throws {ValueError} when `maxWorkers` is not an integer >= 1.
 * @throws {RangeError} for other out-of-range options.
 */
export function resolveOptions(
  kind: string,
  options: PoolExecutorOptions,
  perChild = false,
): ResolvedOptions {
  options = _checkOptions(kind, options);
  // `undefined` means the default; `null` only where asyncio takes None
  // (`maxWorkers`, `initializer`), else it is a wrong type.
  const maxWorkers = options.maxWorkers ?? availableParallelism();
  _checkInteger(kind, "maxWorkers", maxWorkers, { min: 1, rangeError: ValueError });
  const idleTimeoutMs = options.idleTimeoutMs === undefined ? 30_000 : options.idleTimeoutMs;
  _checkMs(kind, "idleTimeoutMs", idleTimeoutMs, { min: 0 });
  const abortGraceMs = options.abortGraceMs === undefined ? 1_000 : options.abortGraceMs;
  _checkMs(kind, "abortGraceMs", abortGraceMs, { min: 0, infinite: false });
  const maxPending =
    options.maxPending === undefined ? Number.POSITIVE_INFINITY : options.maxPending;
  _checkInteger(kind, "maxPending", maxPending, { min: 0, infinite: true });
  const prefetch = options.prefetch === undefined ? "auto" : options.prefetch;
  if (prefetch !== "auto") {
    if (typeof prefetch !== "number") {
      throw new TypeError(
        `${kind} prefetch must be "auto" or an integer >= 0, received ${describeValue(prefetch)}`,
      );
    }
    _checkInteger(kind, "prefetch", prefetch, { min: 0 });
  }
  const cancelRunning = options.cancelRunning === undefined ? "finish" : options.cancelRunning;
  _checkOneOf(kind, "cancelRunning", cancelRunning, ["finish", "abort"] as const);
  const init = options.initializer ?? null;
  const initializer = init === null ? null : shipFunction(`${kind} initializer`, init);
  const initargs = options.initargs ?? [];
  if (!Array.isArray(initargs)) {
    throw new TypeError(`${kind} initargs must be an array, received ${describeValue(initargs)}`);
  }
  // asyncio 3.11: ProcessPoolExecutor(max_tasks_per_child=None), ValueError below 1.
  const perChildLimit = perChild
    ? (options as { maxTasksPerChild?: number | null }).maxTasksPerChild
    : undefined;
  if (perChildLimit !== undefined && perChildLimit !== null) {
    _checkInteger(kind, "maxTasksPerChild", perChildLimit, { min: 1, rangeError: ValueError });
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
    maxTasksPerChild: perChildLimit ?? Number.POSITIVE_INFINITY,
  };
}

/**
 * Checks an optional boolean option (a local check: core has no boolean validator).
 *
 * @throws {TypeError} `<where> <name> must be true or false, received …`.
 */
export function checkBoolean(where: string, name: string, value: unknown): void {
  if (value !== undefined && typeof value !== "boolean") {
    throw new TypeError(`${where} ${name} must be true or false, received ${describeValue(value)}`);
  }
}
