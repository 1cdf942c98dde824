import {
  _checkFunction,
  _checkMs,
  _getRunningLoop,
  _suspensionSites,
  type EventLoop,
  type Handle,
  isCancelledError,
  RuntimeError,
  TimeoutError,
} from "@aio/core";
import { type AwaitableOrFn, type ResultOf, toFuture } from "./ensure-future.js";
import type { Future } from "./future.js";
import { failedFromOwnAbort, isOwnAbort, ownAbortReason } from "./internal/abort-as-cancel.js";
import { noRunningLoop, runningLoop } from "./internal/running-loop.js";
import type { Coroutine, Task } from "./task.js";
import { currentTask } from "./task-functions.js";

const CREATED = "created";
const ENTERED = "active";
const EXPIRING = "expiring";
const EXPIRED = "expired";
const EXITED = "finished";
type TimeoutState =
  | typeof CREATED
  | typeof ENTERED
  | typeof EXPIRING
  | typeof EXPIRED
  | typeof EXITED;

/**
 * A deadline on the code inside `timeout()`/`timeoutAt()` (asyncio
 * `Timeout`). When it passes, the current task is cancelled; the
 * `CancelledError` that comes out of the body is turned into `TimeoutError`
 * — unless the task was also cancelled from elsewhere, in which case the
 * cancellation propagates (asyncio counts requests with
 * `cancelling()`/`uncancel()`, so nested timeouts and outer cancellations are
 * told apart).
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { timeout, sleep } from "@aio/futures";
 * await run(async () => {
 *   await timeout(50, async (t) => {
 *     t.reschedule(t.when()! + 50); // need more time
 *     await sleep(80);
 *   });
 * });
 * ```
 */
export class Timeout {
  #state: TimeoutState = CREATED;
  #when: number | null;
  #handle: Handle | null = null;
  #task: Task<unknown> | null = null;
  #loop: EventLoop | null = null;
  #cancelling = 0;
  /** At expiry: the repr of what the task was suspended on. */
  #waitingFor: string | null = null;
  /** @internal What the TimeoutError says: `timeout of 50 ms`; set by timeout(). */
  _what: string | null = null;
  /** @internal Where timeout()/timeoutAt() was called: an Error whose stack is that site. */
  _site: Error | null = null;

  /**
   * Prefer `timeout()`/`timeoutAt()`, which enter and exit it for you.
   * @param when - the loop time (ms) of the deadline, or null for none.
   * @throws {TypeError} when `when` is neither a number nor null.
   * @throws {RangeError} when `when` is NaN.
   */
  constructor(when: number | null) {
    _checkMs("Timeout", "when", when, { nullable: true });
    this.#when = when;
  }

  /**
   * The deadline in loop time (ms), or null.
   * @returns the deadline.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { timeout } from "@aio/futures";
   * await run(() => timeout(null, async (t) => console.log(t.when()))); // null
   * ```
   */
  when(): number | null {
    return this.#when;
  }

