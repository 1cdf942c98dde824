import { _checkInteger, _inGeneratorStep, ValueError } from "@aio/core";
import { BrokenBarrierError } from "./barrier-error.js";
import { Condition } from "./condition.js";
import { inOwnTask, MUST_WAIT } from "./internal/wait-op.js";
import { signalOf, type WaitOptions } from "./internal/waiting.js";
import { Lock, tryAcquireLock } from "./lock.js";
import type { Waitable } from "./waitable.js";

type BarrierState = "filling" | "draining" | "resetting" | "broken";

/**
 * A barrier (asyncio 3.11 `Barrier`): `parties` tasks call `wait()`, and all
 * of them pass once the last one arrives.
 *
 * State machine (asyncio locks.py): `filling` while tasks arrive; the last
 * arrival switches to `draining` and wakes everyone; when the last task has
 * left, back to `filling`. `reset()` moves to `resetting` (waiting tasks get
 * {@link BrokenBarrierError}, then `filling`); `abort()` to `broken` for good
 * (until `reset()`). `#count` is the number of tasks inside `wait()`; a task
 * that leaves early (cancelled, aborted signal) decrements it on its way out.
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { createTask, gather } from "@aio/futures";
 * import { Barrier } from "@aio/sync";
 * await run(async () => {
 *   const barrier = new Barrier(3);
 *   const arrive = (name: string) => async () => {
 *     const index = await barrier.wait();
 *     console.log(name, "passed, arrival index", index);
 *   };
 *   await gather(createTask(arrive("a")), createTask(arrive("b")), createTask(arrive("c")));
 * });
 * ```
 */
export class Barrier {
  readonly #lock = new Lock();
  readonly #cond = new Condition(this.#lock);
  readonly #parties: number;
  #state: BarrierState = "filling";
  #count = 0;

  /**
   * @param parties - how many tasks must arrive to pass; an integer >= 1.
   * @throws {TypeError} when `parties` is not a number.
   * @throws {ValueError} when `parties` is not an integer >= 1 (a `RangeError`).
   */
  constructor(parties: number) {
    _checkInteger("Barrier", "parties", parties, { min: 1, rangeError: ValueError });
    this.#parties = parties;
  }

  /**
   * Waits until `parties` tasks are waiting, then lets them all pass.
   * @param options - `signal`: abort the wait; the call then rejects with `signal.reason`.
   * @returns this task's arrival index, `0` to `parties - 1`.
   * @throws {BrokenBarrierError} when the barrier is broken, or aborted/reset while waiting.
   * @throws {CancelledError} when the waiting task is cancelled.
   * @throws {RuntimeError} when it has to wait but no loop is running.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Barrier } from "@aio/sync";
   * await run(async () => {
   *   console.log(await new Barrier(1).wait()); // 0
   * });
   * ```
   */
  wait(options?: WaitOptions): Waitable<number> {
    if (_inGeneratorStep()) {
      return inOwnTask(
        "Barrier.wait()",
        () => this.#waitNow(options),
        () => this.#wait(options),
      );
    }
    return this.#wait(options) as Waitable<number>;
  }

