import { type FutureLike, getRunningLoop } from "@aio/core";

/**
 * Runs `fn(...args)` in the running loop's default executor and returns a
 * Future of its result (asyncio `to_thread`): the loop keeps serving other
 * tasks meanwhile. The default executor is a {@link ThreadPoolExecutor} the
 * loop creates on first use (importing `@aio/executors` provides it) and
 * shuts down when `run()` exits; `loop.setDefaultExecutor()` replaces it.
 *
 * `fn` crosses to a thread as source, so it must be self-contained (closures
 * do not cross threads), or be a `moduleFunction()`. Cancelling the Future
 * (or the task awaiting it) cancels the job if it has not started.
 *
 * @param fn - the function to run on a thread.
 * @param args - its arguments, structured-cloned.
 * @returns a Future of the result, bound to the running loop.
 * @throws {RuntimeError} `no running event loop` outside a loop.
 * @throws {TypeError} when `fn` cannot be shipped or an argument cannot be cloned.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { toThread } from "@aio/executors";
 * await run(async () => {
 *   const blockingSleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
 *   console.log(await toThread(blockingSleep, 50)); // "timed-out", and the loop was free meanwhile
 * });
 * ```
 */
export function toThread<A extends unknown[], R>(
  fn: (...args: A) => R | PromiseLike<R>,
  ...args: A
): FutureLike<Awaited<R>> {
  return getRunningLoop().runInExecutor(null, fn, ...args);
}
