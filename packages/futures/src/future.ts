import {
  _checkFunction,
  _className,
  _kAwaits,
  CancelledError,
  type EventLoop,
  type FutureLike,
  getRunningLoop,
  getRuntime,
  InvalidStateError,
  _kTaskBrand as kTaskBrand,
  RuntimeError,
  type _StepAwareLoop as StepAwareLoop,
} from "@aio/core";

import { DoneIter, EMPTY_ITER, FutureIter } from "./internal/future-iter.js";
import { awaitingTask, stepEnded } from "./internal/step.js";
import { type LogRecord, trackUnretrieved, untrack } from "./internal/unretrieved.js";
import { formatValue } from "./internal/util.js";
import {
  type Callback,
  type CoroWaker,
  type Deferred,
  schedule,
  Waiter,
} from "./internal/waiter.js";

const PENDING = 0;
const FINISHED = 1;
const CANCELLED = 2;
const FAILED = 3;
type State = typeof PENDING | typeof FINISHED | typeof CANCELLED | typeof FAILED;

const rt = getRuntime();

/** `FutureClass.#cbs` of a `sleep(0)` future: complete with `#result` when first awaited. */
const ARMED: unique symbol = Symbol("armed");

/**
 * The "exception was never retrieved" record of each failed future not yet
 * looked at: kept aside, since most futures never fail (one field less each).
 */
const unretrieved = new WeakMap<Future<unknown>, LogRecord>();

/** @internal Accessors the rest of the package uses; not exported from the package. */
export interface FutureInternals {
  /** Completes `fut` with a result, without the public-API checks Task overrides. */
  finish(fut: Future<unknown>, value: unknown): void;
  /** Completes `fut` with an exception. */
  fail(fut: Future<unknown>, exception: unknown): void;
  /** Cancels `fut` as a plain Future (Task's `super.cancel()`). */
  cancelFuture(fut: Future<unknown>, msg: string | undefined, exc?: CancelledError): boolean;
  /** The rejection an awaiter of `fut` gets (its exception, or a CancelledError). */
  rejection(fut: Future<unknown>): unknown;
  /** True when `fut` finished with an exception (including `undefined` thrown). */
  hasException(fut: Future<unknown>): boolean;
  /** Makes `fut` complete with `value` as soon as it is awaited (sleep(0)). */
  completeOnAwait(fut: Future<unknown>, value: unknown): void;
  /** Adds `cb` to a pending `fut` unless it is there already: false when it was (gather's dedup). */
  addCallbackOnce(fut: Future<unknown>, cb: Callback): boolean;
  /** Registers a generator task as a done callback of `fut` (asyncio `add_done_callback(task.__wakeup)`). */
  addWaker(fut: Future<unknown>, task: CoroWaker): void;
  /** Schedules `item` (a Handle-shaped object) on `loop` without a Handle, or through `callSoon`. */
  scheduleItem(loop: EventLoop, item: CoroWaker): void;
}

export let internals: FutureInternals;

const kFuture = Symbol.for("@aio/futures.Future");

/**
 * A future that stands for other futures (a gather, a task group's exit, a
 * shield, a wait) lists them under this key, so tools can draw the await
 * graph (asyncio 3.14's `future_add_to_awaited_by`). Declared in
 * `@aio/core`'s internal contract; exported here for await-graph tools.
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { gather, kAwaits, sleep } from "@aio/futures";
 * await run(async () => {
 *   const g = gather(() => sleep(1), () => sleep(1));
 *   console.log([...(g as any)[kAwaits]].length); // 2
 *   await g;
 * });
 * ```
 */
export const kAwaits: typeof _kAwaits = _kAwaits;

/**
 * `Future` itself, for its static private helpers (`FutureClass.#x(…)`): a class that
 * names itself in its body is emitted as `var Future = class _Future` in the Node
 * bundle, which would rename it. Set in the class's first static block.
 */
let FutureClass: typeof Future;

/**
 * An asyncio Future: a placeholder for a result that arrives later, bound to
 * one event loop.
 *
 * Invariant: a future is PENDING until exactly one of `setResult`,
 * `setException` or `cancel` moves it to FINISHED or CANCELLED; from then on
 * it never changes. Done callbacks registered before that moment run through
 * the loop's `callSoon`, in registration order; callbacks added afterwards are
 * scheduled at once.
 *
 * `await fut` works (a Future is a thenable). Inside a task, awaiting a Future
 * is where cancellation lands: cancelling the task cancels the future it
 * awaits and the `await` throws `CancelledError`.
 *
 * @typeParam T - the result type.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { Future } from "@aio/futures";
 * await run(async () => {
 *   const fut = new Future<string>();
 *   setTimeout(() => fut.setResult("ready"), 10);
 *   console.log(await fut); // "ready"
 * });
 * ```
 */
