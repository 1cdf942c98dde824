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

/**
 * One `then(onFulfilled, onRejected)` registration. When the future is done it
 * is run by the loop (like every done callback) and, when the awaiting code is
 * a task, it resumes that task as a step (asyncio `Task.__wakeup`).
 */
export class Waiter {
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
    // Only the future the task is suspended on starts a step; a future it
    // awaits on the side (through Promise.all, say) just resolves its promise.
    if (task !== null && task._futWaiter === fut) {
      task._wakeup(fut);
      const cancel = task._deliverCancel(fut);
      if (cancel !== null) {
        settle(false, cancel, this.onFulfilled, this.onRejected, this.resolve, this.reject);
        return;
      }
    }
    const ok = !internals.hasException(fut);
    const value = ok ? fut.result() : internals.rejection(fut);
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
export function schedule(loop: StepAwareLoop, cb: Callback, fut: Future<unknown>): void {
  const scheduleItem = loop[kScheduleItem];
  if (typeof cb !== "function" && scheduleItem !== undefined) {
    scheduleItem.call(loop, cb as unknown as ReadyItem);
  } else loop.callSoon(runCallback, cb, fut);
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
