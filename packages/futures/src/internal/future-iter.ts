import { _currentTask, _suspensionSites, RuntimeError } from "@aio/core";
import type { Future } from "../future.js";

/** What iterating a future outside a generator task gives: nothing. */
export const EMPTY_ITER: Iterator<unknown, undefined, unknown> & Iterable<unknown> = Object.freeze({
  next: (): IteratorResult<unknown, undefined> => ({ done: true, value: undefined }),
  [Symbol.iterator]() {
    return this;
  },
});

/**
 * `yield* fut` on a future already done with a result: the iterator is its
 * own (only) step's outcome, `{ done: true, value }`, so the `yield*` costs
 * one small object. `return()`/`throw()` are never reached: the delegation
 * ends at the first `next()`.
 */
export class DoneIter<T> implements Iterator<never, T, unknown>, IteratorReturnResult<T> {
  // `declare`d and assigned in the constructor: the same fields in the same
  // order, without the class-field declarations a bundle would carry.
  declare readonly done: true;
  declare readonly value: T;

  constructor(value: T) {
    this.done = true;
    this.value = value;
  }

  next(): this {
    return this;
  }

  [Symbol.iterator](): this {
    return this;
  }
}

/**
 * The iterator behind `yield* fut` (asyncio's `Future.__await__`): yields the
 * future once while it is pending, then returns its result. The task driving
 * the generator throws the future's exception in through `throw()`.
 */
export class FutureIter<T> implements Iterator<Future<unknown>, T, unknown> {
  /** The future; null once the iteration is over. */
  #fut: Future<T> | null;
  #yielded = false;

  constructor(fut: Future<T>) {
    this.#fut = fut;
  }

  next(): IteratorResult<Future<unknown>, T> {
    const fut = this.#fut;
    if (fut === null) return { done: true, value: undefined as T };
    if (!fut.done()) {
      if (this.#yielded) throw new RuntimeError("yield* wasn't used with future");
      this.#yielded = true;
      if (fut.getLoop().getDebug()) {
        // Debug mode: the generator's frames are on the stack only now.
        const task = _currentTask();
        if (task !== null)
          _suspensionSites.set(task, { future: fut, stack: new Error().stack ?? "" });
      }
      return { done: false, value: fut as Future<unknown> };
    }
    this.#fut = null;
    return { done: true, value: fut.result() };
  }

  throw(err: unknown): never {
    this.#fut = null;
    throw err;
  }

  return(value?: unknown): IteratorResult<Future<unknown>, T> {
    this.#fut = null;
    return { done: true, value: value as T };
  }

  [Symbol.iterator](): this {
    return this;
  }
}
