import { _checkMs, type EventLoop } from "@aio/core";
import { Future, internals } from "./future.js";
import { runningLoop } from "./internal/running-loop.js";

function setResultUnlessCancelled(fut: Future<unknown>, value: unknown): void {
  if (!fut.done()) fut.setResult(value);
}

/** The Future `sleep()` returns: cancelling it also cancels its timer. */
class SleepFuture<T> extends Future<T> {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  override get _className(): string {
    return "Future";
  }

  /** @internal */ _timer: { cancel(): void } | null = null;

  override cancel(msg?: string): boolean {
    const cancelled = super.cancel(msg);
    if (cancelled) this._timer?.cancel();
    return cancelled;
  }
}

/**
 * Suspends the current task for `ms` milliseconds (asyncio `sleep`), then
 * resolves to `value`. `sleep(0)` yields exactly one loop iteration, letting
 * every other ready callback and task run once. A cancelled task gets
 * `CancelledError` here.
 *
 * The returned Future can also be cancelled itself.
 *
 * @param ms - milliseconds; 0 or negative: one loop iteration; `Infinity`: forever.
 * @param value - what the sleep resolves to.
 * @returns a Future of `value`.
 * @throws {TypeError} when `ms` is not a number.
 * @throws {RangeError} when `ms` is NaN.
 * @throws {RuntimeError} `no running event loop: …` outside a loop (the message names the fix).
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { sleep } from "@aio/futures";
 * await run(async () => {
 *   const word = await sleep(20, "awake");
 *   console.log(word); // "awake", 20 ms later
 * });
 * ```
 */
export function sleep<T = undefined>(ms = 0, value?: T): Future<T> {
  _checkMs("sleep()", "ms", ms);
  const loop: EventLoop = runningLoop("sleep()");
  const fut = new SleepFuture<T>({ loop });
  if (ms <= 0) {
    internals.completeOnAwait(fut as Future<unknown>, value);
  } else {
    fut._timer = loop.callLater(ms, setResultUnlessCancelled, fut as Future<unknown>, value);
  }
  return fut;
}
