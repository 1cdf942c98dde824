import { CancelledError, type EventLoop, isFailed } from "@aio/core";
import { type AwaitableOrFn, type ResultOf, toFuture } from "./ensure-future.js";
import { Future, internals, kAwaits } from "./future.js";
import { failedFromOwnAbort, ownAbortReason } from "./internal/abort-as-cancel.js";
import { runningLoop } from "./internal/running-loop.js";
import type { Coroutine } from "./task.js";

/** Options of {@link gather}. */
export interface GatherOptions {
  /** Put errors (and `CancelledError`s of cancelled children) in the results instead of failing. */
  returnExceptions?: boolean;
}

/**
 * The Future `gather()` returns (asyncio `_GatheringFuture`): cancelling it
 * cancels every child that is not done yet.
 */
export class GatheringFuture<T> extends Future<T> {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  override get _className(): string {
    return "GatheringFuture";
  }

  /** @internal Assigned in the constructor (`declare`: no class-field declaration in the bundle). */
  declare readonly _children: Future<unknown>[];
  /** @internal */ _cancelRequested = false;

  /** @internal Made by gather(). */
  constructor(children: Future<unknown>[], loop: EventLoop) {
    super({ loop });
    this._children = children;
  }

  /**
   * Cancels every child that is not done; the gather then fails with
   * `CancelledError`, whatever `returnExceptions` says.
   * @param msg - the message for the children's `CancelledError`.
   * @returns true when at least one child was cancelled.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { gather, sleep } from "@aio/futures";
   * await run(async () => {
   *   const g = gather(() => sleep(1000), () => sleep(1000));
   *   await sleep(0);
   *   g.cancel();
   *   await g.catch((e) => console.log(e.name)); // CancelledError
   * });
   * ```
   */
  override cancel(msg?: string): boolean {
    if (this.done()) return false;
    let ret = false;
    for (const child of this._children) {
      if (child.cancel(msg)) ret = true;
    }
    if (ret) this._cancelRequested = true;
    return ret;
  }

  /** The children, for await-graph tools (see `kAwaits`). */
  get [kAwaits](): readonly Future<unknown>[] {
    return this._children;
  }
}

