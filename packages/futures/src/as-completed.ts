import { _checkMs, _checkOptions, type EventLoop, type Handle, TimeoutError } from "@aio/core";
import type { AwaitableOrFn, ResultOf } from "./ensure-future.js";
import { Future } from "./future.js";
import type { Coroutine } from "./task.js";
import { toFutures, type WaitFuture } from "./wait.js";

/** Options of {@link asCompleted}. */
export interface AsCompletedOptions {
  /** Milliseconds until the remaining awaitables throw `TimeoutError`; null: no limit. */
  timeout?: number | null;
}

/**
 * A finished future as `for await (… of asCompleted(…))` hands it out: read it
 * with `result()`/`exception()`. Typed without `then`, because TypeScript
 * types the loop variable of `for await` as the *awaited* element type, which
 * for a Future would be its result — while at run time it is the Future
 * itself (asyncio 3.13).
 */
export type CompletedFuture<T, F = Future<T>> = Omit<F, "then" | "catch" | "finally">;

/**
 * What {@link asCompleted} returns: iterate it (`for`) to get one awaitable
 * per input, in completion order (asyncio 3.11), or iterate it
 * asynchronously (`for await`) to get the finished futures and tasks
 * themselves (asyncio 3.13).
 *
 * @typeParam T - the inputs' results (a union for mixed inputs).
 * @typeParam F - the futures handed out by `for await`: the Tasks and
 *   Futures passed in, and a Task for each function.
 */
export class AsCompleted<T, F = Future<T>>
  implements Iterable<PromiseLike<T>>, AsyncIterable<CompletedFuture<T, F>>
{
  #loop: EventLoop;
  #todo: Set<Future<T>>;
  #done: (Future<T> | null)[] = [];
  /** Boxed: a Future resolved with a Future would adopt its state. */
  #waiters: Future<{ item: Future<T> | null }>[] = [];
  #remaining: number;
  #timer: Handle | null = null;

  /** @internal Made by asCompleted(). */
  constructor(futures: Future<T>[], loop: EventLoop, timeout: number | null) {
    this.#loop = loop;
    this.#todo = new Set(futures);
    this.#remaining = futures.length;
    for (const f of futures) f.addDoneCallback(this.#onCompleted);
    if (timeout !== null && this.#todo.size > 0)
      this.#timer = loop.callLater(timeout, this.#onTimeout);
  }

  #push(item: Future<T> | null): void {
    for (;;) {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) break;
      if (waiter.done()) continue;
      waiter.setResult({ item });
      return;
    }
    this.#done.push(item);
  }

  #onCompleted = (f: Future<T>): void => {
    if (!this.#todo.delete(f)) return;
    this.#push(f);
    if (this.#todo.size === 0) this.#timer?.cancel();
  };

  #onTimeout = (): void => {
    for (const f of this.#todo) f.removeDoneCallback(this.#onCompleted);
    this.#todo.clear();
    this.#push(null); // the timeout sentinel
  };

  /** Waits for the next finished future; boxed, since an async function would unwrap it. */
  async #next(): Promise<{ item: Future<T> }> {
    let item: Future<T> | null | undefined;
    if (this.#done.length > 0) {
      item = this.#done[0];
      // The timeout sentinel stays: every later wait also times out.
      if (item !== null) this.#done.shift();
    } else {
      const waiter = new Future<{ item: Future<T> | null }>({ loop: this.#loop });
      this.#waiters.push(waiter);
      try {
        item = (await waiter).item;
      } catch (err) {
        // Cancelled after the item was handed over: give it back, nothing is lost.
        if (waiter.done() && !waiter.cancelled()) this.#done.unshift(waiter.result().item);
        const i = this.#waiters.indexOf(waiter);
        if (i !== -1) this.#waiters.splice(i, 1);
        throw err;
      }
      if (item === null) this.#done.unshift(null);
    }
    if (item === null || item === undefined) throw new TimeoutError();
    return { item };
  }

  /**
   * Yields one awaitable per input; the n-th settles like the n-th input to finish.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { asCompleted, sleep } from "@aio/futures";
   * await run(async () => {
   *   for (const next of asCompleted([() => sleep(20, "slow"), () => sleep(10, "fast")])) {
   *     console.log(await next); // "fast", then "slow"
   *   }
   * });
   * ```
   */
  *[Symbol.iterator](): Iterator<PromiseLike<T>> {
    const n = this.#remaining;
    for (let i = 0; i < n; i++) {
      this.#remaining--;
      let started: Promise<T> | null = null;
      // Lazy: waiting starts when the awaitable is awaited (like asyncio's coroutine).
      const awaitable: PromiseLike<T> = {
        then: (onFulfilled, onRejected) => {
          started ??= this.#next().then((box) => box.item.result() as T);
          return started.then(onFulfilled, onRejected);
        },
      };
      yield awaitable;
    }
  }

  /**
   * Yields the input futures and tasks themselves as they finish (asyncio 3.13).
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { asCompleted, createTask, sleep } from "@aio/futures";
   * await run(async () => {
   *   const tasks = [createTask(() => sleep(20, "b")), createTask(() => sleep(10, "a"))];
   *   for await (const done of asCompleted(tasks)) console.log(done.getName(), done.result()); // a Task: no cast
   * });
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<CompletedFuture<T, F>> {
    // Hand-written, not `async *`: an async generator would await the
    // yielded Future and hand out its result instead of the Future.
    return {
      next: async (): Promise<IteratorResult<CompletedFuture<T, F>>> => {
        if (this.#remaining <= 0) return { done: true, value: undefined };
        this.#remaining--;
        return { done: false, value: (await this.#next()).item as unknown as F };
      },
    };
  }
}

/**
 * Iterates awaitables in the order they complete (asyncio `as_completed`).
 * With `timeout`, the awaitables still pending when it passes throw
 * `TimeoutError`. Functions run in new tasks.
 *
 * @param aws - futures, tasks, thenables or functions.
 * @param options - `timeout` (ms).
 * @returns an object both iterable and async iterable (see {@link AsCompleted}).
 * @throws {TypeError} when `aws` is not an iterable, `options` not an object, `timeout` not a number.
 * @throws {RangeError} when `timeout` is NaN.
 * @throws {RuntimeError} `no running event loop: …` outside a loop.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { asCompleted, sleep } from "@aio/futures";
 * await run(async () => {
 *   for (const next of asCompleted([() => sleep(30, 3), () => sleep(10, 1), () => sleep(20, 2)])) {
 *     console.log(await next); // 1, 2, 3
 *   }
 * });
 * ```
 */
export function asCompleted<A extends AwaitableOrFn<unknown> | Coroutine<unknown>>(
  aws: Iterable<A>,
  options?: AsCompletedOptions,
): AsCompleted<ResultOf<A>, WaitFuture<A>> {
  const opts = _checkOptions("asCompleted()", options);
  const timeout = opts.timeout ?? null;
  _checkMs("asCompleted()", "options.timeout", timeout, { nullable: true });
  const { futures, loop } = toFutures("asCompleted()", aws);
  return new AsCompleted<ResultOf<A>, WaitFuture<A>>(
    futures as Future<ResultOf<A>>[],
    loop,
    timeout,
  );
}
