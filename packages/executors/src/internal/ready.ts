import type { EventLoop, FutureLike } from "@aio/core";

interface ReadyWaiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * The callers of `executor.ready()` waiting for room in the pending queue,
 * woken in FIFO order, one per free place.
 *
 * Invariant: a waiter leaves the list when it is woken, rejected or
 * cancelled; a cancelled waiter passes its turn on (`onCancel`), as a
 * cancelled `Semaphore.acquire()` does in CPython's `locks.py`.
 */
export class ReadyWaiters {
  #waiters: ReadyWaiter[] = [];

  get length(): number {
    return this.#waiters.length;
  }

  /**
   * A new waiter: a Future of `loop` (cancellable), or a plain Promise outside a loop.
   *
   * @param onCancel - called when a loop waiter is cancelled (wake the next one).
   */
  wait(loop: EventLoop | null, onCancel: () => void): PromiseLike<void> {
    if (loop === null) {
      return new Promise<void>((resolve, reject) => {
        this.#waiters.push({ resolve, reject });
      });
    }
    const fut = loop.createFuture<void>();
    const waiter: ReadyWaiter = {
      resolve: () => {
        if (!fut.done()) fut.setResult(undefined);
      },
      reject: (e: unknown) => {
        if (!fut.done()) fut.setException(e);
      },
    };
    this.#waiters.push(waiter);
    fut.addDoneCallback(() => {
      // A cancelled waiter leaves the list, and passes its turn on.
      const i = this.#waiters.indexOf(waiter);
      if (i !== -1) this.#waiters.splice(i, 1);
      if (fut.cancelled()) onCancel();
    });
    return fut;
  }

  /** Wakes up to `room` waiters, first come first served. */
  wake(room: number): void {
    while (room > 0 && this.#waiters.length > 0) {
      this.#waiters.shift()!.resolve();
      room--;
    }
  }

  /** Rejects every waiter with `error`. */
  rejectAll(error: unknown): void {
    for (const w of this.#waiters.splice(0)) w.reject(error);
  }
}

/** An already-resolved awaitable: a Future of `loop`, or a Promise outside a loop. */
export function resolved(loop: EventLoop | null): PromiseLike<void> {
  if (loop === null) return Promise.resolve();
  const fut = loop.createFuture<void>();
  fut.setResult(undefined);
  return fut;
}

/** An already-rejected awaitable: a Future of `loop`, or a Promise outside a loop. */
export function rejected(loop: EventLoop | null, err: unknown): PromiseLike<void> {
  if (loop === null) return Promise.reject(err);
  const fut: FutureLike<void> = loop.createFuture<void>();
  fut.setException(err);
  return fut;
}
