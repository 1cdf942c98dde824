import type { EventEmitter } from "node:events";
import { type EventLoop, type FutureLike, TimeoutError } from "@aio/core";

/**
 * Waits, cancellably, for `event` (or `'error'`) on `emitter`, with an
 * optional timeout. Listeners are removed on every exit path; on error,
 * timeout or cancellation `onFail` runs (it destroys the socket).
 */
export async function waitEvent(
  loop: EventLoop,
  emitter: EventEmitter,
  event: string,
  timeoutMs: number | null,
  timeoutMessage: string,
  onFail: () => void,
): Promise<void> {
  const fut: FutureLike<void> = loop.createFuture<void>();
  const onOk = (): void => {
    if (!fut.done()) fut.setResult(undefined);
  };
  const onErr = (err: unknown): void => {
    if (!fut.done()) fut.setException(err);
  };
  emitter.once(event, onOk);
  emitter.once("error", onErr);
  const timer =
    timeoutMs === null
      ? null
      : loop.callLater(timeoutMs, () => {
          if (!fut.done()) fut.setException(new TimeoutError(timeoutMessage));
        });
  try {
    await fut;
  } catch (err) {
    onFail();
    throw err;
  } finally {
    timer?.cancel();
    emitter.off(event, onOk);
    emitter.off("error", onErr);
  }
}