export class Future<T> implements FutureLike<T> {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  get _className(): string {
    return "Future";
  }

  #loop: StepAwareLoop;
  #state: State = PENDING;
  /** The result, the exception, or (cancelled) the message and then the CancelledError. */
  #result: unknown = undefined;
  /**
   * The done callbacks: one inline (most futures have one), more in an
   * array; ARMED for a `sleep(0)` future that completes when first awaited.
   */
  #cbs: Callback | Callback[] | typeof ARMED | null = null;

  /**
   * @param options - `loop`: the loop to bind to; default: the running loop.
   * @throws {RuntimeError} `no running event loop` when no loop is given and none runs.
   */
  constructor(options?: { loop?: EventLoop }) {
    this.#loop = (options?.loop ?? getRunningLoop()) as StepAwareLoop;
  }

  static {
    // biome-ignore lint/complexity/noThisInStatic: naming the class in its body renames it in the Node bundle (see FutureClass).
    FutureClass = this;
    internals = {
      finish: (fut, value) => FutureClass.#finish(fut, FINISHED, value, false),
      fail: (fut, exception) => FutureClass.#finish(fut, FINISHED, exception, true),
      cancelFuture: (fut, msg, exc) => FutureClass.#cancel(fut, msg, exc),
      rejection: (fut) => {
        FutureClass.#retrieved(fut);
        return fut.#state === CANCELLED ? FutureClass.#makeCancelledError(fut) : fut.#result;
      },
      hasException: (fut) => fut.#state >= CANCELLED,
      completeOnAwait: (fut, value) => {
        fut.#cbs = ARMED;
        fut.#result = value;
      },
      addWaker: (fut, task) => FutureClass.#addCallback(fut, task),
      addCallbackOnce: (fut, cb) => {
        const cbs = fut.#cbs;
        if (cbs === cb || (Array.isArray(cbs) && cbs.includes(cb))) return false;
        FutureClass.#addCallback(fut, cb);
        return true;
      },
      scheduleItem: (loop, item) => schedule(loop as StepAwareLoop, item, null as never),
    };
  }

  // The private helpers are static: a private *instance* method would give
  // every future a hidden brand field (8 bytes each, see
  // docs/design/task-layout.md).

  /**
   * The loop this future is bound to.
   * @returns the loop.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * import { getRunningLoop } from "@aio/core";
   * await run(() => { console.log(new Future().getLoop() === getRunningLoop()); }); // true
   * ```
   */
  getLoop(): EventLoop {
    return this.#loop;
  }

  /**
   * True when the future is done (result, exception or cancelled).
   * @returns whether it is done.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * await run(() => { const f = new Future(); f.setResult(1); console.log(f.done()); }); // true
   * ```
   */
  done(): boolean {
    return this.#state !== PENDING;
  }

  /**
   * True when the future was cancelled.
   * @returns whether it is cancelled.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * await run(() => { const f = new Future(); f.cancel(); console.log(f.cancelled()); }); // true
   * ```
   */
  cancelled(): boolean {
    return this.#state === CANCELLED;
  }

