import { describeValue, type EventLoop, ValueError } from "@aio/core";
import { type Future, isFuture } from "./future.js";
import { runningLoop } from "./internal/running-loop.js";
import { isGenerator, isThenable } from "./internal/util.js";

/**
 * What the combinators accept: a Future or Task, any thenable (a native
 * promise is wrapped in a task), or a function (called inside a new task, so
 * its work starts on the loop and belongs to a task).
 */
export type AwaitableOrFn<T> = PromiseLike<T> | (() => T | PromiseLike<T>);

/**
 * What awaiting `A` in a combinator gives — the type of `await ensureFuture(a)`:
 * a Future's or thenable's result, a generator's (or a generator function's)
 * return value, an ordinary function's awaited return value.
 *
 * @typeParam A - an argument of `gather`, `wait`, `waitFor`, `shield`, `asCompleted`.
 * @example
 * ```ts
 * import type { ResultOf } from "@aio/futures";
 * type N = ResultOf<() => Promise<number>>; // number
 * type S = ResultOf<() => Generator<unknown, string>>; // string (a function*)
 * const n: N = 1;
 * const s: S = "x";
 * console.log(n, s);
 * ```
 */
export type ResultOf<A> =
  A extends PromiseLike<infer R>
    ? Awaited<R>
    : A extends Generator<unknown, infer R, any>
      ? R
      : A extends () => Generator<unknown, infer R, any>
        ? R
        : A extends () => infer R
          ? Awaited<R>
          : never;

/**
 * Wraps `aw` in a Future (asyncio `ensure_future`): a Future is returned as
 * is, a function runs in a new Task, a generator (what a `function*` returns)
 * runs in a new generator task, any other thenable is awaited by a new Task.
 *
 * In a generator task, `yield* ensureFuture(() => promiseCall())` is how
 * promise-style code is waited for: it runs in a task of its own, which the
 * generator task's cancellation cancels.
 *
 * @param aw - a Future, a thenable, or a function.
 * @param loop - default: the running loop.
 * @returns a Future of `aw`'s result.
 * @throws {TypeError} when `aw` is none of those.
 * @throws {ValueError} when `aw` is a Future of another loop than `loop`.
 * @throws {RuntimeError} `no running event loop: …` when a task must be made and no loop runs.
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
export function ensureFuture<T>(aw: Generator<unknown, T, any>, loop?: EventLoop): Future<T>;
export function ensureFuture<T>(aw: AwaitableOrFn<T>, loop?: EventLoop): Future<Awaited<T>>;
export function ensureFuture<T>(
  aw: AwaitableOrFn<T> | Generator<unknown, T, any>,
  loop?: EventLoop,
): Future<Awaited<T>> {
  return toFuture(aw, loop, "ensureFuture()");
}

/**
 * @internal ensureFuture() for the combinators: `where` names the helper the
 * user called in the errors (`gather() expects …`, `no running event loop:
 * gather() needs one …`).
 */
export function toFuture<T>(
  aw: AwaitableOrFn<T> | Generator<unknown, T, any>,
  loop: EventLoop | undefined,
  where: string,
): Future<Awaited<T>> {
  if (isFuture(aw)) {
    if (loop !== undefined && aw.getLoop() !== loop) {
      throw new ValueError(
        "The future belongs to a different loop than the one specified as the loop argument",
      );
    }
    return aw as Future<Awaited<T>>;
  }
  if (typeof aw === "function") {
    return (loop ?? runningLoop(where)).createTask(aw) as unknown as Future<Awaited<T>>;
  }
  // asyncio ensure_future(coro): a generator runs in a generator task; a
  // thenable (functions went above) is awaited by an `async` one.
  if (isGenerator(aw) || isThenable(aw)) {
    const awaitable = aw as PromiseLike<T>;
    return (loop ?? runningLoop(where)).createTask(() => awaitable) as unknown as Future<
      Awaited<T>
    >;
  }
  throw new TypeError(
    `${where} expects a Future, a thenable, a generator or a function, received ${describeValue(aw)}`,
  );
}
