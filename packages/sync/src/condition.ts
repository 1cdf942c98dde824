import {
  _checkFunction,
  _inGeneratorStep,
  describeValue,
  type EventLoop,
  type FutureLike,
  isCancelledError,
  RuntimeError,
} from "@aio/core";
import type { Hold } from "./hold.js";
import { Deque } from "./internal/deque.js";
import { inOwnTask, MUST_WAIT } from "./internal/wait-op.js";
import { boundLoop, loopFor, signalOf, type WaitOptions, waitOn } from "./internal/waiting.js";
import { Lock } from "./lock.js";
import type { Waitable } from "./waitable.js";

/** The synchronous part of a call that always suspends first. */
const mustWait = (): typeof MUST_WAIT => MUST_WAIT;

/**
 * A condition variable (asyncio `Condition`): tasks holding its lock wait
 * until another task changes the state and notifies them.
 *
 * Invariant (asyncio locks.py): a task in `wait()` has released the lock and
 * listed one future in `#waiters`; `notify(n)` marks the first `n` pending
 * futures done. Whatever ends the wait — a notification, cancellation, an
 * aborted signal — the task re-acquires the lock before `wait()` returns or
 * throws, and removes its future. A task that fails after it may already
 * have been notified passes the notification on to the next waiter (a
 * spurious wake-up, which the protocol allows), so a notification is never
 * lost.
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { createTask, sleep } from "@aio/futures";
 * import { Condition } from "@aio/sync";
 * await run(async () => {
 *   const cond = new Condition();
 *   const items: number[] = [];
 *   const consumer = createTask(async () => {
 *     await using _ = await cond.hold();
 *     await cond.waitFor(() => items.length > 0);
 *     console.log("got", items.shift());
 *   });
 *   await sleep(1);
 *   await using _ = await cond.hold();
 *   items.push(1);
 *   cond.notify();
 *   _.release();
 *   await consumer;
 * });
 * ```
 */
export class Condition {
  readonly #lock: Lock;
  #waiters: Deque<FutureLike<boolean>> = new Deque();
  #loop: EventLoop | null = null;

