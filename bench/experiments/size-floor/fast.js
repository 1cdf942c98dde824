// The size-floor model's speed work (P_FAST), kept apart from the floor. The
// loop runs as a plain function, `_drain()`, not an async one: iterations
// follow each other without a promise between them (up to the 4 ms
// host-turn budget); a step in flight pauses the batch where it is, and the
// step's end resumes it in one promise job; one host turn is armed per pause
// as the way out for a step that awaits a foreign promise.
// `size-floor.mjs` checks the same scenarios with it and prints its bytes
// apart; `speed.mjs` times the model with and without it.

/* global P_FAST P_DEBUG P_HOOKS P_VTIME P_TIMERS */

import {
  context,
  EventLoop,
  heapPop,
  hook,
  hostTurn,
  instruments,
  releaseSteps,
} from "./kernel.js";

const RESOLVED = Promise.resolve();

if (P_FAST) {
  Object.assign(EventLoop.prototype, {
    _runFast() {
      return new Promise((resolve) => {
        this._stopped = resolve;
        this._batch = [];
        this._at = 0;
        this._started = false;
        // Re-entered from a task's promise job or timer, the loop must not
        // run in that task's context (AsyncLocalStorage).
        const drain = () => this._drain();
        this._go = context ? () => context.exit(drain) : drain;
        // Set only while the batch is paused on a step in flight: a step
        // that ends inside the drain (a generator's, a sync one) must not
        // queue a second drain.
        this._resumer = () => {
          this._resume = null;
          RESOLVED.then(this._go);
        };
        this._drain();
      });
    },

    /** Runs callbacks until a step is in flight, the loop stops, or it must wait. */
    _drain() {
      const timers = this._timers;
      for (;;) {
        while (this._at < this._batch.length) {
          const handle = this._batch[this._at++];
          if (handle._cb === null) continue;
          if (P_HOOKS && instruments.length) hook("callbackStart", this, handle);
          // P_VTIME: the clock of durations and of the host-turn budget is
          // the host's, not a virtual loop's.
          const t0 =
            (P_DEBUG && this._debug) || (P_HOOKS && instruments.length)
              ? P_VTIME
                ? performance.now()
                : this.time()
              : 0;
          handle._run();
          if (P_HOOKS && instruments.length) {
            hook("callbackEnd", this, handle, (P_VTIME ? performance.now() : this.time()) - t0);
          }
          if (P_DEBUG && this._debug) this._reportSlow(handle, t0);
          if (this._inStep) {
            this._resume = this._resumer;
            return this._armWayOut();
          }
        }
        if (this._stopping && this._started) {
          this._resume = null;
          return this._stopped();
        }
        this._started = true;
        if (P_TIMERS) this._compactTimers();
        while (timers.length > 0 && timers[0]._cb === null) heapPop(timers);
        const now = this.time();
        const due = timers.length > 0 && timers[0]._when <= now;
        if (this._ready.length === 0 && !due && !this._stopping) return this._idle();
        if ((P_VTIME && this._virtual ? performance.now() : now) - this._yielded >= 4) {
          hostTurn(() => {
            this._yielded = P_VTIME ? performance.now() : this.time();
            this._go();
          });
          return;
        }
        while (timers.length > 0 && timers[0]._when <= now) {
          const handle = heapPop(timers);
          if (handle._cb !== null) this._ready.push(handle);
        }
        this._batch = this._ready;
        this._ready = [];
        this._at = 0;
      }
    },

    /** Waits for a callback to be scheduled or the next timer to be due. */
    _idle() {
      const timers = this._timers;
      const t =
        timers.length > 0 && !(P_VTIME && this._virtual)
          ? setTimeout(() => this._wake(), timers[0]._when - this.time())
          : 0;
      this._wake = () => {
        this._wake = null;
        clearTimeout(t);
        this._yielded = P_VTIME ? performance.now() : this.time();
        RESOLVED.then(this._go);
      };
      // P_VTIME: a virtual loop still idle at the next host turn jumps to its
      // next timer (one that is never due, at Infinity, is waited for as ever).
      if (P_VTIME && this._virtual && timers[0]?._when < Infinity) {
        const wake = this._wake;
        hostTurn(() => {
          if (this._wake !== wake) return;
          this._advanceClock(timers[0]._when);
          wake();
        });
      }
    },

    /** The way out for a step that awaits a foreign promise: by the next host turn, every promise job has run. */
    _armWayOut() {
      if (this._armed) return;
      this._armed = true;
      hostTurn(() => {
        this._armed = false;
        if (this._inStep) {
          releaseSteps();
          this._inStep = false;
          this._resume = null;
          this._go();
        }
      });
    },

    _reportSlow(handle, t0) {
      const ms = (P_VTIME ? performance.now() : this.time()) - t0;
      if (ms >= this.slowCallbackDuration) {
        console.warn(`Executing ${handle._cb?.name || "callback"} took ${ms.toFixed(3)} ms`);
      }
    },
  });
}
