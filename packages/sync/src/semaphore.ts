import {
  _inGeneratorStep,
  describeValue,
  type EventLoop,
  type FutureLike,
  ValueError,
} from "@aio/core";
import { Hold } from "./hold.js";
import { Deque } from "./internal/deque.js";
import { holdOp, type WaitKind, type WaitOp, waitOp } from "./internal/wait-op.js";
import {
  GateWaiter,
  loopFor,
  RESOLVED_TRUE,
  signalOf,
  type Waiter,
  type WaitOptions,
  waitOn,
} from "./internal/waiting.js";
import type { Waitable } from "./waitable.js";

/** Reads a semaphore's value; for BoundedSemaphore, without a public accessor. */
let semaphoreValue: (sem: Semaphore) => number;
let runGranted: <T>(waiter: RunWaiter<T>) => Promise<Awaited<T>>;

/** A `run()` call waiting in a semaphore's line: its gate opens on a permit or an abort. */
class RunWaiter<T> extends GateWaiter {
  constructor(
    readonly sem: Semaphore,
    readonly fn: () => T | PromiseLike<T>,
    readonly signal: AbortSignal | undefined,
  ) {
    super();
  }
}

const isLive = (w: Waiter): boolean => !w.cancelled();
const isPending = (w: Waiter): boolean => !w.done();

function checkValue(cls: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(`${cls} value must be an integer >= 0, received ${describeValue(value)}`);
  }
  if (!Number.isInteger(value) || value < 0) {
    throw new ValueError(`${cls} value must be an integer >= 0, received ${describeValue(value)}`);
  }
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
    const signal =
      options === undefined ? undefined : signalOf(`${this.#name()}.acquire()`, options);
    if (_inGeneratorStep()) return waitOp(Semaphore.#ACQUIRE, this, signal);
    return this.#acquirePromise(signal) as Waitable<true>;
  }

  /** `acquire()` as a generator task runs it (asyncio's coroutine, in three parts). */
  static readonly #ACQUIRE: WaitKind<Semaphore, true> = {
    begin: (sem, op) => sem.#begin(op),
    woke: (sem, fut) => sem.#acquired(fut),
    failed: (sem, fut, err) => sem.#acquireFailed(fut, err),
    promise: (sem, signal) => sem.#acquirePromise(signal),
  };

  #begin(op: WaitOp<Semaphore, true>): void {
    if (!this.locked()) {
      // FIFO: a free permit is taken at once only when nobody waits.
      this.#value--;
      op.now(true);
    } else {
      op.waitFor(this.#enqueue());
    }
  }

  #acquirePromise(signal: AbortSignal | undefined): Promise<true> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.locked()) {
      // FIFO: a free permit is taken at once only when nobody waits.
      this.#value--;
      return RESOLVED_TRUE;
    }
    let fut: FutureLike<true>;
    try {
      fut = this.#enqueue();
    } catch (err) {
      return Promise.reject(err);
    }
    // `then` is called here, in the caller's task, so the task is suspended on
    // `fut` and cancelling the task cancels `fut`.
    // (Promise.resolve returns the native promise `then` gave as it is.)
    return Promise.resolve(
      waitOn(fut, signal).then(
        () => this.#acquired(fut),
        (err: unknown) => this.#acquireFailed(fut, err),
      ),
    );
  }

  /** Registers a waiter future at the end of the line (binding to the running loop). */
  #enqueue(): FutureLike<true> {
    this.#loop = loopFor(this.#loop, this, `${this.#name()}.acquire()`, () =>
      this.#waiters?.clear(),
    );
    const fut = this.#loop.createFuture<true>();
    (this.#waiters ??= new Deque()).push(fut);
    return fut;
  }

  #acquired(fut: Waiter): true {
    this.#waiters?.remove(fut);
    this.#wakeUpFree();
    return true;
  }

  #acquireFailed(fut: Waiter, err: unknown): never {
    this.#waiters?.remove(fut);
    // CPython Semaphore.acquire (gh-90155): our future was set by
    // _wake_up_next (the permit was taken for us) but we will not return
    // it as acquired: undo that bookkeeping so the permit is not lost.
    if (fut.done() && !fut.cancelled()) this.#value++;
    this.#wakeUpFree();
    throw err;
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
    if (!_inGeneratorStep()) return this.#holdAsync(options) as Waitable<Hold>;
    const signal = options === undefined ? undefined : signalOf(`${this.#name()}.hold()`, options);
    return holdOp(Semaphore.#ACQUIRE, this, signal);
  }

  async #holdAsync(options: WaitOptions | undefined): Promise<Hold> {
    const signal = options === undefined ? undefined : signalOf(`${this.#name()}.hold()`, options);
    await this.#acquirePromise(signal);
    return new Hold(this);
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
    if (typeof fn !== "function") {
      return Promise.reject(
        new TypeError(`${this.#name()}.run() fn must be a function, received ${describeValue(fn)}`),
      );
    }
    if (options === undefined && !this.locked()) {
      this.#value--;
      return this.#runHeld(fn);
    }
    return this.#runSlow(fn, options);
  }

  async #runHeld<T>(fn: () => T | PromiseLike<T>): Promise<Awaited<T>> {
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  /**
   * `run()` when it may have to wait. The wait is a {@link RunWaiter}: no
   * loop needed and the calling task is not suspended on a future, so one
   * task may have any number of `run()` calls pending (the p-limit pattern).
   * Same FIFO line and repair logic as the slow path of
   * {@link Semaphore.acquire}; only an aborted signal ends the wait early.
   */
  #runSlow<T>(fn: () => T | PromiseLike<T>, options: WaitOptions | undefined): Promise<Awaited<T>> {
    let signal: AbortSignal | undefined;
    try {
      signal = options === undefined ? undefined : signalOf(`${this.#name()}.run()`, options);
    } catch (err) {
      return Promise.reject(err);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (!this.locked()) {
      this.#value--;
      return this.#runHeld(fn);
    }
    const waiter = new RunWaiter(this, fn, signal);
    (this.#waiters ??= new Deque()).push(waiter);
    waiter.listen(signal);
    // `then` is registered here, in the caller's async context, so the job
    // starts in that context when the permit arrives. One shared handler: a
    // pending call holds no closure (200,000 of them may be pending at once).
    return waiter.gate.then(runGranted) as Promise<Awaited<T>>;
  }

  static {
    runGranted = (waiter) => waiter.sem.#runGranted(waiter);
  }

  /** A `run()` waiter's gate opened: woken with a permit, or aborted. */
  #runGranted<T>(waiter: RunWaiter<T>): Promise<Awaited<T>> {
    this.#waiters?.remove(waiter);
    waiter.unlisten(waiter.signal);
    // CPython Semaphore.acquire's finally: wake as many as there are free permits.
    this.#wakeUpFree();
    // An aborted waiter was never handed a permit.
    if (waiter.cancelled()) throw waiter.signal!.reason;
    return this.#runHeld(waiter.fn);
  }

  #name(): string {
    return this.constructor.name;
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