  /**
   * @param lock - the lock to use (several conditions may share one); default a new {@link Lock}.
   * @throws {TypeError} when `lock` is not a Lock.
   */
  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) {
      throw new TypeError(`Condition lock must be a Lock, received ${describeValue(lock)}`);
    }
    this.#lock = lock ?? new Lock();
  }

  /**
   * True while the underlying lock is held.
   * @returns whether the lock is held.
   * @example
   * ```ts
   * import { Condition } from "@aio/sync";
   * console.log(new Condition().locked()); // false
   * ```
   */
  locked(): boolean {
    return this.#lock.locked();
  }

  /**
   * Acquires the underlying lock (see `Lock.acquire`).
   * @param options - `signal`: abort the wait.
   * @returns `true` once held.
   * @throws {CancelledError} when the waiting task is cancelled.
   * @throws {RuntimeError} when it has to wait outside a loop.
   * @example
   * ```ts
   * import { Condition } from "@aio/sync";
   * const cond = new Condition();
   * await cond.acquire();
   * cond.release();
   * ```
   */
  acquire(options?: WaitOptions): Waitable<true> {
    return this.#lock.acquire(options);
  }

  /**
   * Releases the underlying lock.
   * @throws {RuntimeError} `Lock is not acquired.`
   * @example
   * ```ts
   * import { Condition } from "@aio/sync";
   * const cond = new Condition();
   * await cond.acquire();
   * cond.release();
   * ```
   */
  release(): void {
    this.#lock.release();
  }

  /**
   * Acquires the underlying lock and resolves to a {@link Hold}:
   * `await using _ = await cond.hold()` is asyncio's `async with cond:`.
   * @param options - `signal`: abort the wait.
   * @returns the hold.
   * @throws {CancelledError} when the waiting task is cancelled.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Condition } from "@aio/sync";
   * await run(async () => {
   *   const cond = new Condition();
   *   await using _ = await cond.hold();
   *   cond.notifyAll();
   * });
   * ```
   */
  hold(options?: WaitOptions): Waitable<Hold> {
    return this.#lock.hold(options);
  }

  /**
   * Releases the lock, waits for a notification, then re-acquires the lock
   * (asyncio `wait`). The lock is held again when this returns or throws —
   * also after cancellation or an aborted signal.
   * @param options - `signal`: abort the wait (the lock is still re-acquired
   *   before the call rejects with `signal.reason`).
   * @returns `true`.
   * @throws {RuntimeError} `cannot wait on un-acquired lock`; or no running loop.
   * @throws {CancelledError} when the waiting task is cancelled.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { createTask, sleep } from "@aio/futures";
   * import { Condition } from "@aio/sync";
   * await run(async () => {
   *   const cond = new Condition();
   *   const t = createTask(async () => {
   *     await using _ = await cond.hold();
   *     await cond.wait();
   *     console.log("notified");
   *   });
   *   await sleep(1);
   *   await cond.acquire();
   *   cond.notify();
   *   cond.release();
   *   await t;
   * });
   * ```
   */
  wait(options?: WaitOptions): Waitable<true> {
    if (_inGeneratorStep()) {
      // asyncio's wait() always suspends (on its waiter future): nothing to do at once.
      return inOwnTask("Condition.wait()", mustWait, () => this.#wait(options));
    }
    return this.#wait(options) as Waitable<true>;
  }

  async #wait(options: WaitOptions | undefined): Promise<true> {
    const signal = options === undefined ? undefined : signalOf("Condition.wait()", options);
    if (!this.locked()) throw new RuntimeError("cannot wait on un-acquired lock");
    if (signal?.aborted) throw signal.reason;
    this.#loop =
      boundLoop(this.#loop) ??
      loopFor(this.#loop, this, "Condition.wait()", () => this.#waiters.clear());
    const fut = this.#loop.createFuture<boolean>();
    this.release();
    try {
      let failure: { error: unknown } | null = null;
      try {
        this.#waiters.push(fut);
        try {
          await waitOn(fut, signal);
        } finally {
          this.#waiters.remove(fut);
        }
      } catch (err) {
        failure = { error: err };
      }
      // CPython Condition.wait: must re-acquire the lock even if the wait is
      // cancelled; only CancelledError is retried, so no other error can spin.
      for (;;) {
        try {
          await this.#lock.acquire();
          break;
        } catch (err) {
          if (!isCancelledError(err)) throw err;
          failure = { error: err };
        }
      }
      if (failure !== null) throw failure.error;
      return true;
    } catch (err) {
      // CPython Condition.wait: an error raised here may come after this task
      // was notified; notify another task instead (a spurious wake-up, which
      // condition variables allow) so the notification is not lost.
      this.#notify(1);
      throw err;
    }
  }

  /**
   * Waits until `predicate()` is truthy (asyncio `wait_for`): checks it, and
   * waits for a notification each time it is falsy. The lock must be held.
   * @param predicate - the condition to wait for.
   * @param options - `signal`: abort the wait.
   * @returns the predicate's last (truthy) result.
   * @throws {TypeError} when `predicate` is not a function.
   * @throws {RuntimeError} `cannot wait on un-acquired lock`.
   * @throws {CancelledError} when the waiting task is cancelled.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Condition } from "@aio/sync";
   * await run(async () => {
   *   const cond = new Condition();
   *   let ready = true;
   *   await using _ = await cond.hold();
   *   console.log(await cond.waitFor(() => ready)); // true
   * });
   * ```
   */
  waitFor<T>(predicate: () => T, options?: WaitOptions): Waitable<T> {
    if (_inGeneratorStep()) {
      return inOwnTask(
        "Condition.waitFor()",
        () => this.#waitForNow(predicate, options),
        () => this.#waitFor(predicate, options, true),
      );
    }
    return this.#waitFor(predicate, options, false) as Waitable<T>;
  }

  /**
   * asyncio `wait_for` up to its first wait: checks the arguments and the
   * predicate; its (truthy) result, or {@link MUST_WAIT}.
   */
  #waitForNow<T>(predicate: () => T, options: WaitOptions | undefined): T | typeof MUST_WAIT {
    _checkFunction("Condition.waitFor()", "predicate", predicate);
    const signal = options === undefined ? undefined : signalOf("Condition.waitFor()", options);
    if (signal?.aborted) throw signal.reason;
    return predicate() || MUST_WAIT;
  }

  /** `waitFor()`; `started`: `#waitForNow()` has already run (and found it must wait). */
  async #waitFor<T>(
    predicate: () => T,
    options: WaitOptions | undefined,
    started: boolean,
  ): Promise<T> {
    if (!started) {
      const now = this.#waitForNow(predicate, options);
      if (now !== MUST_WAIT) return now;
    }
    let result: T;
    do {
      await this.#wait(options);
      result = predicate();
    } while (!result);
    return result;
  }

  /**
   * Wakes up to `n` waiting tasks (asyncio `notify`). The lock must be held;
   * the woken tasks run once they re-acquire it.
   * @param n - how many; default 1.
   * @throws {RuntimeError} `cannot notify on un-acquired lock`.
   * @throws {TypeError} when `n` is not a number.
   * @throws {RangeError} when `n` is not >= 0.
   * @example
   * ```ts
   * import { Condition } from "@aio/sync";
   * const cond = new Condition();
   * await cond.acquire();
   * cond.notify(2);
   * cond.release();
   * ```
   */
  notify(n = 1): void {
    if (typeof n !== "number" || !(n >= 0)) {
      // A count: any number >= 0 (Infinity too, as asyncio's comparison allows).
      throw new (typeof n === "number" ? RangeError : TypeError)(
        `Condition.notify() n must be a number >= 0, received ${describeValue(n)}`,
      );
    }
    if (!this.locked()) throw new RuntimeError("cannot notify on un-acquired lock");
    this.#notify(n);
  }

  /** CPython `Condition._notify`: wake the first `n` waiters not yet done. */
  #notify(n: number): void {
    let woken = 0;
    // `find` visits the waiters in order until the callback returns true.
    this.#waiters.find((fut) => {
      if (woken >= n) return true;
      if (!fut.done()) {
        woken++;
        fut.setResult(false);
      }
      return false;
    });
  }

  /**
   * Wakes every waiting task (asyncio `notify_all`). The lock must be held.
   * @throws {RuntimeError} `cannot notify on un-acquired lock`.
   * @example
   * ```ts
   * import { Condition } from "@aio/sync";
   * const cond = new Condition();
   * await cond.acquire();
   * cond.notifyAll();
   * cond.release();
   * ```
   */
  notifyAll(): void {
    this.notify(this.#waiters.length);
  }

  /**
   * asyncio's repr: `<Condition [unlocked]>`, `<Condition [locked, waiters:1]>`.
   * @returns the description.
   * @example
   * ```ts
   * import { Condition } from "@aio/sync";
   * console.log(String(new Condition())); // "<Condition [unlocked]>"
   * ```
   */
  toString(): string {
    let extra = this.locked() ? "locked" : "unlocked";
    if (this.#waiters.length > 0) extra += `, waiters:${this.#waiters.length}`;
    return `<Condition [${extra}]>`;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return "Condition";
  }

  /** Node's `util.inspect` hook: the asyncio repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