  /**
   * Moves the deadline (loop time, ms); null removes it.
   * @param when - the new deadline or null.
   * @throws {RuntimeError} when the timeout is not active.
   * @throws {RangeError} when `when` is NaN.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { timeout } from "@aio/futures";
   * import { getRunningLoop } from "@aio/core";
   * await run(() => timeout(10, async (t) => t.reschedule(getRunningLoop().time() + 1000)));
   * ```
   */
  reschedule(when: number | null): void {
    _checkMs("Timeout.reschedule()", "when", when, { nullable: true });
    if (this.#state !== ENTERED) {
      if (this.#state === CREATED) throw new RuntimeError("Timeout has not been entered");
      throw new RuntimeError(`Cannot change state of ${this.#state} Timeout`);
    }
    // A new deadline: the error names it, not the duration timeout() was given.
    if (when !== this.#when) this._what = null;
    this.#when = when;
    this.#handle?.cancel();
    this.#handle = null;
    if (when !== null) {
      const loop = this.#loop!;
      if (when <= loop.time()) this.#handle = loop.callSoon(this.#onTimeout);
      else this.#handle = loop.callAt(when, this.#onTimeout);
    }
  }

  /**
   * True once the deadline passed (the body was cancelled for it).
   * @returns whether it expired.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { timeout, sleep, type Timeout } from "@aio/futures";
   * await run(async () => {
   *   let handle: Timeout | undefined;
   *   await timeout(10, async (t) => { handle = t; await sleep(50); }).catch(() => {});
   *   console.log(handle?.expired()); // true
   * });
   * ```
   */
  expired(): boolean {
    return this.#state === EXPIRING || this.#state === EXPIRED;
  }

  /** @internal asyncio `Timeout.__aenter__`; `where` names the helper in errors. */
  _enter(where = "timeout()"): void {
    if (this.#state !== CREATED) throw new RuntimeError("Timeout has already been entered");
    const task = currentTask();
    if (task === null) {
      if (_getRunningLoop() === null) throw noRunningLoop(where);
      throw new RuntimeError("Timeout should be used inside a task");
    }
    this.#state = ENTERED;
    this.#task = task;
    this.#loop = task.getLoop();
    this.#cancelling = task.cancelling();
    this.reschedule(this.#when);
  }

  /**
   * @internal asyncio `Timeout.__aexit__`: returns the TimeoutError to throw
   * instead of the body's error, or undefined.
   */
  _exit(failed: boolean, error: unknown): TimeoutError | undefined {
    this.#handle?.cancel();
    this.#handle = null;
    if (this.#state === EXPIRING) {
      this.#state = EXPIRED;
      // A signal-aware call in the body (fetch, timers/promises) reports our
      // cancellation as its AbortError: the same cancellation
      // (internal/abort-as-cancel.ts).
      const cancelled = failed && (isCancelledError(error) || isOwnAbort(this.#task, error));
      if (this.#task!.uncancel() <= this.#cancelling && cancelled) {
        // No other cancellation is pending: this one was ours.
        return this.#timeoutError(error);
      }
    } else if (this.#state === ENTERED) {
      this.#state = EXITED;
    }
    return undefined;
  }

  /**
   * The TimeoutError for an expired deadline (CPython raises it `from` the
   * CancelledError). Created here, after the body's await, so V8's async
   * stack shows where the caller awaits `timeout()`; the site where
   * `timeout()` was called is appended (CPython shows the `async with` line).
   */
  #timeoutError(cause: unknown): TimeoutError {
    const what =
      this._what ??
      (this.#when === null ? "timeout" : `deadline at loop time ${+this.#when.toFixed(3)} ms`);
    const err = new TimeoutError(`${what} expired`);
    (err as Error & { cause?: unknown }).cause = cause;
    const site = this._site?.stack;
    if (site !== undefined && err.stack !== undefined) {
      const frames = userFrames(site);
      err.stack += `\n    --- the timeout was set at:\n${frames.join("\n")}`;
    }
    if (this.#waitingFor !== null && err.stack !== undefined) {
      err.stack += `\n    --- when it expired, the task was waiting for: ${this.#waitingFor}`;
    }
    this.#waitingFor = null;
    return err;
  }

  #onTimeout = (): void => {
    // What the task was suspended on when the deadline passed, as it was at
    // that moment: the part of its await stack the task knows. A suspended
    // async function shows no frames; a generator task in debug mode has its
    // yield* site recorded (core's suspension sites), down to the line.
    this.#waitingFor = describeWait(this.#task!);
    this.#task!.cancel();
    this.#state = EXPIRING;
    this.#handle = null;
  };

  /**
   * asyncio's repr: `<Timeout [active] when=123.4>`.
   * @returns the description.
   * @example
   * ```ts
   * import { Timeout } from "@aio/futures";
   * console.log(String(new Timeout(null))); // "<Timeout [created]>"
   * ```
   */
  toString(): string {
    // asyncio shows `when=None` for an active timeout without a deadline.
    const when =
      this.#state === ENTERED
        ? ` when=${this.#when === null ? "null" : this.#when.toFixed(3)}`
        : "";
    return `<Timeout [${this.#state}]${when}>`;
  }

  /** Node's `util.inspect` hook: the asyncio repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/**
 * Where @aio's own code lives: installed (`node_modules/@aio/`), or — for
 * this module's siblings — the `src`/`dist` folders of futures, core and
 * loop next to this package (two levels up from this file, in both layouts).
 */
const OWN_ROOT = new URL("../..", import.meta.url);
const OWN_DIRS = ["futures", "core", "loop"].flatMap((pkg) =>
  ["src", "dist"].flatMap((dir) => [
    `${OWN_ROOT.href}${pkg}/${dir}/`,
    `${decodeURIComponent(OWN_ROOT.pathname)}${pkg}/${dir}/`,
  ]),
);

/** The frames of `stack` outside @aio's own code and the runtime's internals. */
function userFrames(stack: string): string[] {
  return stack
    .split("\n")
    .filter(
      (line) =>
        /^\s+at /.test(line) &&
        !line.includes("/node_modules/@aio/") &&
        !OWN_DIRS.some((dir) => line.includes(dir)) &&
        !/\(node:|<anonymous>\)$/.test(line),
    );
}

/** How many awaited tasks {@link describeWait} follows (a chain of tasks awaiting tasks). */
const MAX_WAIT_CHAIN = 8;

/**
 * The repr of what `task` waits on, and — for each generator task along the
 * chain of awaited tasks whose yield* site debug mode recorded — the frames
 * of that site.
 */
function describeWait(task: Task<unknown>): string | null {
  const waiter = task._futWaiter;
  if (waiter === null) return null;
  let text = waiter.toString();
  let t: unknown = task;
  for (let depth = 0; depth < MAX_WAIT_CHAIN && t !== null; depth++) {
    const current = t as Task<unknown>;
    const site = _suspensionSites.get(current);
    const fut = current._futWaiter;
    if (site !== undefined && fut !== null && site.future === fut) {
      const frames = userFrames(site.stack);
      if (frames.length > 0)
        text += `\n    --- ${current.toString()} was suspended at:\n${frames.join("\n")}`;
    }
    t =
      fut !== null && typeof (fut as { cancelling?: unknown }).cancelling === "function"
        ? fut
        : null;
  }
  return text;
}

async function runWithin<T>(
  t: Timeout,
  fn: (t: Timeout) => T | PromiseLike<T>,
  where: string,
): Promise<Awaited<T>> {
  t._enter(where);
  let result: Awaited<T>;
  try {
    result = await fn(t);
  } catch (err) {
    throw t._exit(true, err) ?? err;
  }
  t._exit(false, undefined);
  return result;
}

/** Captures the caller's stack (from `above` up) for a TimeoutError; see `Timeout._site`. */
function callSite(above: (...args: never[]) => unknown): Error {
  const site = new Error("timeout() call site");
  Error.captureStackTrace?.(site, above);
  return site;
}

/**
 * Runs `fn` in the current task with a deadline `ms` from now (asyncio
 * `timeout`). When it passes, the body is cancelled at its current await and
 * `TimeoutError` (`timeout of <ms> ms expired`, its `cause` the
 * CancelledError, its stack naming this call's site) is thrown from here;
 * `null` means no deadline (it can be set later with `t.reschedule()`).
 * Nested timeouts work: each one only converts its own cancellation, also
 * when a signal-aware API in the body reports it as an `AbortError`.
 * Bad arguments reject; it never throws synchronously.
 *
 * @param ms - milliseconds, or null.
 * @param fn - the body; receives the {@link Timeout}.
 * @returns the body's result.
 * @throws {TimeoutError} when the deadline passed.
 * @throws {RuntimeError} `no running event loop: …` outside a loop; `Timeout should be used inside a task`.
 * @throws {TypeError} when `ms` is not a number or null, or `fn` not a function.
 * @throws {RangeError} when `ms` is NaN.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { timeout, sleep } from "@aio/futures";
 * import { isTimeoutError } from "@aio/core";
 * await run(async () => {
 *   try {
 *     await timeout(10, () => sleep(1000));
 *   } catch (e) {
 *     console.log(isTimeoutError(e), (e as Error).message); // true "timeout of 10 ms expired"
 *   }
 * });
 * ```
 */
export function timeout<T>(
  ms: number | null,
  fn: (t: Timeout) => T | PromiseLike<T>,
): Promise<Awaited<T>> {
  try {
    _checkMs("timeout()", "ms", ms, { nullable: true });
    _checkFunction("timeout()", "fn", fn);
    const when = ms === null ? null : runningLoop("timeout()").time() + ms;
    const t = new Timeout(when);
    if (ms !== null) t._what = `timeout of ${ms} ms`;
    t._site = callSite(timeout);
    return runWithin(t, fn, "timeout()");
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Like {@link timeout} with an absolute deadline in loop time (ms; see
 * `loop.time()`) (asyncio `timeout_at`). Bad arguments reject.
 *
 * @param when - the deadline, or null.
 * @param fn - the body.
 * @returns the body's result.
 * @throws {TimeoutError} when the deadline passed.
 * @throws {TypeError} when `when` is not a number or null, or `fn` not a function.
 * @throws {RangeError} when `when` is NaN.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { timeoutAt, sleep } from "@aio/futures";
 * import { getRunningLoop } from "@aio/core";
 * await run(() => timeoutAt(getRunningLoop().time() + 100, () => sleep(10)));
 * ```
 */
export function timeoutAt<T>(
  when: number | null,
  fn: (t: Timeout) => T | PromiseLike<T>,
): Promise<Awaited<T>> {
  try {
    _checkMs("timeoutAt()", "when", when, { nullable: true });
    _checkFunction("timeoutAt()", "fn", fn);
    const t = new Timeout(when);
    t._site = callSite(timeoutAt);
    return runWithin(t, fn, "timeoutAt()");
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Awaits waitFor()'s inner task; when that task failed with the AbortError
 * of its own signal (it was cancelled inside a signal-aware API), rethrows
 * its CancelledError instead, so the timeout sees a cancellation
 * (internal/abort-as-cancel.ts).
 */
async function awaitInner(fut: Future<unknown>): Promise<unknown> {
  try {
    return await fut;
  } catch (err) {
    if (failedFromOwnAbort(fut)) throw ownAbortReason(fut);
    throw err;
  }
}

/** Cancels `fut` and waits until it is done, whatever happens to us meanwhile (asyncio `_cancel_and_wait`). */
async function cancelAndWait(fut: Future<unknown>): Promise<void> {
  const loop = fut.getLoop();
  const waiter = loop.createFuture<void>();
  const cb = () => {
    if (!waiter.done()) waiter.setResult(undefined);
  };
  fut.addDoneCallback(cb);
  try {
    fut.cancel();
    await waiter;
  } finally {
    fut.removeDoneCallback(cb);
  }
}

/**
 * Waits for `aw` with a deadline of `ms` (asyncio `wait_for`). On timeout the
 * inner work is cancelled, `waitFor` waits for it to finish cancelling, then
 * throws `TimeoutError`. A cancellation of the waiting task itself is never
 * swallowed, even if the inner work completes at the same moment (CPython
 * gh-86296). `null` waits without a deadline.
 *
 * The `TimeoutError` says `timeout of <ms> ms expired` and has the inner
 * work's `CancelledError` as `cause` — also when the inner work was
 * cancelled inside a signal-aware API (`fetch`, `timers/promises`) and
 * failed with its `AbortError`. Bad arguments reject.
 *
 * @param aw - a Future, a thenable, or a function (run in a new task; a
 *   `function*` runs as a generator task and gives its return value).
 * @param ms - milliseconds, or null.
 * @returns `aw`'s result.
 * @throws {TimeoutError} when the deadline passed.
 * @throws {TypeError} when `ms` is not a number or null, or `aw` not an awaitable or function.
 * @throws {RangeError} when `ms` is NaN.
 * @throws {RuntimeError} `no running event loop: …` outside a loop.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { waitFor, sleep } from "@aio/futures";
 * await run(async () => {
 *   console.log(await waitFor(() => sleep(10, "fast"), 1000)); // "fast"
 *   await waitFor(() => sleep(1000), 10).catch((e) => console.log(e.name)); // TimeoutError
 * });
 * ```
 */
export function waitFor<T>(aw: Coroutine<T> | (() => Coroutine<T>), ms: number | null): Promise<T>;
export function waitFor<A extends AwaitableOrFn<unknown>>(
  aw: A,
  ms: number | null,
): Promise<ResultOf<A>>;
export async function waitFor<T>(
  aw: AwaitableOrFn<T> | Coroutine<T> | (() => Coroutine<T>),
  ms: number | null,
): Promise<unknown> {
  _checkMs("waitFor()", "ms", ms, { nullable: true });
  if (ms !== null && ms <= 0) {
    const fut = toFuture(aw as AwaitableOrFn<T>, undefined, "waitFor()");
    if (fut.done()) return fut.result();
    await cancelAndWait(fut as Future<unknown>);
    try {
      return fut.result();
    } catch (err) {
      if (isCancelledError(err) || failedFromOwnAbort(fut as Future<unknown>)) {
        const timeoutErr = new TimeoutError(`timeout of ${ms} ms expired`);
        (timeoutErr as Error & { cause?: unknown }).cause = err;
        throw timeoutErr;
      }
      throw err;
    }
  }
  const fut = toFuture(aw as AwaitableOrFn<T>, undefined, "waitFor()");
  const t = new Timeout(ms === null ? null : runningLoop("waitFor()").time() + ms);
  if (ms !== null) t._what = `timeout of ${ms} ms`;
  t._site = callSite(waitFor);
  return runWithin(t, () => awaitInner(fut as Future<unknown>), "waitFor()");
}
