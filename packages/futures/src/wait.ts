import {
  _checkMs,
  _checkOptions,
  describeValue,
  type EventLoop,
  isFailed,
  ValueError,
} from "@aio/core";
import { type AwaitableOrFn, type ResultOf, toFuture } from "./ensure-future.js";
import { type Future, isFuture, kAwaits } from "./future.js";
import { failedFromOwnAbort } from "./internal/abort-as-cancel.js";
import { runningLoop } from "./internal/running-loop.js";
import type { Coroutine, Task } from "./task.js";

/** `wait()` returns when any future finishes or is cancelled. */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/** `wait()` returns when any future finishes with an exception, or all finish. */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/** `wait()` returns when all futures finish. */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** One of {@link FIRST_COMPLETED}, {@link FIRST_EXCEPTION}, {@link ALL_COMPLETED}. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options of {@link wait}. */
export interface WaitOptions {
  /** Milliseconds to wait at most; null or absent: no limit. The futures are not cancelled on timeout. */
  timeout?: number | null;
  /** When to return; default {@link ALL_COMPLETED}. */
  returnWhen?: ReturnWhen;
}

/**
 * What `wait()` puts in its Sets for an argument of type `A`: a Future or
 * Task stays what it is (a Task keeps `getName()`, `cancel()`…); a function,
 * generator or other thenable becomes the Task it runs in.
 */
export type WaitFuture<A> =
  A extends Future<unknown>
    ? A
    : A extends PromiseLike<unknown> | Coroutine<unknown> | (() => unknown)
      ? Task<ResultOf<A>>
      : never;

/** @internal Converts the awaitables of wait()/asCompleted() to unique futures of one loop. */
export function toFutures(
  fn: string,
  aws: Iterable<AwaitableOrFn<unknown> | Coroutine<unknown>>,
): { futures: Future<unknown>[]; loop: EventLoop } {
  if (
    aws === null ||
    typeof aws !== "object" ||
    typeof (aws as Iterable<unknown>)[Symbol.iterator] !== "function" ||
    isFuture(aws) // iterable for `yield*`, but one future is not a collection (asyncio refuses it too)
  ) {
    throw new TypeError(
      `${fn} expects an iterable of futures, tasks or functions, received ${describeValue(aws)}`,
    );
  }
  let loop: EventLoop | undefined;
  const set = new Set<Future<unknown>>();
  // Deduplicate the arguments first (asyncio iterates `set(fs)`): the same
  // function passed twice runs once, like the same coroutine object.
  for (const aw of new Set(aws)) {
    const fut = toFuture(aw, loop, fn);
    loop ??= fut.getLoop();
    set.add(fut);
  }
  return { futures: [...set], loop: loop ?? runningLoop(fn) };
}

/**
 * Waits for futures and tasks (asyncio `wait`) and resolves to `[done,
 * pending]` Sets. Never cancels anything, also not on timeout. Accepts any
 * iterable (the Set it returned, too); functions run in new tasks. The Sets
 * hold the Tasks and Futures as passed (typed so: a Task stays a Task), and a
 * Task for each function. Bad arguments reject; it never throws synchronously.
 *
 * A task that failed with an `AbortError` caused by its own `signal` (a
 * signal-aware API reporting its cancellation) counts as cancelled for
 * `FIRST_EXCEPTION`.
 *
 * @param aws - futures, tasks, thenables or functions.
 * @param options - `timeout` (ms), `returnWhen`.
 * @returns `[done, pending]`.
 * @throws {ValueError} `Set of Tasks/Futures is empty.`, or an invalid `returnWhen`.
 * @throws {TypeError} when `aws` is not an iterable, `options` not an object, `timeout` not a number.
 * @throws {RangeError} when `timeout` is NaN.
 * @throws {RuntimeError} `no running event loop: …` outside a loop.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { wait, sleep, createTask, FIRST_COMPLETED } from "@aio/futures";
 * await run(async () => {
 *   const fast = createTask(() => sleep(10, "fast"));
 *   const slow = createTask(() => sleep(1000, "slow"));
 *   const [done, pending] = await wait([fast, slow], { returnWhen: FIRST_COMPLETED });
 *   console.log(done.has(fast), pending.has(slow)); // true true
 *   slow.cancel();
 * });
 * ```
 */
export async function wait<A extends AwaitableOrFn<unknown> | Coroutine<unknown>>(
  aws: Iterable<A>,
  options?: WaitOptions,
): Promise<[Set<WaitFuture<A>>, Set<WaitFuture<A>>]> {
  type F = WaitFuture<A>;
  const opts = _checkOptions("wait()", options);
  const timeout = opts.timeout ?? null;
  const returnWhen = opts.returnWhen ?? ALL_COMPLETED;
  _checkMs("wait()", "options.timeout", timeout, { nullable: true });
  if (
    returnWhen !== FIRST_COMPLETED &&
    returnWhen !== FIRST_EXCEPTION &&
    returnWhen !== ALL_COMPLETED
  ) {
    // asyncio raises ValueError("Invalid return_when value: …").
    throw new ValueError(
      `wait() options.returnWhen must be "FIRST_COMPLETED", "FIRST_EXCEPTION" or "ALL_COMPLETED", received ${describeValue(returnWhen)}`,
    );
  }
  const { futures, loop } = toFutures("wait()", aws);
  if (futures.length === 0) throw new ValueError("Set of Tasks/Futures is empty.");
  const split = () => {
    const done = new Set<F>();
    const pending = new Set<F>();
    for (const f of futures) (f.done() ? done : pending).add(f as F);
    return [done, pending] as [Set<F>, Set<F>];
  };
  // A task whose signal-aware call reported its own cancellation is
  // cancelled, not failed (internal/abort-as-cancel.ts).
  const failed = (f: Future<unknown>) => isFailed(f) && !failedFromOwnAbort(f);
  // asyncio _wait: no shortcut when the condition already holds — the done
  // callbacks of finished futures run in the next iteration, so wait()
  // always gives the loop a turn, and futures finishing meanwhile are done.
  const waiter = loop.createFuture<void>();
  Object.defineProperty(waiter, kAwaits, { value: futures });
  let counter = futures.length;
  const onDone = (f: Future<unknown>) => {
    counter--;
    if (
      counter <= 0 ||
      returnWhen === FIRST_COMPLETED ||
      (returnWhen === FIRST_EXCEPTION && failed(f))
    ) {
      if (!waiter.done()) waiter.setResult(undefined);
    }
  };
  const timer =
    timeout === null
      ? null
      : loop.callLater(timeout, () => {
          if (!waiter.done()) waiter.setResult(undefined);
        });
  for (const f of futures) f.addDoneCallback(onDone);
  try {
    await waiter;
  } finally {
    timer?.cancel();
    for (const f of futures) f.removeDoneCallback(onDone);
  }
  return split();
}