  /**
   * `wait()` when it need not suspend, as asyncio's coroutine runs it: the
   * lock is free, and the barrier is broken (throws) or this is the last
   * arrival (passes, releasing the others). Otherwise {@link MUST_WAIT}.
   */
  #waitNow(options: WaitOptions | undefined): number | typeof MUST_WAIT {
    const signal = options === undefined ? undefined : signalOf("Barrier.wait()", options);
    if (signal?.aborted) throw signal.reason;
    if (!tryAcquireLock(this.#lock)) return MUST_WAIT;
    try {
      const state = this.#state;
      if (state === "draining" || state === "resetting") return MUST_WAIT;
      if (state === "broken") throw new BrokenBarrierError("Barrier aborted");
      const index = this.#count;
      if (index + 1 !== this.#parties) return MUST_WAIT;
      this.#release();
      this.#exit(); // #count is back where it was: this task has left
      return index;
    } finally {
      this.#lock.release();
    }
  }

  async #wait(options: WaitOptions | undefined): Promise<number> {
    const signal = options === undefined ? undefined : signalOf("Barrier.wait()", options);
    if (signal?.aborted) throw signal.reason;
    const opts = signal === undefined ? undefined : { signal };
    const cond = this.#cond;
    await cond.acquire(opts);
    try {
      // Block while the barrier drains or resets (asyncio Barrier._block).
      await cond.waitFor(() => this.#state !== "draining" && this.#state !== "resetting", opts);
      if (this.#state === "broken") throw new BrokenBarrierError("Barrier aborted");
      const index = this.#count;
      this.#count++;
      try {
        if (index + 1 === this.#parties) {
          this.#release();
        } else {
          // asyncio Barrier._wait: wait for the end of filling.
          await cond.waitFor(() => this.#state !== "filling", opts);
          const state = this.#state as BarrierState; // changed while we waited
          if (state === "broken" || state === "resetting") {
            throw new BrokenBarrierError("Abort or reset of barrier");
          }
        }
        return index;
      } finally {
        this.#count--;
        this.#exit();
      }
    } finally {
      cond.release();
    }
  }

  /** asyncio Barrier._release: the last arrival releases everyone. */
  #release(): void {
    this.#state = "draining";
    this.#cond.notifyAll();
  }

  /** asyncio Barrier._exit: the last task out wakes the tasks waiting for the drain. */
  #exit(): void {
    if (this.#count === 0) {
      if (this.#state === "resetting" || this.#state === "draining") this.#state = "filling";
      this.#cond.notifyAll();
    }
  }

  /**
   * Resets the barrier to its empty state; tasks waiting in it get
   * {@link BrokenBarrierError} (asyncio `reset`, a coroutine).
   * @returns a Promise that resolves once done.
   * @throws {CancelledError} when the task is cancelled while taking the barrier's lock.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Barrier } from "@aio/sync";
   * await run(async () => {
   *   const barrier = new Barrier(2);
   *   await barrier.abort();
   *   await barrier.reset();
   *   console.log(barrier.broken); // false
   * });
   * ```
   */
  reset(): Waitable<void> {
    return this.#underLock("Barrier.reset()", this.#resetLocked);
  }

  /** asyncio `reset`'s body, run holding the lock. */
  readonly #resetLocked = (): void => {
    if (this.#count > 0) {
      if (this.#state !== "resetting") this.#state = "resetting";
    } else {
      this.#state = "filling";
    }
    this.#cond.notifyAll();
  };

  /**
   * Runs `body` holding the barrier's lock (asyncio's `async with self._cond:`)
   * in the caller's form. A generator task takes a free lock at once, so no
   * loop iteration passes (as in asyncio); it waits in a task of its own
   * only when the lock is taken.
   */
  #underLock(name: string, body: () => void): Waitable<void> {
    if (_inGeneratorStep()) {
      return inOwnTask(
        name,
        () => this.#underFreeLock(body),
        () => this.#underLockAsync(body),
      );
    }
    return this.#underLockAsync(body) as Waitable<void>;
  }

  #underFreeLock(body: () => void): undefined | typeof MUST_WAIT {
    if (!tryAcquireLock(this.#lock)) return MUST_WAIT;
    try {
      body();
    } finally {
      this.#lock.release();
    }
    return undefined;
  }

  async #underLockAsync(body: () => void): Promise<void> {
    await this.#lock.acquire();
    try {
      body();
    } finally {
      this.#lock.release();
    }
  }

  /**
   * Breaks the barrier: current and future `wait()` calls throw
   * {@link BrokenBarrierError} until `reset()` (asyncio `abort`, a coroutine).
   * @returns a Promise that resolves once done.
   * @throws {CancelledError} when the task is cancelled while taking the barrier's lock.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Barrier } from "@aio/sync";
   * await run(async () => {
   *   const barrier = new Barrier(2);
   *   await barrier.abort();
   *   console.log(barrier.broken); // true
   * });
   * ```
   */
  abort(): Waitable<void> {
    return this.#underLock("Barrier.abort()", this.#abortLocked);
  }

  /** asyncio `abort`'s body, run holding the lock. */
  readonly #abortLocked = (): void => {
    this.#state = "broken";
    this.#cond.notifyAll();
  };

  /**
   * How many tasks must arrive to pass.
   * @example
   * ```ts
   * import { Barrier } from "@aio/sync";
   * console.log(new Barrier(3).parties); // 3
   * ```
   */
  get parties(): number {
    return this.#parties;
  }

  /**
   * How many tasks wait in the barrier while it fills (asyncio `n_waiting`).
   * @example
   * ```ts
   * import { Barrier } from "@aio/sync";
   * console.log(new Barrier(3).nWaiting); // 0
   * ```
   */
  get nWaiting(): number {
    return this.#state === "filling" ? this.#count : 0;
  }

  /**
   * True when the barrier is broken (after `abort()`).
   * @example
   * ```ts
   * import { Barrier } from "@aio/sync";
   * console.log(new Barrier(3).broken); // false
   * ```
   */
  get broken(): boolean {
    return this.#state === "broken";
  }

  /**
   * asyncio's repr: `<Barrier [filling, waiters:1/3]>`, `<Barrier [broken]>`.
   * @returns the description.
   * @example
   * ```ts
   * import { Barrier } from "@aio/sync";
   * console.log(String(new Barrier(2))); // "<Barrier [filling, waiters:0/2]>"
   * ```
   */
  toString(): string {
    let extra: string = this.#state;
    if (!this.broken) extra += `, waiters:${this.nWaiting}/${this.#parties}`;
    return `<Barrier [${extra}]>`;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return "Barrier";
  }

  /** Node's `util.inspect` hook: the asyncio repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
