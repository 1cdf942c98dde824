import { type AwaitableOrFn, ensureFuture } from "./ensure-future.js";
import { Future, internals, kAwaits } from "./future.js";

/**
 * Protects an awaitable from cancellation (asyncio `shield`): cancelling the
 * task that awaits `shield(aw)` cancels only the outer future; the inner work
 * goes on (the loop keeps it alive until it finishes).
 *
 * @param aw - a Future, a thenable, or a function (run in a new task).
 * @returns a Future that settles like `aw`, unless cancelled itself.
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
export function shield<T>(aw: AwaitableOrFn<T>): Future<Awaited<T>> {
  const inner = ensureFuture(aw);
  if (inner.done()) return inner;
  const outer = new Future<Awaited<T>>({ loop: inner.getLoop() });
  Object.defineProperty(outer, kAwaits, { value: [inner] });
  const onInnerDone = (f: Future<Awaited<T>>) => {
    if (outer.cancelled()) {
      if (!f.cancelled()) f.exception(); // mark retrieved, like asyncio
      return;
    }
    if (f.cancelled()) outer.cancel();
    else if (internals.hasException(f)) outer.setException(f.exception());
    else outer.setResult(f.result());
  };
  const onOuterDone = () => {
    if (!inner.done()) inner.removeDoneCallback(onInnerDone);
  };
  inner.addDoneCallback(onInnerDone);
  outer.addDoneCallback(onOuterDone);
  return outer;
}
