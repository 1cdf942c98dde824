/**
 * A virtual-time event loop for testing code that uses timers: the clock
 * jumps to the next deadline whenever the loop has nothing ready, so
 * `sleep(60_000)` takes microseconds and timers fire in a deterministic order.
 *
 * @packageDocumentation
 */
import type { EventLoop } from "@aio/core";
import { _checkMs } from "@aio/core";
import { BaseEventLoop } from "./event-loop.js";
import { Runner } from "./runner.js";

/**
 * An event loop whose clock is virtual (starts at 0 ms). When the loop is
 * idle at a host turn — nothing ready, no task step in flight — the clock
 * jumps to the earliest timer. Host I/O still works, but time does not wait
 * for it: use it for code whose waiting is timers and \@aio primitives.
 *
 * @example
 * ```ts
 * import { VirtualTimeLoop } from "@aio/loop/testing";
 * import { sleep } from "@aio/futures";
 * const loop = new VirtualTimeLoop();
 * await loop.runUntilComplete(() => sleep(60_000));
 * console.log(loop.time()); // 60000, after a few microseconds of real time
 * loop.close();
 * ```
 */
export class VirtualTimeLoop extends BaseEventLoop {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  override get _className(): string {
    return "VirtualTimeLoop";
  }

  /**
   * @param options - `debug`.
   */
  constructor(options?: { debug?: boolean }) {
    super({ ...(options?.debug === undefined ? {} : { debug: options.debug }), virtualTime: true });
  }

  /**
   * Moves the virtual clock forward by `ms` (timers now due run at the next iteration).
   * @param ms - milliseconds, >= 0.
   * @throws {RangeError} when `ms` is negative or NaN.
   * @example
   * ```ts
   * import { VirtualTimeLoop } from "@aio/loop/testing";
   * const loop = new VirtualTimeLoop();
   * loop.advance(1000);
   * console.log(loop.time()); // 1000
   * ```
   */
  advance(ms: number): void {
    _checkMs("advance()", "ms", ms, { min: 0 });
    this._advanceClock(this.time() + ms);
  }
}

/**
 * Like `run()`, on a fresh {@link VirtualTimeLoop}.
 *
 * @param main - the main function.
 * @param options - `debug`.
 * @returns `main`'s result.
 * @example
 * ```ts
 * import { runVirtual } from "@aio/loop/testing";
 * import { sleep } from "@aio/futures";
 * import { getRunningLoop } from "@aio/core";
 * const elapsed = await runVirtual(async () => {
 *   await sleep(3_600_000); // an hour, instantly
 *   return getRunningLoop().time();
 * });
 * console.log(elapsed); // 3600000
 * ```
 */
export async function runVirtual<T>(
  main: () => T | PromiseLike<T>,
  options?: { debug?: boolean },
): Promise<Awaited<T>> {
  const runner = new Runner({
    loopFactory: (): EventLoop =>
      new VirtualTimeLoop(options?.debug === undefined ? {} : { debug: options.debug }),
  });
  try {
    return await runner.run(main);
  } finally {
    await runner.close();
  }
}
