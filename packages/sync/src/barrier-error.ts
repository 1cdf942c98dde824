/**
 * `BrokenBarrierError`, in its own module so that a bundle without a
 * `Barrier` drops the class and its brand (docs/design/size-budget.md).
 */
import { brandError } from "@aio/core";

/**
 * A `Barrier` was aborted or reset while a task waited on it, or a task
 * tried to pass a broken barrier (asyncio `BrokenBarrierError`).
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { Barrier, isBrokenBarrierError } from "@aio/sync";
 * await run(async () => {
 *   const barrier = new Barrier(2);
 *   await barrier.abort();
 *   await barrier.wait().catch((e) => console.log(isBrokenBarrierError(e))); // true
 * });
 * ```
 */
export class BrokenBarrierError extends Error {
  /**
   * @param message - what broke the barrier.
   */
  constructor(message = "Barrier aborted") {
    super(message);
  }
}

/**
 * True when `value` is a {@link BrokenBarrierError} from any copy of `@aio/sync`.
 * @param value - anything.
 * @returns whether it is a BrokenBarrierError.
 * @example
 * ```ts
 * import { isBrokenBarrierError, BrokenBarrierError } from "@aio/sync";
 * console.log(isBrokenBarrierError(new BrokenBarrierError())); // true
 * ```
 */
export const isBrokenBarrierError: (value: unknown) => value is BrokenBarrierError = brandError(
  BrokenBarrierError,
  "BrokenBarrierError",
  "@aio/sync.BrokenBarrierError",
);
