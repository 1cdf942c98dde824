import { type EventLoop, type FutureLike, RuntimeError } from "@aio/core";
import type { Hold } from "./hold.js";
import { Deque } from "./internal/deque.js";
import { Permits } from "./internal/permits.js";
import { boundLoop, loopFor, type Waiter, type WaitOptions } from "./internal/waiting.js";
import type { Waitable } from "./waitable.js";

const isLive = (w: Waiter): boolean => !w.cancelled();

/**
 * Takes `lock` at once when `acquire()` would (free, and nobody live waits
 * ahead); false when it would have to wait. For the synchronous parts of
 * waits built on a lock (`Barrier`).
 * @internal
 */
export let tryAcquireLock: (lock: Lock) => boolean;

/**
 * A fair mutual-exclusion lock for tasks (asyncio `Lock`).
 *
 * Invariant (asyncio locks.py): `#locked` is true while some task holds the
 * lock. `#waiters` holds one future per task blocked in `acquire()`, in
 * arrival order; a waiter stays in the list until its task resumes, and at
 * most the first waiter is ever woken (done but still listed) at a time. A
 * fresh `acquire()` takes the lock at once only when it is free and nobody
 * (not cancelled) is listed — so a woken waiter is never overtaken (no
 * barging), and wake-ups go out in FIFO order.
 *
 * Cancellation (or a `signal` abort) of a waiting task removes its waiter;
 * if the lock is free at that moment, the next waiter is woken, so a wake-up
 * handed to a task that was cancelled is passed on (CPython
 * `Lock.acquire`/`_wake_up_first`).
 *
 * Uncontended `acquire()`/`release()` allocate nothing; waiting needs a
 * running loop (see {@link Lock.acquire}).
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { createTask, gather, sleep } from "@aio/futures";
 * import { Lock } from "@aio/sync";
 * await run(async () => {
 *   const lock = new Lock();
 *   let inside = 0;
 *   const worker = async () => {
 *     await using _ = await lock.hold();
 *     inside++;
 *     await sleep(1);
 *     console.log("inside:", inside); // always 1
 *     inside--;
 *   };
 *   await gather(createTask(worker), createTask(worker));
 * });
 * ```
 */
export class Lock {
  #locked = false;
  #waiters: Deque<Waiter> | null = null;
  #loop: EventLoop | null = null;

  static {
    tryAcquireLock = (lock) => lock.#tryAcquire();
  }

  /**
   * True while the lock is held.
   * @returns whether the lock is held.
   * @example
   * ```ts
   * import { Lock } from "@aio/sync";
   * console.log(new Lock().locked()); // false
   * ```
   */
  locked(): boolean {
    return this.#locked;
  }

  /**
   * Acquires the lock, waiting for it when it is held (asyncio `acquire`).
   * Waiters get the lock in FIFO order. When the calling task is cancelled
   * while waiting, the `await` throws `CancelledError` and nothing is left
   * behind.
   *
   * A free lock is taken without a running loop (as in asyncio); waiting
   * needs one: the lock binds to the running loop on its first wait.
   *
   * @param options - `signal`: abort the wait; the call then rejects with `signal.reason`
   *   (at once when it is already aborted).
   * @returns `true` once the lock is held.
   * @throws {CancelledError} when the waiting task is cancelled.
   * @throws {RuntimeError} when it has to wait but no loop is running, or the lock
   *   is bound to a different running loop.
   * @throws {TypeError} when `options.signal` is not an AbortSignal.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Lock } from "@aio/sync";
   * await run(async () => {
   *   const lock = new Lock();
   *   await lock.acquire();
   *   try {
   *     console.log(lock.locked()); // true
   *   } finally {
   *     lock.release();
   *   }
   * });
   * ```
   */
  acquire(options?: WaitOptions): Waitable<true> {
    return Lock.#PERMITS.startAcquire(this, options);
  }

  /**
   * The Lock's rules for the permit operations Lock and Semaphore share
   * (`acquire()`, `hold()`, `run()` in both forms, see `internal/permits.ts`).
   */
  static readonly #PERMITS: Permits<Lock> = new Permits<Lock>({
    tryTake: (lock) => lock.#tryAcquire(),
    line: (lock) => (lock.#waiters ??= new Deque()),
    enqueue: (lock) => lock.#enqueue(),
    granted: (lock, waiter) => {
      lock.#waiters?.remove(waiter);
      lock.#locked = true;
    },
    abandoned: (lock, waiter) => {
      lock.#waiters?.remove(waiter);
      // CPython Lock.acquire: if the lock is not claimed (or about to be
      // claimed by us) and a task waits, make sure the one at the head runs —
      // we may have been woken and then cancelled before we could take it.
      if (!lock.#locked) lock.#wakeUpFirst();
    },
    name: () => "Lock",
  });

