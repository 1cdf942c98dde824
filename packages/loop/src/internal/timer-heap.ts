import type { TimerHandle } from "../handle.js";

function before(a: TimerHandle, b: TimerHandle): boolean {
  return a._when < b._when || (a._when === b._when && a._seq < b._seq);
}

/**
 * A binary min-heap of timers ordered by (deadline, insertion order), so
 * timers fire in deadline order and FIFO among equal deadlines.
 */
export class TimerHeap {
  #items: TimerHandle[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): TimerHandle | undefined {
    return this.#items[0];
  }

  push(item: TimerHandle): void {
    const a = this.#items;
    let i = a.length;
    a.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent]!;
      if (!before(item, p)) break;
      a[i] = p;
      i = parent;
    }
    a[i] = item;
  }

  pop(): TimerHandle | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) this.#siftDown(0, last);
    return top;
  }

  /** Keeps only the items for which `keep` is true, then restores heap order in O(n). */
  filter(keep: (item: TimerHandle) => boolean): void {
    const a = this.#items.filter(keep);
    this.#items = a;
    for (let i = (a.length >> 1) - 1; i >= 0; i--) this.#siftDown(i, a[i]!);
  }

  clear(): TimerHandle[] {
    const a = this.#items;
    this.#items = [];
    return a;
  }

  #siftDown(i: number, item: TimerHandle): void {
    const a = this.#items;
    const n = a.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && before(a[right]!, a[child]!)) child = right;
      const c = a[child]!;
      if (!before(c, item)) break;
      a[i] = c;
      i = child;
    }
    a[i] = item;
  }
}
