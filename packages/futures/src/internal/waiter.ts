import {
  _kScheduleItem as kScheduleItem,
  type _ReadyItem as ReadyItem,
  _SELF as SELF,
  type _StepAwareLoop as StepAwareLoop,
} from "@aio/core";
import { type Future, internals } from "../future.js";
import type { TaskInternals } from "./task-state.js";

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

/** `Waiter.settled` of a lazy Waiter before it ran or was chained on. */
const NOT_RUN: unique symbol = Symbol("not run");

/**
 * One `then(onFulfilled, onRejected)` registration. When the future is done it
 * is run by the loop (like every done callback) and, when the awaiting code is
 * a task, it resumes that task as a step (asyncio `Task.__wakeup`).
 *
 * Outside a task, `then()` returns a native promise made with the Waiter
 * (`Waiter.eager`). Inside a task the Waiter is itself what `then()` returns
 * (`Waiter.lazy`, see `docs/design/lazy-then.md`): every `await fut` reaches
 * `then()` through the engine's thenable job, which drops the returned value,
 * so the promise (and its two resolving functions) is made only when the
 * caller chains on it (`then`/`catch`/`finally`), or at once when the handler
 * throws or returns a thenable, so a rejection is never lost.
 */
export class Waiter {
  /**
   * The promise `then()` stands for, once made; before that, NOT_RUN, or
   * the handler's result (never a thenable) when a lazy Waiter ran first.
   */
  settled: unknown = NOT_RUN;

  private constructor(
    readonly future: Future<unknown>,
    readonly onFulfilled: ((value: unknown) => unknown) | null | undefined,
    readonly onRejected: ((reason: unknown) => unknown) | null | undefined,
    public resolve: ((value: unknown) => void) | null,
    public reject: ((reason: unknown) => void) | null,
    readonly task: TaskInternals | null,
  ) {}

  /** A registration whose promise exists from the start (a `then()` outside any task). */
  static eager(
    future: Future<unknown>,
    onFulfilled: ((value: unknown) => unknown) | null | undefined,
    onRejected: ((reason: unknown) => unknown) | null | undefined,
  ): Waiter {
    const promise = new Promise(capture);
    const waiter = new Waiter(
      future,
      onFulfilled,
      onRejected,
      capturedResolve,
      capturedReject,
      null,
    );
    waiter.settled = promise;
    return waiter;
  }

  /** A task's registration: the Waiter is what `then()` returns; its promise is made on demand. */
  static lazy(
    future: Future<unknown>,
    onFulfilled: ((value: unknown) => unknown) | null | undefined,
    onRejected: ((reason: unknown) => unknown) | null | undefined,
    task: TaskInternals,
  ): Waiter {
    return new Waiter(future, onFulfilled, onRejected, null, null, task);
  }

  run(): void {
    const fut = this.future;
    const task = this.task;
    // Only the future the task is suspended on starts a step; a future it
    // awaits on the side (through Promise.all, say) just resolves its promise.
    if (task !== null && task._futWaiter === fut) {
      task._wakeup(fut);
      const cancel = task._deliverCancel(fut);
      if (cancel !== null) {
        this.#settle(false, cancel);
        return;
      }
    }
    const ok = !internals.hasException(fut);
    this.#settle(ok, ok ? fut.result() : internals.rejection(fut));
  }

  #settle(ok: boolean, value: unknown): void {
    const handler = ok ? this.onFulfilled : this.onRejected;
    if (this.resolve === null) {
      // Lazy, nobody chained yet: keep a plain outcome; make the promise now
      // for a rejection or a thenable (it must be reported or adopted as before).
      if (typeof handler !== "function") {
        if (ok) this.#keep(value);
        else this.#materialize(false, value);
        return;
      }
      let result: unknown;
      try {
        result = handler(value);
      } catch (err) {
        this.#materialize(false, err);
        return;
      }
      if (isThenable(result)) this.#materialize(true, result);
      else this.#keep(result);
      return;
    }
    const resolve = this.resolve;
    const reject = this.reject!;
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

  /** A lazy Waiter ran before anyone chained on it: keep its plain result. */
  #keep(value: unknown): void {
    // A Promise as `settled` means "made": a plain result never is one (thenables are adopted).
    this.settled = value;
  }

  /** Makes the promise of a lazy Waiter that ran before anyone chained on it. */
  #materialize(ok: boolean, value: unknown): void {
    const promise = new Promise(capture);
    this.settled = promise;
    if (ok) capturedResolve(value);
    else capturedReject(value);
  }

  /** The promise `then()` stands for, made now if it was not yet. */
  #promise(): Promise<unknown> {
    const settled = this.settled;
    if (settled instanceof Promise) return settled;
    let promise: Promise<unknown>;
    if (settled !== NOT_RUN) {
      promise = Promise.resolve(settled);
    } else {
      promise = new Promise(capture);
      this.resolve = capturedResolve;
      this.reject = capturedReject;
    }
    this.settled = promise;
    return promise;
  }

  /** Promise protocol of a lazy Waiter (what `fut.then()` returned inside a task). */
  then(
    onFulfilled?: ((value: unknown) => unknown) | null,
    onRejected?: ((reason: unknown) => unknown) | null,
  ): Promise<unknown> {
    return this.#promise().then(onFulfilled, onRejected);
  }

  catch(onRejected?: ((reason: unknown) => unknown) | null): Promise<unknown> {
    return this.#promise().catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<unknown> {
    return this.#promise().finally(onFinally);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
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
  constructor(
    readonly cb: (future: Future<unknown>) => unknown,
    readonly fut: Future<unknown>,
  ) {}
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
