import { _className, describeValue, type EventLoop, type FutureLike, ValueError } from "@aio/core";
import { QueueEmpty, QueueFull, QueueShutDown } from "./errors.js";
import { Event, eventWaitKind } from "./event.js";
import { Deque } from "./internal/deque.js";
import { startWait, type WaitKind, type WaitSteps } from "./internal/wait-op.js";
import {
  boundLoop,
  formatItem,
  loopFor,
  REPR_MAX_ITEMS,
  type WaitOptions,
} from "./internal/waiting.js";
import type { Waitable } from "./waitable.js";

const putName = (q: Queue<unknown>): string => `${_className(q)}.put()`;
const getName = (q: Queue<unknown>): string => `${_className(q)}.get()`;

/** @internal Where a queue keeps its items: FIFO (ring deque), LIFO (array) or priority (heap). */
export interface Store<T> {
  readonly length: number;
  push(item: T): void;
  /** Removes the next item to hand out. */
  shift(): T | undefined;
  clear(): void;
  toArray(limit?: number): T[];
}

/** @internal The method a queue subclass overrides to pick its storage discipline. */
export const kCreateStore: unique symbol = Symbol("createStore");

function checkMaxsize(cls: string, maxsize: unknown): number {
  if (typeof maxsize !== "number") {
    throw new TypeError(
      `${cls} maxsize must be an integer (0 or less: unbounded), received ${describeValue(maxsize)}`,
    );
  }
  // NaN or a fraction (±Infinity are fine: unbounded)
  if (!Number.isInteger(maxsize) && Math.abs(maxsize) !== Infinity) {
    throw new RangeError(
      `${cls} maxsize must be an integer (0 or less: unbounded), received ${describeValue(maxsize)}`,
    );
  }
  return maxsize;
}

/**
 * A FIFO queue for producer and consumer tasks (asyncio 3.13 `Queue`), with
 * `maxsize` back-pressure, `taskDone()`/`join()` accounting, `shutdown()`,
 * and async iteration.
 *
 * Invariants (asyncio queues.py, plus no barging): `#getters`/`#putters`
 * hold the futures of tasks blocked in `get()`/`put()`, in arrival order. A
 * wake-up pops the first pending future and counts it in
 * `#wokenGetters`/`#wokenPutters` until its task runs: a fresh `get()` takes
 * an item at once only when nobody waits and there are more items than woken
 * getters (likewise `put()` with free slots), so a woken waiter is never
 * overtaken by a newcomer. A woken waiter that finds nothing (an item taken
 * by `getNowait()` meanwhile) waits again at the front of the line. A woken
 * waiter that is cancelled passes its wake-up on (CPython `Queue.get`/`put`).
 * `#unfinished` counts items put and not yet `taskDone()`; `#finished` is set
 * exactly when it is 0.
 *
 * @typeParam T - the item type.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { createTask } from "@aio/futures";
 * import { Queue } from "@aio/sync";
 * await run(async () => {
 *   const queue = new Queue<number>(2);
 *   const consumer = createTask(async () => {
 *     for await (const n of queue) {
 *       console.log("got", n);
 *       queue.taskDone();
 *     }
 *   });
 *   for (let i = 0; i < 5; i++) await queue.put(i);
 *   await queue.join();
 *   queue.shutdown();
 *   await consumer;
 * });
 * ```
 */
export class Queue<T> implements AsyncIterable<T> {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  get _className(): string {
    return "Queue";
  }

  readonly #maxsize: number;
  readonly #store: Store<T>;
  readonly #getters: Deque<FutureLike<void>> = new Deque();
  readonly #putters: Deque<FutureLike<void>> = new Deque();
  #wokenGetters = 0;
  #wokenPutters = 0;
  #unfinished = 0;
  readonly #finished = new Event();
  #isShutdown = false;
  #loop: EventLoop | null = null;

  /**
   * @param maxsize - the most items the queue holds; 0 (default), a negative
   *   number or `Infinity` mean unbounded.
   * @throws {TypeError} when `maxsize` is not a number.
   * @throws {RangeError} when `maxsize` is NaN or not an integer.
   */
  constructor(maxsize = 0) {
    this.#maxsize = checkMaxsize(new.target.name ?? "Queue", maxsize);
    this.#store = this[kCreateStore]();
    this.#finished.set();
  }

  /** @internal The storage discipline; PriorityQueue and LifoQueue override it. */
  [kCreateStore](): Store<T> {
    return new Deque<T>();
  }

  /**
   * The most items the queue holds (0 or less: unbounded).
   * @example
   * ```ts
   * import { Queue } from "@aio/sync";
   * console.log(new Queue(5).maxsize); // 5
   * ```
   */
  get maxsize(): number {
    return this.#maxsize;
  }

