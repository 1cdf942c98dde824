import { TimeoutError } from "@aio/core";
import type { Job } from "./slot.js";

/** The per-job limits of `submitWith()`. */
export interface JobLimits {
  /** ms from submission; null: none. */
  readonly timeout: number | null;
  /** Aborting it cancels the job's future. */
  readonly signal: AbortSignal | undefined;
}

/**
 * Arms a job's limits. On timeout the future fails with `TimeoutError` and
 * `expire(job)` lets the pool stop the job by its `cancelRunning` rule, as
 * for a cancellation; an aborted `signal` cancels the future (the pool
 * reacts through the future's done callback). Everything armed here is
 * disarmed when the future is done, whichever way.
 *
 * The timer runs on the job's loop (`callLater`: virtual time in tests) or,
 * outside a loop, as a host timer.
 */
export function armLimits(job: Job, limits: JobLimits, expire: (job: Job) => void): void {
  const fut = job.future;
  const { timeout, signal } = limits;
  let cancelTimer: (() => void) | null = null;
  if (timeout !== null && timeout !== Number.POSITIVE_INFINITY) {
    const fire = (): void => {
      cancelTimer = null;
      if (fut.done()) return;
      fut.setException(new TimeoutError(`the job did not finish within ${timeout} ms`));
      expire(job);
    };
    if (job.loop !== null) {
      const handle = job.loop.callLater(timeout, fire);
      cancelTimer = () => handle.cancel();
    } else {
      const handle = setTimeout(fire, timeout);
      cancelTimer = () => clearTimeout(handle);
    }
  }
  let onAbort: (() => void) | null = null;
  if (signal !== undefined) {
    if (signal.aborted) fut.cancel();
    else {
      onAbort = () => fut.cancel();
      signal.addEventListener("abort", onAbort, { once: true });
    }
  }
  if (cancelTimer === null && onAbort === null) return;
  fut.addDoneCallback(() => {
    cancelTimer?.();
    cancelTimer = null;
    if (onAbort !== null) signal!.removeEventListener("abort", onAbort);
  });
}
