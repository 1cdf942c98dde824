import {
  _checkOptions,
  _checkSignal,
  _getRunningLoop,
  type EventLoop,
  type FutureLike,
  RuntimeError,
} from "@aio/core";

/** Options of every call that may wait. */
export interface WaitOptions {
  /** Aborting it gives up the wait: the call rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
}

/**
 * What a primitive keeps in its waiter list: a loop Future (a task suspended
 * in `acquire()`/`get()`…) or a `run()` call's `RunWaiter` (`permits.ts`).
 */
export interface Waiter {
  done(): boolean;
  cancelled(): boolean;
  setResult(value: true): void;
  cancel(): boolean;
}

/** The settled promise the fast paths return, so an uncontended call allocates nothing. */
export const RESOLVED_TRUE: Promise<true> = Promise.resolve(true);
/** Likewise for calls resolving to `undefined`. */
export const RESOLVED_VOID: Promise<void> = Promise.resolve();

/**
 * Validates `options` and returns its signal.
 * @throws {TypeError} when `options` is not an object or `signal` not an AbortSignal.
 */
export function signalOf(
  method: string,
  options: WaitOptions | undefined,
): AbortSignal | undefined {
  if (options === undefined) return undefined;
  const signal = _checkOptions(method, options).signal;
  _checkSignal(method, "options.signal", signal);
  return signal;
}

/**
 * Waits for a waiter future; when `signal` aborts first, the future is
 * cancelled (so the primitive's repair logic runs exactly as for a task
 * cancellation) and the wait rejects with `signal.reason`. The listener is
 * removed on every path.
 */
export async function waitAbortable<T>(fut: FutureLike<T>, signal: AbortSignal): Promise<T> {
  let aborted = false;
  const onAbort = (): void => {
    if (fut.cancel()) aborted = true;
  };
  signal.addEventListener("abort", onAbort);
  // A loop that waits again (a woken `Queue.get()` that lost its item) may
  // come here with a signal that aborted while it was not waiting.
  if (signal.aborted) onAbort();
  try {
    return await fut;
  } catch (err) {
    if (aborted) throw signal.reason;
    throw err;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Waits for `fut`, through the signal when there is one. Cancellation of the
 * calling task cancels `fut` (the await is the task's).
 */
export function waitOn<T>(fut: FutureLike<T>, signal: AbortSignal | undefined): PromiseLike<T> {
  return signal === undefined ? fut : waitAbortable(fut, signal);
}

/**
 * The running loop when a primitive bound to `bound` may wait on it (the
 * common case: bound to it, or not bound yet), else null, for
 * {@link loopFor} to rebind or explain. The fast path of every wait: it makes
 * no method name and no purge callback.
 */
export function boundLoop(bound: EventLoop | null): EventLoop | null {
  const loop = _getRunningLoop();
  return loop !== null && (bound === null || bound === loop) ? loop : null;
}

/**
 * The loop a primitive waits on (asyncio `mixins._LoopBoundMixin._get_loop`):
 * the running loop, which the primitive binds to on its first wait. A
 * primitive bound to a loop that has since been closed rebinds (its waiters
 * from the dead loop are dropped through `purge`), so a module-level Lock
 * works across sequential `run()` calls.
 *
 * @throws {RuntimeError} outside a loop (naming the fix), or when bound to a
 *   different loop that is still open.
 */
export function loopFor(
  bound: EventLoop | null,
  owner: { toString(): string },
  method: string,
  purge: () => void,
): EventLoop {
  const loop = _getRunningLoop();
  if (loop === null) {
    throw new RuntimeError(
      `${method} has to wait, but no event loop is running: call it from code started by run() or, in a library, ensureLoop() (@aio/loop)`,
    );
  }
  if (bound === null || bound === loop) return loop;
  if (bound.isClosed()) {
    purge();
    return loop;
  }
  throw new RuntimeError(`${owner.toString()} is bound to a different event loop`);
}

/** Formats a value in the Python-like style of the reprs (`1`, `'a'`, `[1, 'a']`). */
export function formatItem(value: unknown, depth = 0): string {
  if (typeof value === "string") return `'${value.replace(/'/g, "\\'")}'`;
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) {
    return depth > 2 ? "[…]" : `[${value.map((v) => formatItem(v, depth + 1)).join(", ")}]`;
  }
  if (value === null || typeof value !== "object") return String(value);
  if (value instanceof Date) return value.toISOString();
  const s = String(value);
  return s === "[object Object]" ? "{…}" : s;
}

/** How many items a repr shows before it elides the rest. */
export const REPR_MAX_ITEMS = 20;
