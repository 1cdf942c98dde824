import { type EventLoop, type FutureLike, TimeoutError } from "@aio/core";
import type { ShippedFn } from "./fn-spec.js";
import { prepareArgs } from "./wire.js";

/** What `map()` needs from its pool. */
export interface MapHost {
  /** Queues one job (a chunk when `chunked`) and returns its future. */
  enqueue(fn: ShippedFn, args: unknown[], chunked: boolean): FutureLike<unknown>;
  /** Whether the pending queue has room for another job (`maxPending`). */
  hasRoom(): boolean;
  /** Throws when the pool is shut down or broken (as `submit()` would). */
  checkOpen(): void;
  /** Resolves when there is room (`executor.ready()`). */
  ready(): PromiseLike<void>;
}

/**
 * The body of `executor.map()`: submits the items' jobs and yields their
 * results in input order.
 *
 * Invariants: `futures[i]` for `i >= next` are the jobs submitted and not yet
 * consumed; leaving early (a `break`, an error, a timeout) cancels exactly
 * those and closes the input iterator, as `for…of` would. With `buffersize`,
 * at most that many jobs are submitted and not yet consumed: the iterable is
 * read `buffersize` jobs ahead at the call, then one job more each time the
 * consumer has taken one job's results (asyncio 3.14), so an endless
 * generator is fine. Without it, items are submitted as far as `maxPending`
 * allows.
 *
 * @param buffersize - jobs (chunks) allowed ahead of the consumer, or null.
 * @param deadline - loop time (or `performance.now()` outside a loop) by
 *   which every result must be in, or null.
 */
export function mapJobs<T, R>(
  host: MapHost,
  fn: ShippedFn,
  iterable: Iterable<T>,
  chunksize: number,
  buffersize: number | null,
  deadline: number | null,
  loop: EventLoop | null,
): AsyncGenerator<R> {
  const items = iterable[Symbol.iterator]();
  const futures: FutureLike<unknown>[] = [];
  let next = 0;
  let exhausted = false;
  const submitMore = (): void => {
    while (
      !exhausted &&
      host.hasRoom() &&
      (buffersize === null || futures.length - next < buffersize)
    ) {
      const chunk: unknown[][] = [];
      while (chunk.length < chunksize) {
        const item = items.next();
        if (item.done === true) {
          exhausted = true;
          break;
        }
        chunk.push([item.value]);
      }
      if (chunk.length === 0) break;
      const args = chunksize === 1 ? chunk[0]! : chunk;
      const prepared = prepareArgs("map()", args, false);
      futures.push(host.enqueue(fn, prepared.args, chunksize !== 1));
    }
  };
  submitMore();
  // As asyncio, a shut-down pool fails the call from its first submit, so an
  // empty iterable is fine; when the queue had no room for that submit, say so now.
  if (futures.length === 0 && !exhausted) host.checkOpen();
  async function* results(): AsyncGenerator<R> {
    try {
      while (next < futures.length || !exhausted) {
        if (next >= futures.length) {
          await host.ready();
          submitMore();
          continue;
        }
        const fut = futures[next]!;
        await waitUntil(fut, deadline, loop);
        futures[next++] = undefined as never;
        // Unbounded: keep the workers busy while the consumer works. With
        // `buffersize`: only once the consumer has taken this job's results.
        if (buffersize === null) submitMore();
        if (chunksize === 1) yield fut.result() as R;
        else for (const r of fut.result() as R[]) yield r;
        if (buffersize !== null) submitMore();
      }
    } finally {
      for (let j = next; j < futures.length; j++) futures[j]?.cancel();
      if (!exhausted) {
        exhausted = true;
        items.return?.();
      }
    }
  }
  return results();
}

/** The loop's time, or `performance.now()` outside a loop (ms). */
export function now(loop: EventLoop | null): number {
  return loop !== null ? loop.time() : performance.now();
}

/** Waits for `fut`; throws `TimeoutError` once `deadline` (loop time, or `performance.now()` outside a loop) passes. */
async function waitUntil(
  fut: FutureLike<unknown>,
  deadline: number | null,
  loop: EventLoop | null,
): Promise<void> {
  if (fut.done()) return;
  if (deadline === null) {
    await fut.then(
      () => {},
      () => {},
    );
    return;
  }
  const remaining = Math.max(0, deadline - now(loop));
  if (loop !== null) {
    const waiter = loop.createFuture<boolean>();
    const onDone = () => {
      if (!waiter.done()) waiter.setResult(true);
    };
    fut.addDoneCallback(onDone);
    const timer = loop.callLater(remaining, () => {
      if (!waiter.done()) waiter.setResult(false);
    });
    try {
      if (!(await waiter)) throw new TimeoutError();
    } finally {
      timer.cancel();
      fut.removeDoneCallback(onDone);
    }
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ok = await Promise.race([
    fut.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), remaining);
    }),
  ]);
  clearTimeout(timer);
  if (!ok) throw new TimeoutError();
}
