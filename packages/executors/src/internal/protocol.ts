/**
 * The wire protocol between a pool and its workers. Both sides send arrays of
 * messages (a batch per host turn); each message is a tuple whose first
 * element is one of these tags. `worker-main.ts` is shipped to the worker as
 * source and cannot import this file, so it repeats the tags as local
 * constants of the same names; `test/protocol.test.ts` checks they agree.
 */

/** main → worker: `[INIT, initializer | null, initargs]`, always the first message. */
export const M_INIT = 0;
/**
 * main → worker: `[JOB, id, fnKey, fnSpec | null, args, abortable, chunked]`.
 * `fnSpec` only the first time a worker sees `fnKey`; `abortable` when the
 * pool's `cancelRunning` is `"abort"`; `chunked` for a `map()` chunk, whose
 * `args` is then a list of argument lists (one call each, results in order).
 */
export const M_JOB = 1;
/** main → worker: `[CANCEL, id, abort]`: skip the job if it has not started; if it runs and `abort`, abort its signal. */
export const M_CANCEL = 2;
/**
 * main → worker: `[RESUME, id]`: the pool has seen the reply of job `id`, whose
 * signal was aborted; the worker, which holds after such a job, may start the
 * next one. Until then the pool's abort grace timer may still terminate the
 * worker, and it must not be running another job when that happens.
 */
export const M_RESUME = 3;

/** worker → main: `[INIT_OK]`. */
export const R_INIT_OK = 0;
/** worker → main: `[INIT_ERR, error]`. */
export const R_INIT_ERR = 1;
/**
 * worker → main: `[OK, id, value, held, ms]`: `held` when the job's signal was
 * aborted (the worker waits for RESUME), `ms` its run time.
 */
export const R_OK = 2;
/** worker → main: `[ERR, id, error, held, ms]`, as {@link R_OK}. */
export const R_ERR = 3;
/** worker → main: `[SKIPPED, id, null, held]`: the job was cancelled before it started; `held` as {@link R_OK}. */
export const R_SKIPPED = 4;

/** How a function crosses the boundary: its source, or a module URL and export name. */
export type FnSpec = { src: string } | { mod: string; name: string };

/** An error as it crosses the boundary (Errors lose their class in a structured clone). */
export interface SerializedError {
  /** False when something other than an Error was thrown; then `value` holds it. */
  isError: boolean;
  name: string;
  message: string;
  stack: string | undefined;
  /** Own enumerable properties that could be cloned (e.g. `code`). */
  props: Record<string, unknown> | undefined;
  cause: SerializedError | undefined;
  /**
   * A cause chain that loops: the position in the chain (0 = the outermost
   * error) of the error this one's `cause` is (`err.cause === err` gives 0).
   */
  causeRef?: number;
  value: unknown;
}

/** The brand of a {@link transfer} marker; a registered symbol, so both sides agree. */
export const TRANSFER_BRAND = "@aio/executors.transfer";

/** The global slot where a worker publishes the running job's context for `jobSignal()`. */
export const WORKER_SLOT = "@aio/executors.worker";
