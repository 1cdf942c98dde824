import { describeValue, type EventLoop, getRunningLoop, ValueError } from "@aio/core";
import { type Future, isFuture } from "./future.js";

/**
 * What the combinators accept: a Future or Task, any thenable (a native
 * promise is wrapped in a task), or a function (called inside a new task, so
 * its work starts on the loop and belongs to a task).
 */
export type AwaitableOrFn<T> = PromiseLike<T> | (() => T | PromiseLike<T>);

/**
 * Wraps `aw` in a Future (asyncio `ensure_future`): a Future is returned as
 * is, a function runs in a new Task, any other thenable is awaited by a new
 * Task.
 *
 * @param aw - a Future, a thenable, or a function.
 * @param loop - default: the running loop.
 * @returns a Future of `aw`'s result.
 * @throws {TypeError} when `aw` is none of those.
 * @throws {ValueError} when `aw` is a Future of another loop than `loop`.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { ensureFuture } from "@aio/futures";
 * await run(async () => {
 *   const fut = ensureFuture(async () => 5);
 *   console.log(await fut); // 5
 * });
 * ```
 */
export function ensureFuture<T>(aw: AwaitableOrFn<T>, loop?: EventLoop): Future<Awaited<T>> {
  if (isFuture(aw)) {
    if (loop !== undefined && aw.getLoop() !== loop) {
      throw new ValueError(
        "The future belongs to a different loop than the one specified as the loop argument",
      );
    }
    return aw as Future<Awaited<T>>;
  }
  if (typeof aw === "function") {
    return (loop ?? getRunningLoop()).createTask(aw) as unknown as Future<Awaited<T>>;
  }
  if (typeof aw === "object" && aw !== null && typeof (aw as PromiseLike<T>).then === "function") {
    const awaitable = aw as PromiseLike<T>;
    return (loop ?? getRunningLoop()).createTask(() => awaitable) as unknown as Future<Awaited<T>>;
  }
  throw new TypeError(
    `ensureFuture() expects a Future, a thenable or a function, received ${describeValue(aw)}`,
  );
}
