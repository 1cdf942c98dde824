/**
 * A binary min-heap on a plain array (Python's `heapq`), ordered by `compare`.
 */
export class Heap<T> {
  readonly #items: T[] = [];
  readonly #compare: (a: T, b: T) => number;

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  get length(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    this.#siftDown(item, items.length - 1);
  }

  /**
   * Removes and returns the smallest item; `undefined` when empty.
   *
   * heapq's `heappop`, step for step, so that items that compare equal come
   * out in the same order as from asyncio's PriorityQueue: the hole left at
   * the root sinks to a leaf along the smaller children (the right one on a
   * tie, heapq `_siftup`), and the last item rises from there (`_siftdown`).
   */
  shift(): T | undefined {
    const items = this.#items;
    const last = items.pop();
    const n = items.length;
    if (n === 0) return last;
    const top = items[0];
    const compare = this.#compare;
    let i = 0;
    for (let child = 1; child < n; child = 2 * i + 1) {
      if (child + 1 < n && !(compare(items[child] as T, items[child + 1] as T) < 0)) child++;
      items[i] = items[child] as T;
      i = child;
    }
    this.#siftDown(last as T, i);
    return top;
  }

  /** heapq `_siftdown(heap, 0, i)`: moves `item` from slot `i` up past every larger parent. */
  #siftDown(item: T, i: number): void {
    const items = this.#items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!(this.#compare(item, items[parent] as T) < 0)) break;
      items[i] = items[parent] as T;
      i = parent;
    }
    items[i] = item;
  }

  clear(): void {
    this.#items.length = 0;
  }

  /** The items in heap (storage) order, as Python's repr of `_queue` shows them. */
  toArray(limit = Number.POSITIVE_INFINITY): T[] {
    return this.#items.slice(0, limit);
  }
}

/**
 * Python's natural ordering for the items people put in a PriorityQueue:
 * numbers, bigints, strings, booleans and Dates by value, arrays (tuples such
 * as `[priority, data]`) element by element.
 *
 * @throws {TypeError} for values with no natural order (plain objects, mixed kinds).
 */
export function naturalCompare(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = naturalCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  const ta = typeof a;
  const tb = typeof b;
  const orderable = (t: string) =>
    t === "number" || t === "bigint" || t === "string" || t === "boolean";
  if (
    (orderable(ta) && orderable(tb) && (ta === tb || (ta !== "string" && tb !== "string"))) ||
    (a instanceof Date && b instanceof Date)
  ) {
    const x = a as number;
    const y = b as number;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  throw new TypeError(
    `PriorityQueue cannot order ${describe(a)} and ${describe(b)}; put numbers, strings or [priority, data] arrays, or pass { compare }`,
  );
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return `an instance of ${(v as object).constructor?.name ?? "Object"}`;
  return typeof v;
}
