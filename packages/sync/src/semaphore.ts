import { _checkInteger, _className, type EventLoop, type FutureLike, ValueError } from "@aio/core";
import type { Hold } from "./hold.js";
import { Deque } from "./internal/deque.js";
import { Permits } from "./internal/permits.js";
import { boundLoop, loopFor, type Waiter, type WaitOptions } from "./internal/waiting.js";
import type { Waitable } from "./waitable.js";

/** Reads a semaphore's value; for BoundedSemaphore, without a public accessor. */
let semaphoreValue: (sem: Semaphore) => number;

const isLive = (w: Waiter): boolean => !w.cancelled();
const isPending = (w: Waiter): boolean => !w.done();

function checkValue(cls: string, value: unknown): number {
  _checkInteger(cls, "value", value, { rangeError: ValueError });
  return value;
}

/**
 * A fair counting semaphore (asyncio `Semaphore`): at most `value` holders
 * at a time.
 *
 * Invariant (asyncio locks.py, after gh-90155): `#value` counts the permits
 * neither held nor promised. Waking a waiter takes its permit at that moment
 * (`#value--` and the waiter's future is set), so a fresh `acquire()` cannot
 * take a permit promised to a woken waiter (no barging), and `acquire()`
 * succeeds at once only when a permit is free and no live waiter is listed
 * (FIFO). A woken waiter that is cancelled before it runs gives its permit
 * back and the next waiter is woken, so no permit is ever lost.
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { gather, sleep } from "@aio/futures";
 * import { Semaphore } from "@aio/sync";
 * await run(async () => {
 *   const sem = new Semaphore(3);
 *   let inFlight = 0;
 *   await gather(
 *     ...Array.from({ length: 10 }, () => () =>
 *       sem.run(async () => {
 *         inFlight++;
 *         console.log("in flight:", inFlight); // never more than 3
 *         await sleep(1);
 *         inFlight--;
 *       }),
 *     ),
 *   );
 * });
 * ```
 */
export class Semaphore {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  get _className(): string {
    return "Semaphore";
  }

  #value: number;
  #waiters: Deque<Waiter> | null = null;
  #loop: EventLoop | null = null;

  /**
   * @param value - the initial number of permits; default 1.
   * @throws {TypeError} when `value` is not a number.
   * @throws {ValueError} when `value` is not an integer >= 0 (a `RangeError`).
   */
  constructor(value = 1) {
    this.#value = checkValue(new.target?.name ?? "Semaphore", value);
  }

  static {
    semaphoreValue = (sem) => sem.#value;
  }

  /**
   * True when `acquire()` would wait: no free permit, or a live waiter ahead
   * (asyncio `locked`).
   * @returns whether an acquire would block.
   * @example
   * ```ts
   * import { Semaphore } from "@aio/sync";
   * const sem = new Semaphore(1);
   * await sem.acquire();
   * console.log(sem.locked()); // true
   * ```
   */
  locked(): boolean {
    if (this.#value === 0) return true;
    const waiters = this.#waiters;
    return waiters !== null && waiters.length !== 0 && waiters.find(isLive) !== undefined;
  }

  /**
   * Takes a permit, waiting in FIFO order when none is free (asyncio `acquire`).
   * A free permit is taken without a running loop; waiting needs one.
   * @param options - `signal`: abort the wait; the call then rejects with `signal.reason`.
   * @returns `true` once a permit is held.
   * @throws {CancelledError} when the waiting task is cancelled (no permit is kept).
   * @throws {RuntimeError} when it has to wait but no loop is running, or the
   *   semaphore is bound to a different running loop.
   * @throws {TypeError} when `options.signal` is not an AbortSignal.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Semaphore } from "@aio/sync";
   * await run(async () => {
   *   const sem = new Semaphore(2);
   *   await sem.acquire();
   *   try {
   *     console.log(String(sem)); // "<Semaphore [unlocked, value:1]>"
   *   } finally {
   *     sem.release();
   *   }
   * });
   * ```
   */
  acquire(options?: WaitOptions): Waitable<true> {
    return Semaphore.#PERMITS.startAcquire(this, options);
  }

  /**
   * The Semaphore's rules for the permit operations Lock and Semaphore
   * share (`acquire()`, `hold()`, `run()` in both forms, see
   * `internal/permits.ts`).
   */
  static readonly #PERMITS: Permits<Semaphore> = new Permits<Semaphore>({
    tryTake: (sem) => {
      if (sem.locked()) return false;
      // FIFO: a free permit is taken at once only when nobody waits.
      sem.#value--;
      return true;
    },
    line: (sem) => (sem.#waiters ??= new Deque()),
    enqueue: (sem) => sem.#enqueue(),
    granted: (sem, waiter) => {
      sem.#waiters?.remove(waiter);
      sem.#wakeUpFree();
    },
    abandoned: (sem, waiter) => {
      sem.#waiters?.remove(waiter);
      // CPython Semaphore.acquire (gh-90155): our future was set by
      // _wake_up_next (the permit was taken for us) but we will not return
      // it as acquired: undo that bookkeeping so the permit is not lost.
      if (waiter.done() && !waiter.cancelled()) sem.#value++;
      sem.#wakeUpFree();
    },
    name: (sem) => sem.#name(),
  });

