import { _getRunningLoop, type EventLoop, RuntimeError } from "@aio/core";

/**
 * The fix every "no running event loop" error names. `getRunningLoop()`'s own
 * message (`no running event loop`) is pinned; the helpers keep it as the
 * start of theirs and append where the call came from and what to do
 * (docs/design/library-entry-point.md).
 */
const FIX =
  "call it inside run() from @aio/loop, or make your library's entry point ensureLoop(() => …) from @aio/loop so it also works from plain Promise code";

/**
 * The `RuntimeError` a helper throws (or rejects with) outside a loop.
 * @param where - the helper, as the user wrote it: `sleep()`, `taskGroup()`.
 * @returns `no running event loop: <where> needs one — <fix>`.
 */
export function noRunningLoop(where: string): RuntimeError {
  return new RuntimeError(`no running event loop: ${where} needs one — ${FIX}`);
}

/**
 * The running loop (asyncio `get_running_loop`), with an error that names
 * the helper and the fix.
 * @param where - the helper, e.g. `sleep()`.
 * @returns the loop whose code is running now.
 * @throws {RuntimeError} `no running event loop: …` outside a loop.
 */
export function runningLoop(where: string): EventLoop {
  const loop = _getRunningLoop();
  if (loop === null) throw noRunningLoop(where);
  return loop;
}