  /**
   * Takes the lock if it is free and nobody (not cancelled) waits — fair
   * scheduling: jumping the queue is allowed only when every waiter is cancelled.
   */
  #tryAcquire(): boolean {
    if (this.#locked) return false;
    const waiters = this.#waiters;
    if (waiters !== null && waiters.length !== 0 && waiters.find(isLive) !== undefined) {
      return false;
    }
    this.#locked = true;
    return true;
  }

  /** Registers a waiter future at the end of the line (binding to the running loop). */
  #enqueue(): FutureLike<true> {
    this.#loop =
      boundLoop(this.#loop) ??
      loopFor(this.#loop, this, "Lock.acquire()", () => this.#waiters?.clear());
    const fut = this.#loop.createFuture<true>();
    (this.#waiters ??= new Deque()).push(fut);
    return fut;
  }

  /**
   * Releases the lock and wakes the first waiter, if any (asyncio `release`).
   * Any code may release, not only the task that acquired.
   * @throws {RuntimeError} `Lock is not acquired.` when the lock is not held.
   * @example
   * ```ts
   * import { Lock } from "@aio/sync";
   * const lock = new Lock();
   * await lock.acquire();
   * lock.release();
   * ```
   */
  release(): void {
    if (!this.#locked) throw new RuntimeError("Lock is not acquired.");
    this.#locked = false;
    this.#wakeUpFirst();
  }

  /** CPython `Lock._wake_up_first`: make sure the first waiter will wake up. */
  #wakeUpFirst(): void {
    const fut = this.#waiters?.peek();
    // A done future is already set to wake up (or was cancelled and is leaving).
    if (fut !== undefined && !fut.done()) fut.setResult(true);
  }

  /**
   * Acquires the lock and resolves to a {@link Hold} that releases it when
   * disposed: `await using _ = await lock.hold()` is asyncio's `async with lock:`.
   *
   * The hold is released when the block ends, which for `return fn()`
   * without `await` is *before* `fn`'s promise settles: write
   * `return await fn()` inside the block, or use `lock.run(fn)`, which
   * cannot make that mistake (typescript-eslint's `return-await: "always"`
   * catches it).
   * @param options - `signal`: abort the wait.
   * @returns the hold.
   * @throws {CancelledError} when the waiting task is cancelled.
   * @throws {RuntimeError} as {@link Lock.acquire}.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Lock } from "@aio/sync";
   * await run(async () => {
   *   const lock = new Lock();
   *   await using _ = await lock.hold();
   *   console.log(lock.locked()); // true; released when the scope ends
   * });
   * ```
   */
  hold(options?: WaitOptions): Waitable<Hold> {
    return Lock.#PERMITS.startHold(this, options);
  }

  /**
   * Runs `fn` while holding the lock and releases it however `fn` ends.
   * The wait is not the calling task's own (any number of `run()` calls may
   * be pending from one task, or from code outside any loop), so it is
   * stopped by `signal` only; inside a task, `hold()` follows the task's
   * cancellation instead.
   * @param fn - the critical section.
   * @param options - `signal`: abort the wait for the lock; the call then rejects with `signal.reason`.
   * @returns `fn`'s result.
   * @throws {TypeError} when `fn` is not a function.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Lock } from "@aio/sync";
   * await run(async () => {
   *   const lock = new Lock();
   *   console.log(await lock.run(async () => "protected")); // "protected"
   * });
   * ```
   */
  run<T>(fn: () => T | PromiseLike<T>, options?: WaitOptions): Promise<Awaited<T>> {
    return Lock.#PERMITS.run(this, fn, options);
  }

  /**
   * asyncio's repr: `<Lock [unlocked]>`, `<Lock [locked, waiters:1]>`.
   * @returns the description.
   * @example
   * ```ts
   * import { Lock } from "@aio/sync";
   * console.log(String(new Lock())); // "<Lock [unlocked]>"
   * ```
   */
  toString(): string {
    let extra = this.#locked ? "locked" : "unlocked";
    const n = this.#waiters?.length ?? 0;
    if (n > 0) extra += `, waiters:${n}`;
    return `<Lock [${extra}]>`;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return "Lock";
  }

  /** Node's `util.inspect` hook: the asyncio repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
