/**
 * An array-backed ring buffer: O(1) push/shift at both ends, no per-item
 * allocation, and memory close to a plain array of the items.
 *
 * Invariant: the items live at `buf[(head + i) & mask]` for `0 <= i < length`;
 * every other slot holds `undefined` (so removed items can be collected);
 * the capacity is a power of two (`mask = capacity - 1`).
 */
/** Starting capacity; small so that the many primitives with few waiters stay cheap. */
const INITIAL_CAPACITY = 8;

export class Deque<T> {
  #buf: (T | undefined)[] = new Array<T | undefined>(INITIAL_CAPACITY).fill(undefined);
  #head = 0;
  #length = 0;
  #mask = INITIAL_CAPACITY - 1;

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length > this.#mask) this.#grow();
    this.#buf[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  unshift(item: T): void {
    if (this.#length > this.#mask) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#buf[this.#head] = item;
    this.#length++;
  }

  /** Removes and returns the first item; `undefined` when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const head = this.#head;
    const item = this.#buf[head];
    this.#buf[head] = undefined;
    this.#head = (head + 1) & this.#mask;
    this.#length--;
    return item;
  }

  /** The first item, or `undefined`. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#buf[this.#head];
  }

  /** Removes the first occurrence of `item`; returns whether it was found. */
  remove(item: T): boolean {
    const buf = this.#buf;
    const mask = this.#mask;
    const head = this.#head;
    const n = this.#length;
    for (let i = 0; i < n; i++) {
      if (buf[(head + i) & mask] !== item) continue;
      if (i < n >> 1) {
        // Closer to the front: move the earlier items one slot back.
        for (let j = i; j > 0; j--) buf[(head + j) & mask] = buf[(head + j - 1) & mask];
        buf[head] = undefined;
        this.#head = (head + 1) & mask;
      } else {
        // Closer to the back: move the later items one slot forward.
        for (let j = i; j < n - 1; j++) buf[(head + j) & mask] = buf[(head + j + 1) & mask];
        buf[(head + n - 1) & mask] = undefined;
      }
      this.#length--;
      return true;
    }
    return false;
  }

  /** The first item for which `pred` is true, or `undefined` (no iterator allocated). */
  find(pred: (item: T) => boolean): T | undefined {
    const buf = this.#buf;
    const mask = this.#mask;
    for (let i = 0; i < this.#length; i++) {
      const item = buf[(this.#head + i) & mask] as T;
      if (pred(item)) return item;
    }
    return undefined;
  }

  /** Drops every item. */
  clear(): void {
    this.#buf.fill(undefined);
    this.#head = 0;
    this.#length = 0;
  }

  /** The items, first to last, as a new array. */
  toArray(limit = Infinity): T[] {
    const n = Math.min(this.#length, limit);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.#buf[(this.#head + i) & this.#mask] as T;
    return out;
  }

  #grow(): void {
    const old = this.#buf;
    const cap = old.length;
    const buf = new Array<T | undefined>(cap * 2).fill(undefined);
    for (let i = 0; i < this.#length; i++) buf[i] = old[(this.#head + i) & this.#mask];
    this.#buf = buf;
    this.#head = 0;
    this.#mask = cap * 2 - 1;
  }
}
