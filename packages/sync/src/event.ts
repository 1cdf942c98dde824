import type { EventLoop, FutureLike } from "@aio/core";
import { Deque } from "./internal/deque.js";
import { startWait, type WaitKind } from "./internal/wait-op.js";
import { boundLoop, loopFor, type WaitOptions } from "./internal/waiting.js";
import type { Waitable } from "./waitable.js";

/** `set()`'s visit of a waiter: wakes it unless it is done already. */
const wake = (fut: FutureLike<true>): boolean => {
  if (!fut.done()) fut.setResult(true);
  return false;
};

/**
 * A wait for an event's flag named `method` in its errors and giving `value`:
 * `Event.wait()` itself, and `Queue.join()`, which waits on an event.
 * @internal
 */
export let eventWaitKind: <R>(method: string, value: R) => WaitKind<Event, R>;

/**
 * A flag tasks can wait for (asyncio `Event`): `set()` wakes every waiter,
 * `clear()` resets the flag.
 *
 * Invariant (asyncio locks.py): `#waiters` holds one future per task blocked
 * in `wait()`; each task removes its own future when it resumes, whatever
 * the reason, so a cancelled waiter leaves nothing behind. `set()` marks
 * every pending waiter done at once, so a waiter woken by `set()` still
 * returns `true` even if `clear()` follows before it runs.
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { createTask, sleep } from "@aio/futures";
 * import { Event } from "@aio/sync";
 * await run(async () => {
 *   const ready = new Event();
 *   const waiter = createTask(async () => {
 *     await ready.wait();
 *     console.log("go");
 *   });
 *   await sleep(10);
 *   ready.set();
 *   await waiter;
 * });
 * ```
 */
export class Event {
  #value = false;
  #waiters: Deque<FutureLike<true>> = new Deque();
  #loop: EventLoop | null = null;

  /**
   * True when the flag is set (asyncio `is_set`).
   * @returns the flag.
   * @example
   * ```ts
   * import { Event } from "@aio/sync";
   * const ev = new Event();
   * ev.set();
   * console.log(ev.isSet()); // true
   * ```
   */
  isSet(): boolean {
    return this.#value;
  }

  /**
   * Sets the flag and wakes every waiting task. Works anywhere, also
   * outside a loop.
   * @example
   * ```ts
   * import { Event } from "@aio/sync";
   * new Event().set();
   * ```
   */
  set(): void {
    if (this.#value) return;
    this.#value = true;
    // Visits every waiter (`wake` never matches); no iterator allocated.
    this.#waiters.find(wake);
  }

  /**
   * Resets the flag; later `wait()` calls block until the next `set()`.
   * @example
   * ```ts
   * import { Event } from "@aio/sync";
   * const ev = new Event();
   * ev.set();
   * ev.clear();
   * console.log(ev.isSet()); // false
   * ```
   */
  clear(): void {
    this.#value = false;
  }

  /**
   * Waits until the flag is set (at once when it is).
   * @param options - `signal`: abort the wait; the call then rejects with `signal.reason`.
   * @returns `true`.
   * @throws {CancelledError} when the waiting task is cancelled.
   * @throws {RuntimeError} when it has to wait but no loop is running, or the
   *   event is bound to a different running loop.
   * @throws {TypeError} when `options.signal` is not an AbortSignal.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Event } from "@aio/sync";
   * await run(async () => {
   *   const ev = new Event();
   *   setTimeout(() => ev.set(), 5);
   *   console.log(await ev.wait()); // true
   * });
   * ```
   */
  wait(options?: WaitOptions): Waitable<true> {
    return startWait(Event.#WAIT, this, "Event.wait()", options);
  }

  static {
    eventWaitKind = <R>(method: string, value: R): WaitKind<Event, R> => ({
      begin: (ev, op) => {
        if (ev.#value) op.now(value);
        else op.waitFor(ev.#enqueue(method));
      },
      woke: (ev, fut) => {
        ev.#waiters.remove(fut as FutureLike<true>);
        return value;
      },
      failed: (ev, fut, err) => {
        ev.#waiters.remove(fut as FutureLike<true>);
        throw err;
      },
    });
  }

  /** `wait()` (asyncio's coroutine), for both forms. */
  static readonly #WAIT: WaitKind<Event, true> = eventWaitKind("Event.wait()", true);

  /** Registers a waiter future (binding to the running loop). */
  #enqueue(method: string): FutureLike<true> {
    this.#loop =
      boundLoop(this.#loop) ?? loopFor(this.#loop, this, method, () => this.#waiters.clear());
    const fut = this.#loop.createFuture<true>();
    this.#waiters.push(fut);
    return fut;
  }

  /**
   * asyncio's repr: `<Event [unset]>`, `<Event [set]>`, `<Event [unset, waiters:2]>`.
   * @returns the description.
   * @example
   * ```ts
   * import { Event } from "@aio/sync";
   * console.log(String(new Event())); // "<Event [unset]>"
   * ```
   */
  toString(): string {
    let extra = this.#value ? "set" : "unset";
    if (this.#waiters.length > 0) extra += `, waiters:${this.#waiters.length}`;
    return `<Event [${extra}]>`;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return "Event";
  }

  /** Node's `util.inspect` hook: the asyncio repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
