import type { TransferListItem } from "node:worker_threads";
import { describeValue } from "@aio/core";
import { WORKER_SLOT } from "./internal/protocol.js";
import { defaultTransferList, makeTransferMarker } from "./internal/wire.js";

/**
 * Marks a job argument (or a job's return value, inside the worker) to be
 * moved instead of copied: the `ArrayBuffer`s in `list` are transferred
 * zero-copy to the other thread and become detached (length 0) on this side.
 * Without `list`, an `ArrayBuffer` or a typed array's buffer is transferred.
 *
 * Thread pools transfer; process pools copy (a process boundary cannot move
 * memory) and just unwrap the marker. Inside a shipped function `transfer` is
 * available by that name without an import.
 *
 * @typeParam T - the value's type.
 * @param value - the argument or result.
 * @param list - what to transfer; default: `value` itself when it is an
 *   `ArrayBuffer`, or its buffer when it is a typed array or `DataView`.
 * @returns a marker the pool unwraps (typed as `T` so it fits the function's parameter).
 * @throws {TypeError} when `list` is given and is not an array.
 * @example
 * ```ts
 * import { ThreadPoolExecutor, transfer } from "@aio/executors";
 * await using pool = new ThreadPoolExecutor({ maxWorkers: 1 });
 * const bytes = new Uint8Array(16 * 1024 * 1024);
 * const back = await pool.submit((b: Uint8Array) => transfer(b), transfer(bytes));
 * console.log(bytes.length, back.length); // 0 16777216
 * ```
 */
export function transfer<T>(value: T, list?: readonly TransferListItem[]): T {
  if (list !== undefined && !Array.isArray(list)) {
    throw new TypeError(`transfer() list must be an array, received ${describeValue(list)}`);
  }
  return makeTransferMarker(
    value,
    list === undefined ? defaultTransferList(value) : [...list],
  ) as unknown as T;
}

const neverAborted = new AbortController().signal;

/**
 * The `AbortSignal` of the job running in this worker: aborted when the job
 * is cancelled while it runs, if its executor was made with
 * `cancelRunning: "abort"`. The job then has `abortGraceMs` to stop before its
 * worker (and only its worker) is terminated and replaced.
 *
 * Inside a shipped function `jobSignal` is available by that name without an
 * import; a `moduleFunction` imports it from `@aio/executors`. Outside a job
 * (e.g. a module function called directly) it returns a signal that never aborts.
 *
 * @returns the running job's signal.
 * @example
 * ```ts
 * import { ThreadPoolExecutor, jobSignal } from "@aio/executors";
 * const pool = new ThreadPoolExecutor({ cancelRunning: "abort", abortGraceMs: 500 });
 * const job = pool.submit(async () => {
 *   const signal = jobSignal();
 *   while (!signal.aborted) await new Promise((r) => setTimeout(r, 10));
 *   return "stopped cleanly";
 * });
 * job.cancel();
 * await pool.shutdown();
 * ```
 */
export function jobSignal(): AbortSignal {
  const slot = (globalThis as Record<symbol, { signal(): AbortSignal | undefined } | undefined>)[
    Symbol.for(WORKER_SLOT)
  ];
  return slot?.signal() ?? neverAborted;
}