  /**
   * Number of items in the queue.
   * @returns the count.
   * @example
   * ```ts
   * import { Queue } from "@aio/sync";
   * const q = new Queue<string>();
   * q.putNowait("a");
   * console.log(q.qsize()); // 1
   * ```
   */
  qsize(): number {
    return this.#store.length;
  }

  /**
   * True when the queue holds no items.
   * @returns whether it is empty.
   * @example
   * ```ts
   * import { Queue } from "@aio/sync";
   * console.log(new Queue().empty()); // true
   * ```
   */
  empty(): boolean {
    return this.#store.length === 0;
  }

  /**
   * True when the queue holds `maxsize` items (never for an unbounded queue).
   * @returns whether it is full.
   * @example
   * ```ts
   * import { Queue } from "@aio/sync";
   * const q = new Queue<number>(1);
   * q.putNowait(1);
   * console.log(q.full()); // true
   * ```
   */
  full(): boolean {
    return this.#maxsize > 0 && this.#store.length >= this.#maxsize;
  }

  /**
   * Puts an item, waiting for a free slot while the queue is full (asyncio `put`).
   * Waiting producers are served in FIFO order.
   * @param item - the item.
   * @param options - `signal`: abort the wait; the call then rejects with `signal.reason`.
   * @returns a Promise that resolves once the item is in the queue.
   * @throws {QueueShutDown} when the queue is shut down (also while waiting).
   * @throws {CancelledError} when the waiting task is cancelled (the item is not put).
   * @throws {RuntimeError} when it has to wait but no loop is running.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Queue } from "@aio/sync";
   * await run(async () => {
   *   const q = new Queue<string>(1);
   *   await q.put("job");
   *   console.log(q.full()); // true
   * });
   * ```
   */
  put(item: T, options?: WaitOptions): Waitable<void> {
    return startWait(Queue.#PUT as WaitKind<Queue<T>, void>, this, putName, options, item);
  }

  /** `put()` (asyncio's coroutine: a loop around `await putter`), for both forms. */
  static readonly #PUT: WaitKind<Queue<unknown>, void> = {
    begin: (q, op) => q.#putStep(op, op.arg, false),
    woke: (q, _putter, op) => {
      q.#wokenPutters--;
      q.#putStep(op, op.arg, true);
    },
    failed: (q, putter, err) => q.#putFailed(putter as FutureLike<void>, err),
    loops: true,
  };

  /** One pass of `put()`'s loop: put now, or wait (again). */
  #putStep(op: WaitSteps<void>, item: T, woken: boolean): void {
    if (this.#canPut(woken)) {
      this.putNowait(item);
      op.now(undefined);
    } else {
      op.waitFor(this.#addPutter(woken));
    }
  }

  /**
   * Whether `put()` may store its item now: a free slot nobody woken is
   * owed, and (FIFO) nobody waiting ahead — unless this putter was woken
   * for it. Throws {@link QueueShutDown} once the queue is shut down.
   */
  #canPut(woken: boolean): boolean {
    if (this.#isShutdown) throw new QueueShutDown();
    return woken
      ? !this.full()
      : this.#putters.length === 0 &&
          // a free slot nobody woken is owed (always, unbounded)
          (this.#maxsize <= 0 || this.#maxsize - this.#store.length > this.#wokenPutters);
  }

  /** Registers a putter future; a woken putter that lost its slot keeps its place at the head. */
  #addPutter(woken: boolean): FutureLike<void> {
    this.#loop =
      boundLoop(this.#loop) ?? loopFor(this.#loop, this, putName(this), () => this.#dropWaiters());
    const putter = this.#loop.createFuture<void>();
    if (woken) this.#putters.unshift(putter);
    else this.#putters.push(putter);
    return putter;
  }

  #putFailed(putter: FutureLike<void>, err: unknown): never {
    const wasWoken = putter.done() && !putter.cancelled();
    putter.cancel();
    this.#putters.remove(putter);
    if (wasWoken) {
      // CPython Queue.put: we were woken by getNowait() but cannot take
      // the slot; wake up the next in line.
      this.#wokenPutters--;
      if (!this.full()) this.#wakeUpNext(this.#putters, false);
    }
    throw err;
  }

