import { describeValue, type EventLoop, getRunningLoop, ValueError } from "@aio/core";
import { type AwaitableOrFn, ensureFuture } from "./ensure-future.js";
import { type Future, internals, isFuture, kAwaits } from "./future.js";
import { checkMs } from "./internal/util.js";

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

/** @internal Converts the awaitables of wait()/asCompleted() to unique futures of one loop. */
export function toFutures(
  fn: string,
  aws: Iterable<AwaitableOrFn<unknown>>,
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
    const fut = ensureFuture(aw, loop);
    loop ??= fut.getLoop();
    set.add(fut);
  }
  return { futures: [...set], loop: loop ?? getRunningLoop() };
}

/**
 * Waits for futures and tasks (asyncio `wait`) and resolves to `[done,
 * pending]` Sets. Never cancels anything, also not on timeout. Accepts any
 * iterable (the Set it returned, too); functions run in new tasks.
 *
 * @param aws - futures, tasks, thenables or functions.
 * @param options - `timeout` (ms), `returnWhen`.
 * @returns `[done, pending]`.
 * @throws {ValueError} `Set of Tasks/Futures is empty.`, or an invalid `returnWhen`.
 * @throws {RangeError} when `timeout` is NaN.
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
export async function wait<T>(
  aws: Iterable<AwaitableOrFn<T>>,
  options?: WaitOptions,
): Promise<[Set<Future<Awaited<T>>>, Set<Future<Awaited<T>>>]> {
  const timeout = options?.timeout ?? null;
  const returnWhen = options?.returnWhen ?? ALL_COMPLETED;
  checkMs("wait()", "timeout", timeout, true);
  if (
    returnWhen !== FIRST_COMPLETED &&
    returnWhen !== FIRST_EXCEPTION &&
    returnWhen !== ALL_COMPLETED
  ) {
    throw new ValueError(`Invalid returnWhen value: ${describeValue(returnWhen)}`);
  }
  const { futures, loop } = toFutures("wait()", aws);
  if (futures.length === 0) throw new ValueError("Set of Tasks/Futures is empty.");
  const split = () => {
    const done = new Set<Future<Awaited<T>>>();
    const pending = new Set<Future<Awaited<T>>>();
    for (const f of futures) (f.done() ? done : pending).add(f as Future<Awaited<T>>);
    return [done, pending] as [Set<Future<Awaited<T>>>, Set<Future<Awaited<T>>>];
  };
  // asyncio _wait: return at once when the condition already holds.
  const isFailed = (f: Future<unknown>) => !f.cancelled() && internals.hasException(f);
  if (
    futures.every((f) => f.done()) ||
    (returnWhen === FIRST_COMPLETED && futures.some((f) => f.done())) ||
    (returnWhen === FIRST_EXCEPTION && futures.some(isFailed))
  ) {
    return split();
  }
  const waiter = loop.createFuture<void>();
  Object.defineProperty(waiter, kAwaits, { value: futures });
  let counter = futures.filter((f) => !f.done()).length;
  const onDone = (f: Future<unknown>) => {
    counter--;
    if (
      counter <= 0 ||
      returnWhen === FIRST_COMPLETED ||
      (returnWhen === FIRST_EXCEPTION && isFailed(f))
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
  for (const f of futures) if (!f.done()) f.addDoneCallback(onDone);
  try {
    await waiter;
  } finally {
    timer?.cancel();
    for (const f of futures) f.removeDoneCallback(onDone);
  }
  return split();
}
