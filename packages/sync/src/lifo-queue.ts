// A queue subclass in its own module, so that an app that uses only `Queue`
// does not bundle it (see docs/design/size-budget.md).
import { kCreateStore, Queue, type Store } from "./queue.js";

class LifoStore<T> implements Store<T> {
  readonly #items: T[] = [];
  get length(): number {
    return this.#items.length;
  }
  push(item: T): void {
    this.#items.push(item);
  }
  shift(): T | undefined {
    return this.#items.pop();
  }
  clear(): void {
    this.#items.length = 0;
  }
  toArray(limit = Number.POSITIVE_INFINITY): T[] {
    return this.#items.slice(0, limit);
  }
}

/**
 * A queue that hands out the most recently added item first (asyncio `LifoQueue`).
 *
 * @typeParam T - the item type.
 * @example
 * ```ts
 * import { LifoQueue } from "@aio/sync";
 * const q = new LifoQueue<number>();
 * q.putNowait(1);
 * q.putNowait(2);
 * console.log(q.getNowait()); // 2
 * ```
 */
export class LifoQueue<T> extends Queue<T> {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  override get _className(): string {
    return "LifoQueue";
  }

  /** @internal */
  override [kCreateStore](): Store<T> {
    return new LifoStore<T>();
  }
}
