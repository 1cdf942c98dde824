import type { CancelledError, TaskLike } from "@aio/core";
import type { Future } from "../future.js";

/**
 * What Future needs to know about a Task to implement asyncio's
 * `Task.__step`/`__wakeup` on top of `then()`. Implemented by Task; the
 * fields are package-internal (stripped from the published types).
 */
export interface TaskInternals extends TaskLike<unknown> {
  /** The future this task is suspended on (asyncio `_fut_waiter`). */
  _futWaiter: Future<unknown> | null;
  /** A cancellation is requested and not yet delivered (asyncio `_must_cancel`). */
  _mustCancel: boolean;
  /** The message of that cancellation. */
  _cancelMessage: string | undefined;
  /** Makes the CancelledError to deliver. */
  _makeCancelledError(): CancelledError;
  /** True for a task that runs a generator (it suspends by yielding, never through `then()`). */
  _isGenerator: boolean;
  /** Called when a future this task awaits wakes it up: a new step begins. */
  _wakeup(future: Future<unknown>): void;
}
