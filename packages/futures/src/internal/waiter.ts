import {
  _kScheduleItem as kScheduleItem,
  type _ReadyItem as ReadyItem,
  _SELF as SELF,
  type _StepAwareLoop as StepAwareLoop,
} from "@aio/core";
import { type Future, internals, isFuture } from "../future.js";
import type { TaskInternals } from "./task-state.js";
import { isThenable } from "./util.js";

/**
 * A generator task suspended on a future (see `Task`): it is its own done
 * callback and its own ready item, so a `yield*` allocates no callback.
 */
export interface CoroWaker {
  /** Resumes the task from the future it waits on (`_futWaiter`). */
  _run(): void;
}

/** A done callback, the internal record of one `await`/`then()`, or a generator task. */
export type Callback = ((future: any) => void) | Waiter | CoroWaker;

/** Resolvers captured by `capture` (no closure allocated per promise). */
let capturedResolve: (value: unknown) => void = () => {};
let capturedReject: (reason: unknown) => void = () => {};
function capture(resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * The promise a Waiter stands for, with its resolvers and the Waiter's
 * future: made at once by a `then()` outside any task, or when the caller
 * chains on a task's Waiter before it ran.
 */
export class Deferred {
  // `declare`d and assigned in the constructor: the same fields in the same
  // order, without the class-field declarations a bundle would carry.
  declare readonly future: Future<unknown>;
  declare readonly promise: Promise<unknown>;
  declare readonly resolve: (value: unknown) => void;
  declare readonly reject: (reason: unknown) => void;

  constructor(
    future: Future<unknown>,
    promise: Promise<unknown>,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
  ) {
    this.future = future;
    this.promise = promise;
    this.resolve = resolve;
    this.reject = reject;
  }
}

/** `Waiter` itself, for its static members (see `FutureClass` in `future.ts`). */
let WaiterClass: typeof Waiter;

/**
 * One `then(onFulfilled, onRejected)` registration. When the future is done it
 * is run by the loop (like every done callback) and, when the awaiting code is
 * a task, it resumes that task as a step (asyncio `Task.__wakeup`).
 *
 * Outside a task, `then()` returns a native promise made with the Waiter
 * (`Waiter.eager`). Inside a task the Waiter is itself what `then()` returns
 * (`new Waiter(future, …, task)`, see `docs/design/lazy-then.md`): every `await fut` reaches
 * `then()` through the engine's thenable job, which drops the returned value,
 * so the promise (and its two resolving functions) is made only when the
 * caller chains on it (`then`/`catch`/`finally`), or at once when the handler
 * throws or returns a thenable, so a rejection is never lost.
 *
 * Four fields, since a pending `await` keeps one (see
 * `docs/design/task-layout.md`): what the Waiter needs next lives in one
 * field, `state`, whose meaning follows the Waiter's life.
 */
export class Waiter {
  static {
    // biome-ignore lint/complexity/noThisInStatic: naming the class in its body renames it in the Node bundle (see WaiterClass).
    WaiterClass = this;
  }

  /**
   * Before it ran: its future, or the Deferred holding it once a promise
   * was made. After: that Deferred, the promise made when the handler
   * threw or returned a thenable, or the handler's plain result (never a
   * thenable, so never a Future or a Promise).
   */
  declare state: unknown;
  declare readonly onFulfilled: ((value: unknown) => unknown) | null | undefined;
  declare readonly onRejected: ((reason: unknown) => unknown) | null | undefined;
  declare readonly task: TaskInternals | null;

  /**
   * A task's registration (`task` given, `state` its future): the Waiter is
   * what `then()` returns; its promise is made on demand. Otherwise use
   * `Waiter.eager`. Fields `declare`d and assigned here, as Deferred's.
   */
  constructor(
    state: unknown,
    onFulfilled: ((value: unknown) => unknown) | null | undefined,
    onRejected: ((reason: unknown) => unknown) | null | undefined,
    task: TaskInternals | null,
  ) {
    this.state = state;
    this.onFulfilled = onFulfilled;
    this.onRejected = onRejected;
    this.task = task;
  }

  /**
   * A registration whose promise exists from the start (a `then()` outside
   * any task): `then()` returns its state's promise.
   * @returns the Waiter.
   */
  static eager(
    future: Future<unknown>,
    onFulfilled: ((value: unknown) => unknown) | null | undefined,
    onRejected: ((reason: unknown) => unknown) | null | undefined,
  ): Waiter {
    const promise = new Promise(capture);
    const deferred = new Deferred(future, promise, capturedResolve, capturedReject);
    return new WaiterClass(deferred, onFulfilled, onRejected, null);
  }

  run(): void {
    const state = this.state;
    const deferred = state instanceof Deferred ? state : null;
    const fut = deferred === null ? (state as Future<unknown>) : deferred.future;
    const task = this.task;
    // Only the future the task is suspended on starts a step; a future it
    // awaits on the side (through Promise.all, say) just resolves its promise.
    if (task !== null && task._futWaiter === fut) {
      task._wakeup(fut);
      const cancel = task._deliverCancel(fut);
      if (cancel !== null) {
        WaiterClass.#settle(this, deferred, false, cancel);
        return;
      }
    }
    const ok = !internals.hasException(fut);
    WaiterClass.#settle(this, deferred, ok, ok ? fut.result() : internals.rejection(fut));
  }

  static #settle(waiter: Waiter, deferred: Deferred | null, ok: boolean, value: unknown): void {
    const handler = ok ? waiter.onFulfilled : waiter.onRejected;
    if (deferred === null) {
      // Lazy, nobody chained yet: keep a plain outcome; make the promise now
      // for a rejection or a thenable (it must be reported or adopted as before).
      if (typeof handler !== "function") {
        // A plain outcome is kept as is; a rejection must be reported, and a
        // thenable (a future whose result is a Future) adopted, as a promise.
        if (ok && !isThenable(value)) waiter.state = value;
        else WaiterClass.#materialize(waiter, ok, value);
        return;
      }
      let result: unknown;
      try {
        result = handler(value);
      } catch (err) {
        WaiterClass.#materialize(waiter, false, err);
        return;
      }
      if (isThenable(result)) WaiterClass.#materialize(waiter, true, result);
      else waiter.state = result;
      return;
    }
    if (typeof handler !== "function") {
      if (ok) deferred.resolve(value);
      else deferred.reject(value);
      return;
    }
    try {
      deferred.resolve(handler(value));
    } catch (err) {
      deferred.reject(err);
    }
  }

  /** Makes the promise of a lazy Waiter that ran before anyone chained on it. */
  static #materialize(waiter: Waiter, ok: boolean, value: unknown): void {
    const promise = new Promise(capture);
    waiter.state = promise;
    if (ok) capturedResolve(value);
    else capturedReject(value);
  }

  /** The promise `then()` stands for, made now if it was not yet. */
  static #promise(waiter: Waiter): Promise<unknown> {
    const state = waiter.state;
    if (state instanceof Deferred) return state.promise;
    if (state instanceof Promise) return state;
    if (isFuture(state)) {
      // Not run yet: the future's outcome will resolve the promise.
      const promise = new Promise(capture);
      waiter.state = new Deferred(state, promise, capturedResolve, capturedReject);
      return promise;
    }
    const promise = Promise.resolve(state); // ran: its plain result
    waiter.state = promise;
    return promise;
  }

  /** Promise protocol of a lazy Waiter (what `fut.then()` returned inside a task). */
  then(
    onFulfilled?: ((value: unknown) => unknown) | null,
    onRejected?: ((reason: unknown) => unknown) | null,
  ): Promise<unknown> {
    return WaiterClass.#promise(this).then(onFulfilled, onRejected);
  }

  catch(onRejected?: ((reason: unknown) => unknown) | null): Promise<unknown> {
    return WaiterClass.#promise(this).catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<unknown> {
    return WaiterClass.#promise(this).finally(onFinally);
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
 * A function done callback scheduled on the loop: its own ready item (the
 * Handle shape, see below), so scheduling it costs one small object instead
 * of a Handle, an arguments array and an `arguments` object.
 */
class DoneCallback {
  declare readonly cb: (future: Future<unknown>) => unknown;
  declare readonly fut: Future<unknown>;

  // Fields `declare`d and assigned here, as Deferred's.
  constructor(cb: (future: Future<unknown>) => unknown, fut: Future<unknown>) {
    this.cb = cb;
    this.fut = fut;
  }
}

/** What the loop runs for a DoneCallback; a returned promise's rejection goes to the exception handler. */
function runDoneCallback(item: DoneCallback): unknown {
  return item.cb(item.fut);
}

/**
 * Schedules one done callback. A Waiter or a generator task goes into the
 * loop's ready queue as it is, a function in a DoneCallback (all have the
 * Handle shape, see below), when the loop supports that.
 */
export function schedule(loop: StepAwareLoop, cb: Callback, fut: Future<unknown>): void {
  const scheduleItem = loop[kScheduleItem];
  if (scheduleItem === undefined) loop.callSoon(runCallback, cb, fut);
  else if (typeof cb === "function") {
    scheduleItem.call(loop, new DoneCallback(cb, fut) as unknown as ReadyItem);
  } else scheduleItem.call(loop, cb as unknown as ReadyItem);
}

function runWaiter(waiter: Waiter): void {
  waiter.run();
}

/**
 * Makes the objects of `cls` ready-queue items: the loop runs
 * `_callback(item)` when `_args` is SELF; `_callback` becomes null if the
 * item is cancelled. Prototype properties, so an item costs no extra field.
 */
function readyItem<T>(
  cls: { prototype: T },
  run: (item: T) => unknown,
  methods: Record<string, (this: T & { _callback: unknown }) => string>,
): void {
  const props: PropertyDescriptorMap = {
    _callback: { value: run, writable: true },
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
  };
  for (const [name, value] of Object.entries(methods)) props[name] = { value };
  Object.defineProperties(cls.prototype, props);
}

function callbackName(cb: unknown): string {
  return typeof cb === "function" ? cb.name || "<anonymous>" : String(cb);
}

readyItem(Waiter, runWaiter, {
  toString() {
    return `<Handle ${this.task === null ? "Future.then" : "Task.wakeup"}()>`;
  },
});

// A DoneCallback's repr names the user's callback (the exception handler reads `_callbackRepr`).
readyItem(DoneCallback, runDoneCallback, {
  _callbackRepr() {
    return `${callbackName(this.cb)}()`;
  },
  toString() {
    return `<Handle ${this._callback === null ? "cancelled" : `${callbackName(this.cb)}()`}>`;
  },
});
