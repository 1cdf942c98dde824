import { type EventLoop, type FutureLike, TimeoutError } from "@aio/core";

/**
 * `Executor.map` over any `submit`: submits items as `buffersize` allows
 * (Python 3.14's `buffersize`: at most that many futures not yet yielded),
 * yields results in input order, cancels what is left on an early exit.
 * Items are submitted eagerly up to `buffersize` at the call, the rest as
 * results are consumed; an exception from `submitOne` (an argument that
 * cannot be cloned) is thrown when the iterator reaches that item.
 */
export function mapFutures<T, R>(
  items: Iterator<T>,
  submitOne: (item: T) => FutureLike<R>,
  buffersize: number,
  timeout: number | null,
  loop: EventLoop | null,
): AsyncIterableIterator<R> {
  const deadline = timeout === null ? null : now(loop) + timeout;
  const futures: FutureLike<R>[] = [];
  let failure: { error: unknown } | null = null;
  let exhausted = false;
  const fill = (): void => {
    while (!exhausted && failure === null && futures.length < buffersize) {
      const next = items.next();
      if (next.done === true) {
        exhausted = true;
        return;
      }
      try {
        futures.push(submitOne(next.value));
      } catch (error) {
        failure = { error };
      }
    }
  };
  fill();
  async function* results(): AsyncGenerator<R> {
    try {
      while (futures.length > 0 || failure !== null) {
        const fut = futures[0];
        if (fut === undefined) throw (failure as unknown as { error: unknown }).error;
        await waitUntil(fut, deadline, loop);
        futures.shift();
        fill();
        yield fut.result();
      }
    } finally {
      for (const f of futures) f.cancel();
    }
  }
  return results();
}

function now(loop: EventLoop | null): number {
  return loop !== null ? loop.time() : performance.now();
}

/** Waits for `fut`; throws `TimeoutError` once `deadline` passes. */
async function waitUntil(
  fut: FutureLike<unknown>,
  deadline: number | null,
  loop: EventLoop | null,
): Promise<void> {
  if (fut.done()) return;
  const settled = fut.then(
    () => true,
    () => true,
  );
  if (deadline === null) {
    await settled;
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ok = await Promise.race([
    settled,
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - now(loop)));
    }),
  ]);
  clearTimeout(timer);
  if (!ok) throw new TimeoutError();
}
