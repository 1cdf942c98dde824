import {
  _contextPropagates,
  _stepContext,
  CancelledError,
  type EventLoop,
  type ExceptionContext,
  type FutureLike,
  getRunningLoop,
  getRuntime,
  InvalidStateError,
  RuntimeError,
} from "@aio/core";
import {
  kScheduleItem,
  kStepEnded,
  kStepStarted,
  SELF,
  type StepAwareLoop,
} from "./internal/protocol.js";
import type { TaskInternals } from "./internal/task-state.js";
import { describe, formatValue } from "./internal/util.js";

const PENDING = 0;
const FINISHED = 1;
const CANCELLED = 2;
const FAILED = 3;
type State = typeof PENDING | typeof FINISHED | typeof CANCELLED | typeof FAILED;

const rt = getRuntime();

/** Resolvers captured by `capture` (no closure allocated per `then()`). */
let capturedResolve: (value: unknown) => void = () => {};
let capturedReject: (reason: unknown) => void = () => {};
function capture(resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * A generator task suspended on a future (see `Task`): it is its own done
 * callback and its own ready item, so a `yield*` allocates no callback.
 */
export interface CoroWaker {
  /** Resumes the task from the future it waits on (`_futWaiter`). */
  _run(): void;
}

/** A done callback, the internal record of one `await`/`then()`, or a generator task. */
type Callback = ((future: any) => void) | Waiter | CoroWaker;

/**
 * One `then(onFulfilled, onRejected)` registration. When the future is done it
 * is run by the loop (like every done callback) and, when the awaiting code is
 * a task, it resumes that task as a step (asyncio `Task.__wakeup`).
 */
class Waiter {
  constructor(
    readonly future: Future<unknown>,
    readonly onFulfilled: ((value: unknown) => unknown) | null | undefined,
    readonly onRejected: ((reason: unknown) => unknown) | null | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
    readonly task: TaskInternals | null,
  ) {}

  run(): void {
    const fut = this.future;
    const task = this.task;
    let ok: boolean;
    let value: unknown;
    // Only the future the task is suspended on starts a step; a future it
    // awaits on the side (through Promise.all, say) just resolves its promise.
    if (task !== null && task._futWaiter === fut) {
      task._wakeup(fut);
      // asyncio Task.__step: a task woken while a cancellation is pending gets
      // the CancelledError instead of the result.
      if (task._mustCancel) {
        task._mustCancel = false;
        if (internals.hasException(fut) && !fut.cancelled()) fut.exception(); // seen by the task
        ok = false;
        value = task._makeCancelledError();
      } else {
        ok = !internals.hasException(fut);
        value = ok ? fut.result() : internals.rejection(fut);
      }
    } else {
      ok = !internals.hasException(fut);
      value = ok ? fut.result() : internals.rejection(fut);
    }
    settle(ok, value, this.onFulfilled, this.onRejected, this.resolve, this.reject);
  }
}

function settle(
  ok: boolean,
  value: unknown,
  onFulfilled: ((value: unknown) => unknown) | null | undefined,
  onRejected: ((reason: unknown) => unknown) | null | undefined,
  resolve: (value: unknown) => void,
  reject: (reason: unknown) => void,
): void {
  const handler = ok ? onFulfilled : onRejected;
  if (typeof handler !== "function") {
    if (ok) resolve(value);
    else reject(value);
    return;
  }
  try {
    resolve(handler(value));
  } catch (err) {
    reject(err);
  }
}

/**
 * Runs one done callback from the loop. A user callback's result is returned
 * so the loop sees a rejected promise of an `async` callback (it goes to the
 * exception handler, as a thrown error does).
 */
function runCallback(cb: Callback, fut: Future<unknown>): unknown {
  if (cb instanceof Waiter) cb.run();
  else if (typeof cb === "function") return cb(fut);
  else cb._run();
  return undefined;
}

/**
 * Schedules one done callback. A Waiter or a generator task goes into the
 * loop's ready queue as it is (both have the Handle shape, see below) when
 * the loop supports that.
 */
function schedule(loop: StepAwareLoop, cb: Callback, fut: Future<unknown>): void {
  const scheduleItem = loop[kScheduleItem];
  if (typeof cb !== "function" && scheduleItem !== undefined) scheduleItem.call(loop, cb);
  else loop.callSoon(runCallback, cb, fut);
}

function runWaiter(waiter: Waiter): void {
  waiter.run();
}

// A Waiter is its own ready-queue item: the loop runs `_callback(item)` when
// `_args` is SELF; `_callback` becomes null if it is cancelled. Prototype
// properties, so a pending await costs no extra field.
Object.defineProperties(Waiter.prototype, {
  _callback: { value: runWaiter, writable: true },
  _args: { value: SELF },
  cancel: {
    value(this: { _callback: unknown }) {
      this._callback = null;
    },
  },
  cancelled: {
    value(this: { _callback: unknown }) {
      return this._callback === null;
    },
  },
  toString: {
    value(this: Waiter) {
      return `<Handle ${this.task === null ? "Future.then" : "Task.wakeup"}()>`;
    },
  },
});

/**
 * Unretrieved-exception bookkeeping (asyncio `Future.__del__`): a record per
 * future that finished with an exception nobody has looked at yet. It is
 * reported when the future is garbage-collected or, at the latest, when its
 * loop closes.
 */
interface LogRecord {
  readonly loop: EventLoop;
  readonly exception: unknown;
  readonly message: string;
  readonly ref: WeakRef<Future<unknown>>;
}

const pendingLogs = new WeakMap<EventLoop, Set<LogRecord>>();

function reportLog(record: LogRecord, future?: Future<unknown>): void {
  const context: ExceptionContext = { message: record.message, exception: record.exception };
  if (future !== undefined) {
    if (internals.isTask(future)) context.task = future as never;
    else context.future = future;
  }
  const loop = record.loop;
  if (loop.isClosed()) loop.defaultExceptionHandler(context);
  else loop.callExceptionHandler(context);
}

const collected = new FinalizationRegistry<LogRecord>((record) => {
  const set = pendingLogs.get(record.loop);
  if (set === undefined || !set.delete(record)) return;
  reportLog(record);
});

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
  /** True for a Task. */
  isTask(fut: Future<unknown>): boolean;
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
 * graph (asyncio 3.14's `future_add_to_awaited_by`).
 */
export const kAwaits: unique symbol = Symbol.for("@aio/futures.awaits") as never;

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
  #loop: StepAwareLoop;
  #state: State = PENDING;
  /** The result, the exception, or (cancelled) the message and then the CancelledError. */
  #result: unknown = undefined;
  /** The first callback is kept inline; more go in an array (most futures have one). */
  #cb0: Callback | null = null;
  #cbs: Callback[] | null = null;
  #log: LogRecord | null = null;
  #completeOnAwait = false;

  /**
   * @param options - `loop`: the loop to bind to; default: the running loop.
   * @throws {RuntimeError} `no running event loop` when no loop is given and none runs.
   */
  constructor(options?: { loop?: EventLoop }) {
    this.#loop = (options?.loop ?? getRunningLoop()) as StepAwareLoop;
  }

  static {
    internals = {
      finish: (fut, value) => fut.#finish(FINISHED, value, false),
      fail: (fut, exception) => fut.#finish(FINISHED, exception, true),
      cancelFuture: (fut, msg, exc) => fut.#cancel(msg, exc),
      rejection: (fut) => {
        fut.#retrieved();
        return fut.#state === CANCELLED ? fut.#makeCancelledError() : fut.#result;
      },
      hasException: (fut) => fut.#state >= CANCELLED,
      completeOnAwait: (fut, value) => {
        fut.#completeOnAwait = true;
        fut.#result = value;
      },
      isTask: (fut) => fut.#isTask(),
      addWaker: (fut, task) => fut.#addCallback(task),
      scheduleItem: (loop, item) => schedule(loop as StepAwareLoop, item, null as never),
    };
  }

  /** @internal Overridden by Task. */
  #isTask(): boolean {
    return (this as { [kTaskBrand]?: true })[kTaskBrand] === true;
  }

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
    if (this.#state === CANCELLED) throw this.#makeCancelledError();
    if (this.#state === PENDING) throw new InvalidStateError("Result is not set.");
    if (this.#state === FAILED) {
      this.#retrieved();
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
    if (this.#state === CANCELLED) throw this.#makeCancelledError();
    if (this.#state === PENDING) throw new InvalidStateError("Exception is not set.");
    if (this.#state !== FAILED) return undefined;
    this.#retrieved();
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
    if (this.#state !== PENDING) throw new InvalidStateError(`invalid state: ${this.#stateName()}`);
    this.#finish(FINISHED, value, false);
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
    if (this.#state !== PENDING) throw new InvalidStateError(`invalid state: ${this.#stateName()}`);
    if (exception instanceof CancelledError) {
      throw new TypeError("setException() exception must not be a CancelledError; use cancel()");
    }
    this.#finish(FINISHED, exception, true);
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
    return this.#cancel(msg, undefined);
  }

  #cancel(msg: string | undefined, exc: CancelledError | undefined): boolean {
    if (this.#state !== PENDING) return false;
    this.#finish(CANCELLED, exc ?? msg, false);
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
    if (typeof cb !== "function") {
      throw new TypeError(
        `addDoneCallback() callback must be a function, received ${describe(cb)}`,
      );
    }
    this.#addCallback(cb);
  }

  #addCallback(cb: Callback): void {
    if (this.#state !== PENDING) {
      schedule(this.#loop, cb, this as Future<unknown>);
    } else if (this.#cb0 === null && this.#cbs === null) {
      this.#cb0 = cb;
    } else {
      if (this.#cbs === null) this.#cbs = [];
      this.#cbs.push(cb);
    }
    if (this.#completeOnAwait && this.#state === PENDING) {
      // sleep(0): completes the moment something waits on it, so the waiter runs
      // in the next loop iteration — exactly one iteration later (asyncio's bare yield).
      this.#completeOnAwait = false;
      this.#finish(FINISHED, this.#result, false);
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
    let removed = 0;
    if (this.#cb0 === cb) {
      this.#cb0 = null;
      removed++;
    }
    if (this.#cbs !== null) {
      const kept = this.#cbs.filter((c) => c !== cb);
      removed += this.#cbs.length - kept.length;
      this.#cbs = kept;
    }
    return removed;
  }

  /**
   * Thenable protocol: `await fut` and `fut.then(...)`. Inside a task, this is
   * how the task suspends on the future: a later `task.cancel()` cancels this
   * future and the `await` throws `CancelledError`.
   * @param onFulfilled - called with the result.
   * @param onRejected - called with the exception or `CancelledError`.
   * @returns a native Promise of the handler's result.
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
    if (task !== null) {
      if (task._coro) {
        // A generator task waits with `yield*`. An `await`/`then()` in its
        // code (or in an `async` helper it called) could not be cancelled
        // with the task: refuse it, before it registers anything.
        return Promise.reject(
          new RuntimeError(
            `${this.toString()} awaited with then() inside generator task ${task.toString()}: ` +
              "use yield*, or run promise-style code in a task of its own: yield* ensureFuture(() => …)",
          ),
        ).then(onFulfilled, onRejected);
      }
      if ((task as unknown) === this) {
        stepEnded(task, false);
        return Promise.reject(
          new RuntimeError(`Task cannot await on itself: ${task.toString()}`),
        ).then(onFulfilled, onRejected);
      }
      if (task.getLoop() !== this.#loop) {
        const err = new RuntimeError(
          `Task ${task.toString()} got Future ${this.toString()} attached to a different loop`,
        );
        stepEnded(task, false);
        return Promise.reject(err).then(onFulfilled, onRejected);
      }
      if (this.#state === PENDING) {
        // The step that reached this await is over: the task now waits on this future.
        task._futWaiter = this as Future<unknown>;
        if (task._mustCancel) {
          // asyncio Task.__step: a pending cancellation cancels what the task awaits.
          if (this.cancel(task._cancelMessage)) task._mustCancel = false;
        }
        const p = this.#register(onFulfilled, onRejected, task);
        stepEnded(task, false);
        return p;
      }
    } else if (this.#state === PENDING) {
      return this.#register(onFulfilled, onRejected, null);
    }
    // Already done: awaiting a done future does not yield to the loop (asyncio).
    if (this.#state === FINISHED) {
      return Promise.resolve(this.#result as T).then(onFulfilled, onRejected);
    }
    return Promise.reject(internals.rejection(this as Future<unknown>)).then(
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
    const task = rt.task as TaskInternals | null;
    // Only a generator task's step iterates a future for real. Anything else
    // walking iterables (a spread, a test matcher's deep equality) sees an
    // empty sequence, as asyncio's `list(done_future)` does.
    if (task === null || !task._coro) return EMPTY_ITER as Iterator<Future<unknown>, T, unknown>;
    return new FutureIter(this);
  }

  #register<R1, R2>(
    onFulfilled: ((value: T) => R1 | PromiseLike<R1>) | null | undefined,
    onRejected: ((reason: any) => R2 | PromiseLike<R2>) | null | undefined,
    task: TaskInternals | null,
  ): Promise<R1 | R2> {
    const p = new Promise<R1 | R2>(capture as never);
    this.#addCallback(
      new Waiter(
        this as Future<unknown>,
        onFulfilled as never,
        onRejected,
        capturedResolve,
        capturedReject,
        task,
      ),
    );
    return p;
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
    return `<${this.constructor.name} ${this._reprInfo().join(" ")}>`;
  }

  /** @internal The words inside the repr; Task adds its own. */
  _reprInfo(): string[] {
    const info = [this.#stateName()];
    if (this.#state === FAILED) info.push(`exception=${formatValue(this.#result, true)}`);
    else if (this.#state === FINISHED) info.push(`result=${formatValue(this.#result, false)}`);
    const n = (this.#cb0 !== null ? 1 : 0) + (this.#cbs?.length ?? 0);
    if (n > 0 && this.#state === PENDING) info.push(`cb=[${n}]`);
    return info;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return this.constructor.name;
  }

  /** Node's `util.inspect` hook: the asyncio repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  #stateName(): string {
    return this.#state === PENDING
      ? "pending"
      : this.#state === CANCELLED
        ? "cancelled"
        : "finished";
  }

  #makeCancelledError(): CancelledError {
    // #result holds the message until the error is made, then the error (asyncio keeps one instance).
    const held = this.#result;
    if (held instanceof CancelledError) return held;
    const err = held === undefined ? new CancelledError() : new CancelledError(held as string);
    this.#result = err;
    return err;
  }

  #finish(state: State, value: unknown, isException: boolean): void {
    this.#completeOnAwait = false;
    this.#state = isException ? FAILED : state;
    this.#result = value;
    if (isException) this.#trackException(value);
    this._onDone();
    const loop = this.#loop;
    const cb0 = this.#cb0;
    const cbs = this.#cbs;
    this.#cb0 = null;
    this.#cbs = null;
    if (cb0 !== null) schedule(loop, cb0, this as Future<unknown>);
    if (cbs !== null) for (const cb of cbs) schedule(loop, cb, this as Future<unknown>);
  }

  /** @internal A hook for Task (runs once, when the future becomes done). */
  _onDone(): void {}

  #trackException(exception: unknown): void {
    const record: LogRecord = {
      loop: this.#loop,
      exception,
      message: `${this.#isTask() ? "Task" : "Future"} exception was never retrieved`,
      ref: new WeakRef(this as Future<unknown>),
    };
    this.#log = record;
    let set = pendingLogs.get(this.#loop);
    if (set === undefined) pendingLogs.set(this.#loop, (set = new Set()));
    set.add(record);
    collected.register(this, record, record);
  }

  #retrieved(): void {
    const record = this.#log;
    if (record === null) return;
    this.#log = null;
    pendingLogs.get(record.loop)?.delete(record);
    collected.unregister(record);
  }
}

/** What iterating a future outside a generator task gives: nothing. */
const EMPTY_ITER: Iterator<unknown, undefined, unknown> & Iterable<unknown> = Object.freeze({
  next: (): IteratorResult<unknown, undefined> => ({ done: true, value: undefined }),
  [Symbol.iterator]() {
    return this;
  },
});

/**
 * The iterator behind `yield* fut` (asyncio's `Future.__await__`): yields the
 * future once while it is pending, then returns its result. The task driving
 * the generator throws the future's exception in through `throw()`.
 */
class FutureIter<T> implements Iterator<Future<unknown>, T, unknown> {
  /** The future; null once the iteration is over. */
  #fut: Future<T> | null;
  #yielded = false;

  constructor(fut: Future<T>) {
    this.#fut = fut;
  }

  next(): IteratorResult<Future<unknown>, T> {
    const fut = this.#fut;
    if (fut === null) return { done: true, value: undefined as T };
    if (!fut.done()) {
      if (this.#yielded) throw new RuntimeError("yield* wasn't used with future");
      this.#yielded = true;
      return { done: false, value: fut as Future<unknown> };
    }
    this.#fut = null;
    return { done: true, value: fut.result() };
  }

  throw(err: unknown): never {
    this.#fut = null;
    throw err;
  }

  return(value?: unknown): IteratorResult<Future<unknown>, T> {
    this.#fut = null;
    return { done: true, value: value as T };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

const kTaskBrand = Symbol.for("@aio/futures.Task");

/** @internal Set on Task.prototype so Future can tell the two apart. */
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

/**
 * Reports (once) every exception still unretrieved on `loop`; called by the
 * loop when it closes.
 * @internal
 */
export function flushUnretrieved(loop: EventLoop): void {
  const set = pendingLogs.get(loop);
  if (set === undefined) return;
  pendingLogs.delete(loop);
  for (const record of set) {
    collected.unregister(record);
    reportLog(record, record.ref.deref());
  }
}

/** The task whose code is awaiting right now, if any. */
function awaitingTask(): TaskInternals | null {
  if (rt.loop !== null) return rt.task as TaskInternals | null;
  const task = rt.taskContext.getStore() as TaskInternals | undefined;
  return task === undefined || task.done() ? null : task;
}

/**
 * Tells the task's loop that its step is over. `sync` when called from a
 * promise job with nothing left to run after us (an `await`'s then-job, a
 * task's settlement): the loop may resume right here instead of a microtask.
 */
export function stepEnded(task: TaskInternals, sync: boolean): void {
  if (!_contextPropagates) _stepContext.ended(task);
  if (rt.instruments.length !== 0)
    for (const i of rt.instruments) i.taskStepEnd?.(task, task._futWaiter);
  const loop = task.getLoop() as StepAwareLoop;
  loop[kStepEnded]?.(task, sync);
}

/** @internal Used by Task to mark the start of a step on its loop. */
export function stepStarted(task: TaskInternals): void {
  // Without async hooks (a browser), the promise jobs of this step are
  // attributed to the task from the loop's side (see `_stepContext`).
  if (!_contextPropagates) _stepContext.started(task);
  const loop = task.getLoop() as StepAwareLoop;
  loop[kStepStarted]?.(task);
}