  /**
   * Puts an item without waiting (asyncio `put_nowait`). Works anywhere,
   * also outside a loop.
   * @param item - the item.
   * @throws {QueueShutDown} when the queue is shut down.
   * @throws {QueueFull} when the queue is full.
   * @example
   * ```ts
   * import { Queue } from "@aio/sync";
   * const q = new Queue<number>();
   * q.putNowait(1);
   * ```
   */
  putNowait(item: T): void {
    if (this.#isShutdown) throw new QueueShutDown();
    if (this.full()) throw new QueueFull();
    this.#store.push(item);
    if (this.#unfinished++ === 0) this.#finished.clear();
    this.#wakeUpNext(this.#getters, true);
  }

  /**
   * Removes and returns the next item, waiting while the queue is empty
   * (asyncio `get`). Waiting consumers are served in FIFO order.
   * @param options - `signal`: abort the wait; the call then rejects with `signal.reason`.
   * @returns the item.
   * @throws {QueueShutDown} when the queue is shut down and empty (also while waiting).
   * @throws {CancelledError} when the waiting task is cancelled (no item is lost).
   * @throws {RuntimeError} when it has to wait but no loop is running.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Queue } from "@aio/sync";
   * await run(async () => {
   *   const q = new Queue<string>();
   *   setTimeout(() => q.putNowait("hello"), 5);
   *   console.log(await q.get()); // "hello"
   * });
   * ```
   */
  get(options?: WaitOptions): Waitable<T> {
    return startWait(Queue.#GET as WaitKind<Queue<T>, T>, this, getName, options);
  }

  /** `get()` (asyncio's coroutine: a loop around `await getter`), for both forms. */
  static readonly #GET: WaitKind<Queue<unknown>, unknown> = {
    begin: (q, op) => q.#getStep(op, false),
    woke: (q, _getter, op) => {
      q.#wokenGetters--;
      return q.#getStep(op, true);
    },
    failed: (q, getter, err) => q.#getFailed(getter as FutureLike<void>, err),
    loops: true,
  };

  /** One pass of `get()`'s loop: take an item now, or wait (again). */
  #getStep(op: WaitSteps<T>, woken: boolean): T {
    if (this.#canGet(woken)) {
      const item = this.getNowait();
      op.now(item);
      return item;
    }
    op.waitFor(this.#addGetter(woken));
    return undefined as T;
  }

  /**
   * Whether `get()` may take an item now: one nobody woken is owed, and
   * (FIFO) nobody waiting ahead — unless this getter was woken for it, or the
   * queue is shut down (gets drain it). Throws {@link QueueShutDown} once the
   * queue is shut down and empty.
   */
  #canGet(woken: boolean): boolean {
    const n = this.#store.length;
    if (
      n > 0 &&
      (woken || this.#isShutdown || (this.#getters.length === 0 && n > this.#wokenGetters))
    ) {
      return true;
    }
    if (this.#isShutdown) throw new QueueShutDown();
    return false;
  }

  /** Registers a getter future; a woken getter that lost its item keeps its place at the head. */
  #addGetter(woken: boolean): FutureLike<void> {
    this.#loop =
      boundLoop(this.#loop) ?? loopFor(this.#loop, this, getName(this), () => this.#dropWaiters());
    const getter = this.#loop.createFuture<void>();
    if (woken) this.#getters.unshift(getter);
    else this.#getters.push(getter);
    return getter;
  }

  #getFailed(getter: FutureLike<void>, err: unknown): never {
    const wasWoken = getter.done() && !getter.cancelled();
    getter.cancel();
    this.#getters.remove(getter);
    if (wasWoken) {
      // CPython Queue.get: we were woken by putNowait() but cannot take
      // the item; wake up the next in line.
      this.#wokenGetters--;
      if (!this.empty()) this.#wakeUpNext(this.#getters, true);
    }
    throw err;
  }

  /**
   * Removes and returns the next item without waiting (asyncio `get_nowait`).
   * Works anywhere, also outside a loop.
   * @returns the item.
   * @throws {QueueEmpty} when the queue is empty.
   * @throws {QueueShutDown} when the queue is empty and shut down.
   * @example
   * ```ts
   * import { Queue } from "@aio/sync";
   * const q = new Queue<number>();
   * q.putNowait(7);
   * console.log(q.getNowait()); // 7
   * ```
   */
  getNowait(): T {
    if (this.#store.length === 0) {
      if (this.#isShutdown) throw new QueueShutDown();
      throw new QueueEmpty();
    }
    const item = this.#store.shift() as T;
    this.#wakeUpNext(this.#putters, false);
    return item;
  }

  /** CPython `Queue._wakeup_next`: wake the next waiter that isn't cancelled. */
  #wakeUpNext(waiters: Deque<FutureLike<void>>, getters: boolean): void {
    while (waiters.length !== 0) {
      const waiter = waiters.shift() as FutureLike<void>;
      if (!waiter.done()) {
        if (getters) this.#wokenGetters++;
        else this.#wokenPutters++;
        waiter.setResult(undefined);
        return;
      }
    }
  }

  #dropWaiters(): void {
    this.#getters.clear();
    this.#putters.clear();
    this.#wokenGetters = 0;
    this.#wokenPutters = 0;
  }

  /**
   * Marks one item taken with `get()` as processed (asyncio `task_done`);
   * when every item put has been processed, `join()` returns.
   * @throws {ValueError} `taskDone() called too many times` (a `RangeError`).
   * @example
   * ```ts
   * import { Queue } from "@aio/sync";
   * const q = new Queue<number>();
   * q.putNowait(1);
   * q.getNowait();
   * q.taskDone();
   * ```
   */
  taskDone(): void {
    if (this.#unfinished <= 0) throw new ValueError("taskDone() called too many times");
    if (--this.#unfinished === 0) this.#finished.set();
  }

  /**
   * Waits until every item put has been processed (`taskDone()` called for it).
   * @param options - `signal`: abort the wait.
   * @returns a Promise that resolves when no unfinished item remains.
   * @throws {CancelledError} when the waiting task is cancelled.
   * @throws {RuntimeError} when it has to wait but no loop is running.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Queue } from "@aio/sync";
   * await run(async () => {
   *   const q = new Queue<number>();
   *   q.putNowait(1);
   *   setTimeout(() => { q.getNowait(); q.taskDone(); }, 5);
   *   await q.join();
   * });
   * ```
   */
  join(options?: WaitOptions): Waitable<void> {
    const method = `${_className(this)}.join()`;
    return startWait(
      (this.#joinKind ??= eventWaitKind(method, undefined)),
      this.#finished,
      method,
      options,
    );
  }

  /** `join()`: a wait for `#finished`, named after the queue. */
  #joinKind: WaitKind<Event, void> | null = null;

  /**
   * Shuts the queue down (asyncio 3.13 `shutdown`): `put()` and
   * `putNowait()` throw {@link QueueShutDown} from now on, and so do `get()`
   * and `getNowait()` once the queue is empty. Blocked `put()` calls throw
   * at once; blocked `get()` calls throw if the queue is empty. With
   * `immediate`, the items still queued are discarded (each counted as a
   * `taskDone()`, which may release `join()`), so gets throw at once.
   * Async iteration ends. Calling it again is harmless.
   * @param immediate - discard the queued items; default false.
   * @example
   * ```ts
   * import { Queue } from "@aio/sync";
   * const q = new Queue<number>();
   * q.putNowait(1);
   * q.shutdown();
   * console.log(q.getNowait()); // 1: gets drain the queue first
   * ```
   */
  shutdown(immediate = false): void {
    this.#isShutdown = true;
    if (immediate) {
      while (this.#store.length !== 0) {
        this.#store.shift();
        if (this.#unfinished > 0) this.#unfinished--;
      }
      // Release every task blocked in join().
      if (this.#unfinished === 0) this.#finished.set();
    }
    // Every getter re-checks: it takes an item or throws QueueShutDown.
    while (this.#getters.length !== 0) this.#wakeUpNext(this.#getters, true);
    while (this.#putters.length !== 0) this.#wakeUpNext(this.#putters, false);
  }

  /**
   * Async iteration: `for await (const item of queue)` gets items until the
   * queue is shut down and drained. It does not call `taskDone()`.
   * @returns an async iterator of the items.
   * @throws {CancelledError} when the iterating task is cancelled while waiting.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Queue } from "@aio/sync";
   * await run(async () => {
   *   const q = new Queue<number>();
   *   q.putNowait(1);
   *   q.putNowait(2);
   *   q.shutdown();
   *   for await (const n of q) console.log(n); // 1, 2
   * });
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (err) {
        if (err instanceof QueueShutDown) return;
        throw err;
      }
      yield item;
    }
  }

  /**
   * asyncio's str: `<Queue maxsize=2 _queue=[1] tasks=1>`, with
   * `_getters[n]`, `_putters[n]` and `shutdown` when they apply. At most
   * 20 items are shown.
   * @returns the description.
   * @example
   * ```ts
   * import { Queue } from "@aio/sync";
   * const q = new Queue<number>(2);
   * q.putNowait(1);
   * console.log(String(q)); // "<Queue maxsize=2 _queue=[1] tasks=1>"
   * ```
   */
  toString(): string {
    let result = `maxsize=${this.#maxsize}`;
    const n = this.#store.length;
    if (n > 0) {
      const items = this.#store.toArray(REPR_MAX_ITEMS).map((v) => formatItem(v));
      if (n > REPR_MAX_ITEMS) items.push(`… ${n - REPR_MAX_ITEMS} more`);
      result += ` _queue=[${items.join(", ")}]`;
    }
    if (this.#getters.length > 0) result += ` _getters[${this.#getters.length}]`;
    if (this.#putters.length > 0) result += ` _putters[${this.#putters.length}]`;
    if (this.#unfinished > 0) result += ` tasks=${this.#unfinished}`;
    if (this.#isShutdown) result += " shutdown";
    return `<${_className(this)} ${result}>`;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return _className(this);
  }

  /** Node's `util.inspect` hook: the asyncio repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
