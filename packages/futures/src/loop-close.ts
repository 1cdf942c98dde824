import type { EventLoop } from "@aio/core";
import { flushUnretrieved } from "./internal/unretrieved.js";
import { allTasks } from "./task-functions.js";

/**
 * Called by a loop as it closes: reports each task still pending ("Task was
 * destroyed but it is pending!") and each exception never retrieved, through
 * the loop's exception handler. For loop implementations.
 *
 * @param loop - the closing loop.
 * @internal
 * @example
 * ```ts
 * import { _onLoopClose } from "@aio/futures";
 * // inside a custom loop's close(): _onLoopClose(this);
 * ```
 */
export function _onLoopClose(loop: EventLoop): void {
  for (const task of allTasks(loop)) {
    loop.callExceptionHandler({ message: "Task was destroyed but it is pending!", task });
  }
  flushUnretrieved(loop);
}