  /** Registers a waiter future at the end of the line (binding to the running loop). */
  #enqueue(): FutureLike<true> {
    this.#loop =
      boundLoop(this.#loop) ??
      loopFor(this.#loop, this, `${this.#name()}.acquire()`, () => this.#waiters?.clear());
    const fut = this.#loop.createFuture<true>();
    (this.#waiters ??= new Deque()).push(fut);
    return fut;
  }

  /**
   * CPython Semaphore.acquire's `finally`: new waiters may have arrived and
   * had to wait because of FIFO; wake as many as there are free permits.
   */
  #wakeUpFree(): void {
    while (this.#value > 0) {
      if (!this.#wakeUpNext()) break;
    }
  }

  /**
   * Returns a permit and wakes the first waiter, if any (asyncio `release`).
   * Works anywhere, also outside a loop.
   * @throws {ValueError} from BoundedSemaphore when released too many times.
   * @example
   * ```ts
   * import { Semaphore } from "@aio/sync";
   * const sem = new Semaphore(0);
   * sem.release();
   * console.log(sem.locked()); // false
   * ```
   */
  release(): void {
    this.#value++;
    this.#wakeUpNext();
  }

  /** CPython `Semaphore._wake_up_next`: hand a permit to the first waiter not yet done. */
  #wakeUpNext(): boolean {
    const waiters = this.#waiters;
    if (waiters === null || waiters.length === 0) return false;
    const fut = waiters.find(isPending);
    if (fut === undefined) return false;
    this.#value--;
    fut.setResult(true);
    // `fut` is now done() and not cancelled().
    return true;
  }

  /**
   * Takes a permit and resolves to a {@link Hold} that returns it when
   * disposed: `await using _ = await sem.hold()` is asyncio's `async with sem:`.
   *
   * The hold is released when the block ends, which for `return fn()`
   * without `await` is *before* `fn`'s promise settles: write
   * `return await fn()` inside the block, or use `sem.run(fn)`, which
   * cannot make that mistake (typescript-eslint's `return-await: "always"`
   * catches it).
   * @param options - `signal`: abort the wait.
   * @returns the hold.
   * @throws {CancelledError} when the waiting task is cancelled.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Semaphore } from "@aio/sync";
   * await run(async () => {
   *   const sem = new Semaphore(2);
   *   await using _ = await sem.hold();
   *   console.log(String(sem)); // "<Semaphore [unlocked, value:1]>"
   * });
   * ```
   */
  hold(options?: WaitOptions): Waitable<Hold> {
    return Semaphore.#PERMITS.startHold(this, options);
  }

  /**
   * Runs `fn` holding a permit, and returns the permit however `fn` ends:
   * the p-limit pattern (`limit(fn)`) on a fair semaphore. The wait queues in
   * the same FIFO line as `acquire()` but is not the calling task's own: any
   * number of `run()` calls may be pending from one task, or from code
   * outside any loop, and only `signal` stops the wait (inside a task,
   * `hold()` follows the task's cancellation instead).
   * @param fn - the job.
   * @param options - `signal`: abort the wait for a permit (a running job is not affected).
   * @returns `fn`'s result.
   * @throws {TypeError} when `fn` is not a function.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Semaphore } from "@aio/sync";
   * await run(async () => {
   *   const limit = new Semaphore(10);
   *   const pages = await Promise.all([1, 2, 3].map((n) => limit.run(async () => n * 2)));
   *   console.log(pages); // [2, 4, 6]
   * });
   * ```
   */
  run<T>(fn: () => T | PromiseLike<T>, options?: WaitOptions): Promise<Awaited<T>> {
    return Semaphore.#PERMITS.run(this, fn, options);
  }

  #name(): string {
    return _className(this);
  }

  /**
   * asyncio's repr: `<Semaphore [unlocked, value:2]>`, `<Semaphore [locked, waiters:1]>`.
   * @returns the description.
   * @example
   * ```ts
   * import { Semaphore } from "@aio/sync";
   * console.log(String(new Semaphore(2))); // "<Semaphore [unlocked, value:2]>"
   * ```
   */
  toString(): string {
    let extra = this.locked() ? "locked" : `unlocked, value:${this.#value}`;
    const n = this.#waiters?.length ?? 0;
    if (n > 0) extra += `, waiters:${n}`;
    return `<${this.#name()} [${extra}]>`;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return this.#name();
  }

  /** Node's `util.inspect` hook: the asyncio repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/**
 * A Semaphore that refuses to be released more often than it was acquired
 * (asyncio `BoundedSemaphore`): a release that would raise the value above
 * the initial one throws, catching permit-accounting bugs early.
 *
 * @example
 * ```ts
 * import { BoundedSemaphore } from "@aio/sync";
 * const sem = new BoundedSemaphore(1);
 * try {
 *   sem.release();
 * } catch (e) {
 *   console.log((e as Error).message); // "BoundedSemaphore released too many times"
 * }
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  override get _className(): string {
    return "BoundedSemaphore";
  }

  readonly #boundValue: number;

  /**
   * @param value - the initial (and maximum) number of permits; default 1.
   * @throws {TypeError} when `value` is not a number.
   * @throws {ValueError} when `value` is not an integer >= 0.
   */
  constructor(value = 1) {
    super(value);
    this.#boundValue = value;
  }

  /**
   * Returns a permit (see `Semaphore.release`).
   * @throws {ValueError} `BoundedSemaphore released too many times` (a `RangeError`).
   * @example
   * ```ts
   * import { BoundedSemaphore } from "@aio/sync";
   * const sem = new BoundedSemaphore(2);
   * await sem.acquire();
   * sem.release();
   * ```
   */
  override release(): void {
    if (semaphoreValue(this) >= this.#boundValue)
      throw new ValueError("BoundedSemaphore released too many times");
    super.release();
  }
}
