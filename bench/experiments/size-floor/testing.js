// The size-floor model's equivalent of `@aio/loop/testing` (P_VTIME): a loop
// whose clock is virtual, starts at 0 and jumps to the next timer when the
// loop is idle (the loop's side of it is in kernel.js and fast.js: like the
// other features, it is written for the fast loop, P_FAST). Not in the
// programs `size-floor.mjs` measures, as @aio's testing entry is not.

import { describeValue, EventLoop } from "./kernel.js";
import { run } from "./model.js";

export class VirtualTimeLoop extends EventLoop {
  _virtual = true;
  _now = 0;
  constructor(options) {
    super();
    if (options?.debug !== undefined) this.setDebug(options.debug);
  }
  /** Moves the clock forward by `ms` (timers now due run at the next iteration). */
  advance(ms) {
    if (typeof ms !== "number" || !(ms >= 0)) {
      throw new (typeof ms === "number" ? RangeError : TypeError)(
        `advance() ms must be a number of milliseconds >= 0, received ${describeValue(ms)}`,
      );
    }
    this._advanceClock(this.time() + ms);
  }
}

/** Like `run()`, on a fresh VirtualTimeLoop. */
export function runVirtual(main, options) {
  return run(main, { loopFactory: () => new VirtualTimeLoop(options) });
}
