// A queue subclass in its own module, so that an app that uses only `Queue`
// does not bundle it (see docs/design/size-budget.md).
import { _checkFunction } from "@aio/core";
import { Heap, naturalCompare } from "./internal/heap.js";
import { kCreateStore, Queue, type Store } from "./queue.js";

/** The comparator a PriorityQueue passes to its store while `super()` runs. */
let nextCompare: ((a: never, b: never) => number) | null = null;

/** Options of {@link PriorityQueue}. */
export interface PriorityQueueOptions<T> {
  /**
   * Orders the items: negative when `a` comes out first. Default: Python's
   * natural order — numbers, strings, bigints by value, arrays (`[priority, data]`
   * tuples) element by element.
   */
  compare?: (a: T, b: T) => number;
}

/**
 * A queue that hands out the smallest item first (asyncio `PriorityQueue`).
 * Put `[priority, data]` tuples, as in Python, or pass `{ compare }`.
 *
 * @typeParam T - the item type.
 * @example
 * ```ts
 * import { PriorityQueue } from "@aio/sync";
 * const q = new PriorityQueue<[number, string]>();
 * q.putNowait([2, "low"]);
 * q.putNowait([1, "high"]);
 * console.log(q.getNowait()); // [1, "high"]
 * ```
 */
export class PriorityQueue<T> extends Queue<T> {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  override get _className(): string {
    return "PriorityQueue";
  }

  /**
   * @param maxsize - the most items the queue holds; 0 (default) means unbounded.
   * @param options - `compare`: the ordering.
   * @throws {TypeError} when `maxsize` is not a number or `compare` not a function.
   * @throws {RangeError} when `maxsize` is NaN or not an integer.
   */
  constructor(maxsize = 0, options?: PriorityQueueOptions<T>) {
    const compare = options?.compare;
    if (compare !== undefined) _checkFunction("PriorityQueue", "compare", compare);
    nextCompare = (compare ?? naturalCompare) as (a: never, b: never) => number;
    try {
      super(maxsize);
    } finally {
      nextCompare = null;
    }
  }

  /** @internal */
  override [kCreateStore](): Store<T> {
    return new Heap<T>((nextCompare ?? naturalCompare) as (a: T, b: T) => number);
  }
}
