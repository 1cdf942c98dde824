import type { _TaskInternals, CancelledError } from "@aio/core";
import type { Future } from "../future.js";

/**
 * What Future needs from a Task to implement asyncio's `Task.__step` and
 * `__wakeup` on top of `then()`: core's internal contract (what other
 * packages read) plus the package-internal half. Implemented by Task; the
 * members are stripped from the published types.
 */
export interface TaskInternals extends _TaskInternals {
  /** The future this task is suspended on (asyncio `_fut_waiter`). */
  _futWaiter: Future<unknown> | null;
  /** A future this task awaits woke it up: a new step begins. */
  _wakeup(future: Future<unknown>): void;
  /**
   * Where a cancellation is delivered: the CancelledError the resuming step
   * throws into the task instead of `fut`'s outcome, or null.
   */
  _deliverCancel(fut: Future<unknown> | null): CancelledError | null;
  /** The task just suspended on `_futWaiter`: a pending cancellation cancels it. */
  _cancelAwaited(): void;
}
