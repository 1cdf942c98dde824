import { isFailed } from "@aio/core";
import type { Future } from "../future.js";

/*
 * A task's `signal` aborts with the task's CancelledError as its reason. An
 * AbortSignal-aware API the task passed it to (`timers/promises`, `fetch`,
 * `events.once`) then rejects with an error of its own: the reason itself
 * (fetch), or an `AbortError` whose `cause` is the reason (timers/promises).
 * The task's code sees that error instead of a CancelledError and usually
 * lets it through, so the task *fails* with it although it was cancelled.
 *
 * The combinators (taskGroup, gather, wait, timeout) count such a failure as
 * the cancellation it reports (docs/design/library-entry-point.md). Only the
 * task's own signal's reason counts, by identity: an unrelated AbortError, or
 * one from a signal of the caller, stays a failure.
 */

/** The reason `error` carries when it reports an abort: itself, or its `cause`. */
function isOrCauses(error: unknown, reason: unknown): boolean {
  if (error === reason) return true;
  return (
    typeof error === "object" && error !== null && (error as { cause?: unknown }).cause === reason
  );
}

/**
 * True when `task`'s own signal was aborted and `error` is its reason or has
 * it as `cause`: `error` reports the task's cancellation.
 * @param task - a Task (anything with `signal`); other futures give false.
 * @param error - what the task's code threw.
 */
export function isOwnAbort(task: unknown, error: unknown): boolean {
  if (typeof (task as { cancelling?: unknown } | null)?.cancelling !== "function") return false;
  const signal = (task as { signal?: AbortSignal }).signal;
  return signal?.aborted === true && isOrCauses(error, signal.reason);
}

/**
 * True when `fut` failed with an error that reports its own cancellation
 * (see above). Marks the exception retrieved.
 * @param fut - any future.
 */
export function failedFromOwnAbort(fut: Future<unknown>): boolean {
  return isFailed(fut) && isOwnAbort(fut, fut.exception());
}

/**
 * The CancelledError a future ended with: its own when cancelled, its
 * signal's reason when it failed from its own abort.
 * @param fut - a future for which `cancelled() || failedFromOwnAbort()` holds.
 */
export function ownAbortReason(fut: Future<unknown>): unknown {
  return (fut as unknown as { signal: AbortSignal }).signal.reason;
}
