/**
 * map-limited — `mapLimited(items, limit, fn, { signal, timeoutMs })`: calls
 * `fn` on every item with at most `limit` calls in flight and resolves to the
 * results in input order. The example library of the guide "For library
 * authors": it is built on \@aio (a Semaphore, a TaskGroup, a timeout) and
 * exports plain Promises, so its callers need not know \@aio at all.
 *
 * - Called from plain Promise code it runs on an event loop of its own;
 *   called from code inside an application's `run()` (or another library's)
 *   it joins that loop and that task — `ensureLoop()` decides.
 * - The first failing call cancels the others; the errors come out together
 *   as an `ExceptionGroup` (an `AggregateError`).
 * - `signal` (the caller's `AbortSignal`) cancels the work and rejects with
 *   `signal.reason`; `timeoutMs` cancels it and rejects with `TimeoutError`.
 * - `fn` receives an `AbortSignal` of its own call: pass it on to `fetch` and
 *   friends so a cancelled call stops at once.
 *
 * @packageDocumentation
 */
import { createTask, currentTask, taskGroup, timeout } from "@aio/futures";
import { ensureLoop } from "@aio/loop";
import { Semaphore } from "@aio/sync";

/** Options of {@link mapLimited}. */
export interface MapLimitedOptions {
  /** Cancels the work; the Promise rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** Milliseconds for the whole map; then it rejects with `TimeoutError` from `@aio/core`. */
  timeoutMs?: number;
}

/**
 * Calls `fn(item, index, signal)` for every item, at most `limit` at a time,
 * and resolves to the results in input order.
 *
 * @param items - the inputs (any iterable; read once, up front).
 * @param limit - the most calls in flight: an integer >= 1.
 * @param fn - the work for one item; `signal` aborts when that call is cancelled.
 * @param options - `signal`, `timeoutMs`.
 * @returns the results, in the order of `items`.
 * @throws {TypeError} (rejects) bad `items`, `fn` or options; {RangeError} a bad `limit` or `timeoutMs`.
 * @throws {AggregateError} (rejects) an `ExceptionGroup` of the errors of the calls that failed.
 * @throws {Error} (rejects) `signal.reason` when `signal` aborted; `TimeoutError` after `timeoutMs`.
 * @example
 * ```ts
 * import { mapLimited } from "map-limited";
 * const sizes = await mapLimited(["a", "bb", "ccc"], 2, async (s) => s.length);
 * console.log(sizes); // [1, 2, 3]
 * ```
 */
export function mapLimited<T, R>(
  items: Iterable<T>,
  limit: number,
  fn: (item: T, index: number, signal: AbortSignal) => R | PromiseLike<R>,
  options: MapLimitedOptions = {},
): Promise<Awaited<R>[]> {
  // ensureLoop: run on the caller's loop (inline in its task) or on a fresh
  // one. Everything below runs inside it, so bad arguments reject.
  return ensureLoop(async () => {
    const list = check(items, limit, fn, options);
    const { signal, timeoutMs } = options;
    signal?.throwIfAborted();
    // The work runs in a task of its own, so that the caller's signal can
    // cancel it without cancelling the caller's task.
    const work = createTask(
      async () => {
        const sem = new Semaphore(limit);
        const all = () =>
          taskGroup(async (tg) =>
            list.map((item, i) =>
              tg.createTask(() => {
                const own = currentTask()!.signal;
                return sem.run(() => fn(item, i, own));
              }),
            ),
          );
        const tasks = timeoutMs === undefined ? await all() : await timeout(timeoutMs, all);
        // taskGroup() gives undefined only after tg.cancel(), which this code never calls.
        return tasks!.map((t) => t.result());
      },
      { name: "mapLimited" },
    );
    const onAbort = () => work.cancel();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await work;
    } catch (err) {
      // Cancelled because the caller's signal aborted: reject as fetch() does.
      if (signal?.aborted && work.cancelled()) throw signal.reason;
      throw err;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  });
}

/** The argument checks (TypeError for a wrong type, RangeError out of range). */
function check<T>(items: Iterable<T>, limit: number, fn: unknown, options: MapLimitedOptions): T[] {
  if (items == null || typeof (items as Iterable<T>)[Symbol.iterator] !== "function") {
    throw new TypeError(`mapLimited() items must be an iterable, received ${String(items)}`);
  }
  if (typeof limit !== "number") {
    throw new TypeError(`mapLimited() limit must be an integer >= 1, received ${String(limit)}`);
  }
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`mapLimited() limit must be an integer >= 1, received ${limit}`);
  }
  if (typeof fn !== "function") {
    throw new TypeError(`mapLimited() fn must be a function, received ${String(fn)}`);
  }
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`mapLimited() options must be an object, received ${String(options)}`);
  }
  const { timeoutMs } = options;
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs))) {
    const E = typeof timeoutMs === "number" ? RangeError : TypeError;
    throw new E(`mapLimited() options.timeoutMs must be a number, received ${String(timeoutMs)}`);
  }
  return Array.from(items);
}