function isOptions(value: unknown): value is GatherOptions {
  if (typeof value !== "object" || value === null) return false;
  if (typeof (value as { then?: unknown }).then === "function") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What `gather()` accepts as an awaitable: a Future or thenable, a function (also a `function*`), a generator. */
export type GatherArg = AwaitableOrFn<unknown> | Coroutine<unknown>;

/** The results array of `gather(...aws)`: each awaitable's result type, in order. */
export type GatherResults<A extends readonly unknown[]> = {
  -readonly [K in keyof A]: ResultOf<A[K]>;
};

/**
 * The results array of `gather(...aws, { returnExceptions: true })`: in each
 * position the awaitable's result or what it threw — and since JavaScript
 * can throw anything, that is `ResultOf<A[K]> | unknown`, i.e. `unknown`.
 * Narrow each element (`instanceof Error`, `isCancelledError`) before use.
 */
export type GatherResultsOrExceptions<A extends readonly unknown[]> = {
  -readonly [K in keyof A]: ResultOf<A[K]> | unknown;
};

/**
 * Runs awaitables concurrently and collects their results in argument order
 * (asyncio `gather`). Functions run in new tasks; thenables are wrapped in
 * tasks; Futures are used as they are.
 *
 * Without `returnExceptions` the first error fails the gather at once while
 * the other children keep running (asyncio's behaviour — use `taskGroup` to
 * cancel them). With it, errors take their place in the results. Cancelling
 * the returned future cancels the children.
 *
 * The last argument is taken as options only when it is a plain object.
 * The result is typed as a tuple of the arguments' results (a `function*`
 * gives its return value), also with an options object; with
 * `returnExceptions: true` each position may hold what was thrown, which in
 * JavaScript can be anything: `T | unknown`.
 *
 * A child cancelled inside a signal-aware API it passed its `signal` to
 * (its `AbortError` is caused by the task's own CancelledError) counts as
 * cancelled, not failed.
 *
 * @param args - awaitables or functions, optionally followed by `{ returnExceptions }`.
 * @returns a cancellable Future of the results array.
 * @throws {TypeError} when an argument is not an awaitable or a function
 *   (synchronously: a Future-returning function, like `createTask`).
 * @throws {RuntimeError} `no running event loop: …` outside a loop.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { gather, sleep } from "@aio/futures";
 * await run(async () => {
 *   const [a, b] = await gather(() => sleep(20, "a"), () => sleep(10, "b"));
 *   console.log(a, b); // "a" "b"
 *   const mixed = await gather(async () => 1, async () => { throw new Error("x"); }, { returnExceptions: true });
 *   console.log(mixed); // [1, Error: x]
 * });
 * ```
 */
export function gather<const A extends readonly GatherArg[]>(
  ...args: [...A]
): GatheringFuture<GatherResults<A>>;
export function gather<const A extends readonly GatherArg[]>(
  ...args: [...A, GatherOptions & { returnExceptions?: false | undefined }]
): GatheringFuture<GatherResults<A>>;
export function gather<const A extends readonly GatherArg[]>(
  ...args: [...A, GatherOptions]
): GatheringFuture<GatherResultsOrExceptions<A>>;
export function gather<const A extends readonly GatherArg[]>(
  ...args: [...A] | [...A, GatherOptions]
): GatheringFuture<GatherResults<A>> {
  let aws = args as unknown[];
  let returnExceptions = false;
  if (aws.length > 0 && isOptions(aws[aws.length - 1])) {
    const opts = aws[aws.length - 1] as GatherOptions;
    aws = aws.slice(0, -1);
    returnExceptions = Boolean(opts.returnExceptions);
  }
  if (aws.length === 0) {
    const loop = runningLoop("gather()");
    const outer = new GatheringFuture<GatherResults<A>>([], loop);
    outer.setResult([] as unknown as GatherResults<A>);
    return outer;
  }
  let loop: EventLoop | undefined;
  const n = aws.length;
  const children: Future<unknown>[] = new Array(n);
  // A function or promise passed twice runs once: they go through a map from
  // argument to future. A Future is its own child; passed twice, it is one
  // child (asyncio dedupes the same way), found below when its done callback
  // is already there, so the common `gather(...tasks)` needs no map at all.
  let argToFut: Map<unknown, Future<unknown>> | null = null;
  for (let i = 0; i < n; i++) {
    const aw = aws[i];
    let fut: Future<unknown> | undefined;
    if (aw instanceof Future) fut = toFuture(aw, loop, "gather()");
    else {
      argToFut ??= new Map();
      fut = argToFut.get(aw);
      if (fut === undefined) {
        fut = toFuture(aw as AwaitableOrFn<unknown>, loop, "gather()");
        argToFut.set(aw, fut);
      }
    }
    loop ??= fut.getLoop();
    children[i] = fut;
  }
  let nfinished = 0;
  const onChildDone = (fut: Future<unknown>): void => childDone(fut);
  // One done callback per distinct child, registered in argument order.
  const unique: Future<unknown>[] = [];
  let doneSeen: Set<Future<unknown>> | null = null;
  for (const fut of children) {
    if (fut instanceof Future && !fut.done()) {
      if (internals.addCallbackOnce(fut, onChildDone)) unique.push(fut);
    } else if (fut instanceof Future) {
      // Done already: its callback is scheduled, not kept, so a set finds a repeat.
      doneSeen ??= new Set();
      if (doneSeen.has(fut)) continue;
      doneSeen.add(fut);
      unique.push(fut);
      fut.addDoneCallback(onChildDone);
    } else if (!unique.includes(fut)) {
      // A Future of another copy of @aio/futures (rare): the slow way.
      unique.push(fut);
      (fut as Future<unknown>).addDoneCallback(onChildDone);
    }
  }
  const outer = new GatheringFuture<GatherResults<A>>(unique, loop!);
  const nfuts = unique.length;

  const childDone = (fut: Future<unknown>): void => {
    nfinished++;
    if (outer.done()) {
      // Mark the child's exception retrieved: the gather already failed.
      if (!fut.cancelled()) fut.exception();
      return;
    }
    if (!returnExceptions) {
      const cancellation = cancellationOf(fut);
      if (cancellation !== undefined) {
        // A child was cancelled (not through the gather): the gather fails with
        // CancelledError. A child whose signal-aware call reported its
        // cancellation as an AbortError was cancelled too (internal/abort-as-cancel.ts).
        internals.fail(outer as Future<unknown>, cancellation);
        return;
      }
      if (isFailed(fut)) {
        outer.setException(fut.exception());
        return;
      }
    }
    if (nfinished === nfuts) {
      const results: unknown[] = [];
      for (const child of children) {
        const cancellation = cancellationOf(child);
        if (cancellation !== undefined) results.push(cancellation);
        else if (isFailed(child)) results.push(child.exception());
        else results.push(child.result());
      }
      if (outer._cancelRequested) {
        // Cancelling the gather propagates whatever returnExceptions says
        // (bpo-32684), also when every child caught its cancellation: asyncio
        // raises the last child's `_make_cancelled_error()` (its
        // CancelledError, or a new one when it was not cancelled).
        internals.fail(
          outer as Future<unknown>,
          cancellationOf(children[n - 1]!) ?? new CancelledError(),
        );
      } else {
        outer.setResult(results as unknown as GatherResults<A>);
      }
    }
  };
  return outer;
}

/**
 * The CancelledError a child ended with: its own when it was cancelled, the
 * reason of its signal when it failed with its own abort (see
 * internal/abort-as-cancel.ts); undefined when it was not cancelled (a
 * cancellation is never undefined: an aborted signal always has a reason).
 */
function cancellationOf(fut: Future<unknown>): unknown {
  if (fut.cancelled()) {
    // A Future of another copy of @aio/futures keeps its state in that copy's
    // private fields, out of reach of this copy's `internals`: its public
    // `exception()` throws the same CancelledError (asyncio `_make_cancelled_error()`).
    return fut instanceof Future ? internals.rejection(fut) : foreignCancellation(fut);
  }
  return failedFromOwnAbort(fut) ? ownAbortReason(fut) : undefined;
}

/** The CancelledError a cancelled Future of another copy throws from `exception()`. */
function foreignCancellation(fut: Future<unknown>): unknown {
  let err: unknown;
  try {
    fut.exception();
  } catch (thrown) {
    err = thrown;
  }
  return err;
}