  /**
   * The result of a done future.
   * @returns the result.
   * @throws {CancelledError} when cancelled (with the cancellation message).
   * @throws {InvalidStateError} `Result is not set.` when not done.
   * @throws the future's exception when it finished with one.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * await run(() => { const f = new Future<number>(); f.setResult(7); console.log(f.result()); }); // 7
   * ```
   */
  result(): T {
    if (this.#state === CANCELLED) throw FutureClass.#makeCancelledError(this);
    if (this.#state === PENDING) throw new InvalidStateError("Result is not set.");
    if (this.#state === FAILED) {
      FutureClass.#retrieved(this);
      throw this.#result;
    }
    return this.#result as T;
  }

  /**
   * The exception of a done future, or `undefined` when it has a result.
   * Reading it marks it retrieved (no "never retrieved" report).
   * @returns the exception or undefined.
   * @throws {CancelledError} when cancelled.
   * @throws {InvalidStateError} `Exception is not set.` when not done.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * await run(() => { const f = new Future(); f.setException(new Error("x")); console.log(f.exception()); });
   * ```
   */
  exception(): unknown {
    if (this.#state === CANCELLED) throw FutureClass.#makeCancelledError(this);
    if (this.#state === PENDING) throw new InvalidStateError("Exception is not set.");
    if (this.#state !== FAILED) return undefined;
    FutureClass.#retrieved(this);
    return this.#result;
  }

  /**
   * Marks the future done with `value` and schedules its callbacks.
   * @param value - the result.
   * @throws {InvalidStateError} when the future is already done.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * await run(async () => { const f = new Future<number>(); f.setResult(3); console.log(await f); }); // 3
   * ```
   */
  setResult(value: T): void {
    if (this.#state !== PENDING)
      throw new InvalidStateError(`invalid state: ${FutureClass.#stateName(this)}`);
    FutureClass.#finish(this, FINISHED, value, false);
  }

  /**
   * Marks the future done with an exception and schedules its callbacks.
   * @param exception - the error; a `CancelledError` is rejected (use `cancel()`).
   * @throws {InvalidStateError} when the future is already done.
   * @throws {TypeError} when `exception` is a `CancelledError`.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * await run(async () => {
   *   const f = new Future();
   *   f.setException(new Error("boom"));
   *   await f.catch((e) => console.log(e.message)); // "boom"
   * });
   * ```
   */
  setException(exception: unknown): void {
    if (this.#state !== PENDING)
      throw new InvalidStateError(`invalid state: ${FutureClass.#stateName(this)}`);
    if (exception instanceof CancelledError) {
      throw new TypeError("setException() exception must not be a CancelledError; use cancel()");
    }
    FutureClass.#finish(this, FINISHED, exception, true);
  }

  /**
   * Cancels the future and schedules its callbacks.
   * @param msg - the message the `CancelledError` will carry.
   * @returns false when the future was already done, true otherwise.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * await run(() => { const f = new Future(); console.log(f.cancel("stop"), f.cancel()); }); // true false
   * ```
   */
  cancel(msg?: string): boolean {
    return FutureClass.#cancel(this, msg, undefined);
  }

  static #cancel(
    fut: Future<unknown>,
    msg: string | undefined,
    exc: CancelledError | undefined,
  ): boolean {
    if (fut.#state !== PENDING) return false;
    FutureClass.#finish(fut, CANCELLED, exc ?? msg, false);
    return true;
  }

  /**
   * Adds a callback run with the future once it is done, through the loop's
   * `callSoon` (at once scheduled if already done).
   * @param cb - called as `cb(future)`.
   * @throws {TypeError} when `cb` is not a function.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * await run(async () => {
   *   const f = new Future<number>();
   *   f.addDoneCallback((done) => console.log("done with", done.result()));
   *   f.setResult(1);
   *   await f;
   * });
   * ```
   */
  addDoneCallback(cb: (future: this) => void): void {
    _checkFunction("addDoneCallback()", "callback", cb);
    FutureClass.#addCallback(this, cb);
  }

  static #addCallback(fut: Future<unknown>, cb: Callback): void {
    const cbs = fut.#cbs;
    if (fut.#state !== PENDING) {
      schedule(fut.#loop, cb, fut);
    } else if (cbs === null) {
      fut.#cbs = cb;
    } else if (cbs === ARMED) {
      // sleep(0): completes the moment something waits on it, so the waiter runs
      // in the next loop iteration — exactly one iteration later (asyncio's bare yield).
      fut.#cbs = cb;
      FutureClass.#finish(fut, FINISHED, fut.#result, false);
    } else if (Array.isArray(cbs)) {
      cbs.push(cb);
    } else {
      fut.#cbs = [cbs, cb];
    }
  }

  /**
   * Removes every registration of `cb` from the done callbacks.
   * @param cb - the callback passed to `addDoneCallback`.
   * @returns how many registrations were removed.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * await run(() => {
   *   const f = new Future(); const cb = () => {};
   *   f.addDoneCallback(cb); f.addDoneCallback(cb);
   *   console.log(f.removeDoneCallback(cb)); // 2
   * });
   * ```
   */
  removeDoneCallback(cb: (future: this) => void): number {
    const cbs = this.#cbs;
    if (cbs === cb) {
      this.#cbs = null;
      return 1;
    }
    if (!Array.isArray(cbs)) return 0;
    const kept = cbs.filter((c) => c !== cb);
    this.#cbs = kept.length === 0 ? null : kept;
    return cbs.length - kept.length;
  }

  /**
   * Thenable protocol: `await fut` and `fut.then(...)`. Inside a task, this is
   * how the task suspends on the future: a later `task.cancel()` cancels this
   * future and the `await` throws `CancelledError`.
   * @param onFulfilled - called with the result.
   * @param onRejected - called with the exception or `CancelledError`.
   * @returns a Promise of the handler's result. Inside a task, while the
   *   future is pending, it is a promise-like object (`then`, `catch`,
   *   `finally`) that makes the native Promise only when chained on: every
   *   `await fut` calls `then()` and drops what it returns (see
   *   `docs/design/lazy-then.md`). Wrap it in `Promise.resolve()` where a
   *   native instance is needed.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * await run(async () => {
   *   const f = new Future<number>();
   *   f.setResult(2);
   *   console.log(await f.then((v) => v * 10)); // 20
   * });
   * ```
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const task = awaitingTask();
    // The error a refused await rejects with (the task goes on in its step).
    let err: RuntimeError | undefined;
    if (task !== null) {
      if (task._isGenerator) {
        // A generator task waits with `yield*`. An `await`/`then()` in its
        // code (or in an `async` helper it called) could not be cancelled
        // with the task: refuse it, before it registers anything.
        err = new RuntimeError(
          `${this.toString()} awaited with then() inside generator task ${task.toString()}: ` +
            "use yield*, or run promise-style code in a task of its own: yield* ensureFuture(() => …)",
        );
      } else if ((task as unknown) === this) {
        stepEnded(task, false);
        err = new RuntimeError(`Task cannot await on itself: ${task.toString()}`);
      } else if (task.getLoop() !== this.#loop) {
        err = new RuntimeError(
          `Task ${task.toString()} got Future ${this.toString()} attached to a different loop`,
        );
        stepEnded(task, false);
      } else if (this.#state === PENDING) {
        // The step that reached this await is over: the task now waits on this future.
        task._futWaiter = this as Future<unknown>;
        task._cancelAwaited();
        // The Waiter stands for the promise (made if the caller chains on it):
        // the engine's `await` drops what then() returns.
        const waiter = new Waiter(this, onFulfilled as never, onRejected, task);
        FutureClass.#addCallback(this, waiter);
        stepEnded(task, false);
        return waiter as unknown as Promise<R1 | R2>;
      }
    } else if (this.#state === PENDING) {
      const waiter = Waiter.eager(this as Future<unknown>, onFulfilled as never, onRejected);
      FutureClass.#addCallback(this, waiter);
      return (waiter.state as Deferred).promise as Promise<R1 | R2>;
    }
    // Already done: awaiting a done future does not yield to the loop (asyncio).
    if (err === undefined && this.#state === FINISHED) {
      return Promise.resolve(this.#result as T).then(onFulfilled, onRejected);
    }
    return Promise.reject(err ?? internals.rejection(this as Future<unknown>)).then(
      onFulfilled,
      onRejected,
    );
  }

  /**
   * `yield* fut` inside a generator task (asyncio `Future.__await__`): a
   * pending future suspends the task until it is done; a done future gives
   * its result at once, without a loop iteration or a promise job. The task
   * resumes with the result, or with the exception (a `CancelledError` when
   * the future — or the task — was cancelled) thrown at the `yield*`.
   *
   * Outside a generator task's step a future iterates as an empty sequence,
   * so code that walks iterables (spreads, deep-equality matchers) is not
   * affected; `wait()` and `asCompleted()` refuse a single future.
   * @returns an iterator that yields the future while it is pending and returns its result.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future, sleep } from "@aio/futures";
   * await run(function* () {
   *   const fut = new Future<number>();
   *   setTimeout(() => fut.setResult(7), 5);
   *   const v = yield* fut; // typed number
   *   yield* sleep(1);
   *   console.log(v); // 7
   * });
   * ```
   */
  [Symbol.iterator](): Iterator<Future<unknown>, T, unknown> {
    // Only a generator task's step iterates a future for real. Anything else
    // walking iterables (a spread, a test matcher's deep equality) sees an
    // empty sequence, as asyncio's `list(done_future)` does.
    const task = rt.task;
    if (task === null || task !== rt.genTask)
      return EMPTY_ITER as Iterator<Future<unknown>, T, unknown>;
    // A future done with a result: one object that is both the iterator and
    // its only step's outcome, instead of an iterator and a result object.
    if (this.#state === FINISHED) return new DoneIter(this.#result as T);
    return new FutureIter(this);
  }

  /**
   * Like `Promise.prototype.catch`.
   * @param onRejected - called with the exception or `CancelledError`.
   * @returns a native Promise.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * await run(async () => { const f = new Future(); f.cancel("x"); await f.catch((e) => console.log(e.name)); });
   * ```
   */
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onRejected);
  }

  /**
   * Like `Promise.prototype.finally`.
   * @param onFinally - called once the future is done.
   * @returns a native Promise settling like the future.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * await run(async () => { const f = new Future(); f.setResult(1); await f.finally(() => console.log("done")); });
   * ```
   */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onFinally);
  }

  /**
   * asyncio's repr: `<Future pending>`, `<Future finished result=1>`,
   * `<Future finished exception=Error('boom')>`, `<Future cancelled>`.
   * @returns the description.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { Future } from "@aio/futures";
   * await run(() => { console.log(String(new Future())); }); // "<Future pending>"
   * ```
   */
  toString(): string {
    return `<${_className(this)} ${this._reprInfo().join(" ")}>`;
  }

  /** @internal The words inside the repr; Task adds its own. */
  _reprInfo(): string[] {
    const info = [FutureClass.#stateName(this)];
    if (this.#state === FAILED) info.push(`exception=${formatValue(this.#result, true)}`);
    else if (this.#state === FINISHED) info.push(`result=${formatValue(this.#result, false)}`);
    const cbs = this.#cbs;
    const n = cbs === null || cbs === ARMED ? 0 : Array.isArray(cbs) ? cbs.length : 1;
    if (n > 0 && this.#state === PENDING) info.push(`cb=[${n}]`);
    return info;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return _className(this);
  }

  /** Node's `util.inspect` hook: the asyncio repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  static #stateName(fut: Future<unknown>): string {
    return fut.#state === PENDING ? "pending" : fut.#state === CANCELLED ? "cancelled" : "finished";
  }

  static #makeCancelledError(fut: Future<unknown>): CancelledError {
    // #result holds the message until the error is made, then the error (asyncio keeps one instance).
    const held = fut.#result;
    if (held instanceof CancelledError) return held;
    const err = new CancelledError(held as string | undefined);
    fut.#result = err;
    return err;
  }

  static #finish(fut: Future<unknown>, state: State, value: unknown, isException: boolean): void {
    fut.#state = isException ? FAILED : state;
    fut.#result = value;
    if (isException) FutureClass.#trackException(fut, value);
    fut._onDone();
    const cbs = fut.#cbs;
    fut.#cbs = null;
    if (cbs === null || cbs === ARMED) return;
    const loop = fut.#loop;
    if (!Array.isArray(cbs)) schedule(loop, cbs, fut);
    else for (const cb of cbs) schedule(loop, cb, fut);
  }

  /** @internal A hook for Task (runs once, when the future becomes done). */
  _onDone(): void {}

  static #trackException(fut: Future<unknown>, exception: unknown): void {
    const isTask = (fut as { [kTaskBrand]?: true })[kTaskBrand] === true;
    const record = trackUnretrieved(fut, fut.#loop, exception, isTask);
    unretrieved.set(fut, record);
  }

  static #retrieved(fut: Future<unknown>): void {
    if (fut.#state !== FAILED) return;
    const record = unretrieved.get(fut);
    if (record === undefined) return;
    unretrieved.delete(fut);
    untrack(record);
  }
}

/** @internal Set on Task.prototype so Future can tell the two apart (and debug tools find tasks). */
export { kTaskBrand };

Object.defineProperty(Future.prototype, kFuture, { value: true });

/**
 * True when `value` is an \@aio Future or Task (from any copy of `@aio/futures`).
 * @param value - anything.
 * @returns whether it is a Future.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { Future, isFuture } from "@aio/futures";
 * await run(() => { console.log(isFuture(new Future()), isFuture(Promise.resolve())); }); // true false
 * ```
 */
export function isFuture(value: unknown): value is Future<unknown> {
  return (
    typeof value === "object" && value !== null && (value as { [kFuture]?: true })[kFuture] === true
  );
}
