import { isFailed } from "@aio/core";
import { type AwaitableOrFn, toFuture } from "./ensure-future.js";
import { Future, kAwaits } from "./future.js";
import type { Coroutine } from "./task.js";

/**
 * Protects an awaitable from cancellation (asyncio `shield`): cancelling the
 * task that awaits `shield(aw)` cancels only the outer future; the inner work
 * goes on (the loop keeps it alive until it finishes).
 *
 * @param aw - a Future, a thenable, or a function (run in a new task).
 * @returns a Future that settles like `aw`, unless cancelled itself.
 * @throws {TypeError} when `aw` is not an awaitable or a function.
 * @throws {RuntimeError} `no running event loop: …` when `aw` needs a task and no loop runs.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { shield, createTask, sleep, waitFor } from "@aio/futures";
 * await run(async () => {
 *   const save = createTask(async () => { await sleep(30); console.log("saved"); });
 *   await waitFor(shield(save), 10).catch(() => console.log("gave up waiting"));
 *   await save; // still completes: "saved"
 * });
 * ```
 */
export function shield<T>(aw: Coroutine<T> | (() => Coroutine<T>)): Future<T>;
export function shield<T>(aw: AwaitableOrFn<T>): Future<Awaited<T>>;
export function shield<T>(
  aw: AwaitableOrFn<T> | Coroutine<T> | (() => Coroutine<T>),
): Future<Awaited<T>> {
  const inner = toFuture(aw as AwaitableOrFn<T>, undefined, "shield()");
  if (inner.done()) return inner;
  const outer = new Future<Awaited<T>>({ loop: inner.getLoop() });
  Object.defineProperty(outer, kAwaits, { value: [inner] });
  const onInnerDone = (f: Future<Awaited<T>>) => {
    if (outer.cancelled()) {
      if (!f.cancelled()) f.exception(); // mark retrieved, like asyncio
      return;
    }
    if (f.cancelled()) outer.cancel();
    else if (isFailed(f)) outer.setException(f.exception());
    else outer.setResult(f.result());
  };
  const onOuterDone = () => {
    if (!inner.done()) inner.removeDoneCallback(onInnerDone);
  };
  inner.addDoneCallback(onInnerDone);
  outer.addDoneCallback(onOuterDone);
  return outer;
}
