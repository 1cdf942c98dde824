// The size-floor model (issue 13): the least code I could write for what a
// `run` + `sleep` program must carry under DESIGN.md's pinned API and
// behaviour contract. Not a product and not shipped: `size-floor.mjs`
// bundles it the way `scripts/check-size.mjs` bundles @aio (esbuild,
// browser, minified, gzipped) and runs its smoke checks.
//
// Plain, idiomatic JavaScript with no speed work: the minifier does the
// shortening. The parts a program could be argued to do without are behind
// flags that `size-floor.mjs` sets with esbuild's `define`, so each part's
// cost is measured by dead-code elimination:
//
//   P_CANCEL    Task.cancel() landing at the await, cancelling()/uncancel(),
//               signal, the cancellation that waits for the next await
//   P_GEN       generator tasks (`function*`, `yield* fut`)
//   P_SURFACE   the rest of the loop's pinned surface: the exception-handler
//               trio, executors, signal handlers, async generators, the task
//               factory, eager start, createFuture/createTask
//   P_RUN       run()'s contract beyond "run main, close": leftover tasks
//               cancelled and their errors reported, async generators and
//               the default executor shut down, the nested-run check, the
//               options
//   P_REPORTS   "exception was never retrieved" (at collection, at the
//               latest at close) and "Task was destroyed but it is pending!"
//   P_VALIDATE  bad input gets a named TypeError/ValueError
//   P_DEBUG     debug mode: slow callbacks and steps reported
//
// One more flag is not part of the floor: P_FAST (`fast.js`) is speed work,
// the loop as a plain function that runs iterations back to back and
// resumes a paused batch without a promise per step. `size-floor.mjs`
// prints its bytes apart and checks the scenarios with and without it;
// `speed.mjs` times both.
//
// With those flags alone it leaves out what @aio has beyond the pinned
// API and what its resolved issues' tests rely on. Those are written too,
// on top of P_FAST and behind flags of their own that are not part of the
// floor either, each checked against @aio by its `features-*.mjs`:
//
//   P_HOOKS   instruments and the loop's and tasks' hook calls (issue 7)
//   P_VTIME   the virtual-time loop (`testing.js`: VirtualTimeLoop, runVirtual)
//   P_REPR    asyncio's reprs of every bundled class
//   P_BRAND   two copies in one program: a shared runtime, Symbol.for brands
//   P_MSG     @aio's messages for bad input and bad states
//   P_SIGINT  run()'s SIGINT: cancel main, KeyboardInterrupt, a second one exits
//   P_TIMERS  the lazy rebuild of a timer heap with over half cancelled
//   P_SYNCX   { signal } on every wait, the yield* forms, Lock.hold()/run(),
//             the TimeoutError's report (seven.js)
//
// Like @aio, it yields to the host once per 4 ms of loop iterations; of
// issue 17's memory layout it has only what P_FAST does.

/* global P_RUN P_SURFACE P_BRAND P_MSG P_SIGINT */

import { Future } from "./futures.js";
import {
  CancelledError,
  checkFunction,
  describe,
  EventLoop,
  pull,
  RuntimeError,
  running,
} from "./kernel.js";
import "./surface.js";
import "./fast.js";

export * from "./futures.js";
export {
  addInstrument, // P_HOOKS
  CancelledError,
  checkFunction,
  checkMs,
  checkNumber,
  currentTask,
  DIFFERENT_LOOP,
  describe,
  EventLoop,
  getRunningLoop,
  Handle,
  InvalidStateError,
  RuntimeError,
  removeInstrument, // P_HOOKS
  running,
  runningLoop,
  TimeoutError,
  TimerHandle,
  ValueError,
} from "./kernel.js";
export { setDefaultExecutorFactory } from "./surface.js";
export { runVirtual, VirtualTimeLoop } from "./testing.js"; // P_VTIME: @aio/loop/testing

// ---- run() ------------------------------------------------------------------------

export async function run(main, options = {}) {
  if (!P_MSG) checkFunction(main, "main");
  if (P_BRAND) pull();
  if (P_RUN && running !== null) {
    throw new RuntimeError("run() cannot be called from a running event loop");
  }
  if (P_MSG) {
    checkFunction(main, "run() main");
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new TypeError(`run() options must be an object, received ${describe(options)}`);
    }
    if (options.loopFactory !== undefined) checkFunction(options.loopFactory, "Runner loopFactory");
  }
  const loop = P_RUN && options.loopFactory ? options.loopFactory() : new EventLoop();
  if (P_RUN && options.debug !== undefined) loop.setDebug(options.debug);
  try {
    return await (P_SIGINT ? runMain(loop, main) : loop.runUntilComplete(main));
  } finally {
    try {
      if (P_RUN) {
        await cancelAllTasks(loop);
        if (P_SURFACE) {
          await loop.runUntilComplete(() => loop.shutdownAsyncgens());
          await loop.runUntilComplete(() => loop.shutdownDefaultExecutor());
        }
      }
    } finally {
      loop.close();
    }
  }
}

/** asyncio's `_cancel_all_tasks`: cancel what is left, wait for it, report its errors. */
async function cancelAllTasks(loop) {
  const tasks = [...loop._tasks];
  if (tasks.length === 0) return;
  for (const task of tasks) task.cancel();
  const all = new Future(loop);
  let left = tasks.length;
  for (const task of tasks) task.addDoneCallback(() => --left === 0 && all.setResult());
  await loop.runUntilComplete(all);
  for (const task of tasks) {
    if (!task.cancelled() && task.exception() !== null) {
      loop.callExceptionHandler({
        message: "unhandled exception during run() shutdown",
        exception: task.exception(),
        task,
      });
    }
  }
}

// ---- P_SIGINT: run()'s Ctrl-C -------------------------------------------------------

/** Python's `KeyboardInterrupt`: the main task was cancelled by SIGINT. */
export class KeyboardInterrupt extends Error {}
if (P_SIGINT) KeyboardInterrupt.prototype.name = "KeyboardInterrupt";

/**
 * asyncio's Runner: while main runs, the first SIGINT cancels it (then run()
 * fails with KeyboardInterrupt if the cancellation got through); a second
 * one exits the process. Only when no one else listens to SIGINT, and not
 * while the loop has a SIGINT handler of its own.
 */
async function runMain(loop, main) {
  const task = loop.createTask(main);
  const host = globalThis.process;
  let interrupts = 0;
  const onSigint = () => {
    if (P_SURFACE && loop._signals.has("SIGINT")) return;
    if (++interrupts === 1 && !task.done()) return task.cancel();
    host.off("SIGINT", onSigint);
    host.kill(host.pid, "SIGINT");
  };
  const install = host?.listenerCount?.("SIGINT") === 0;
  if (install) host.on("SIGINT", onSigint);
  try {
    return await loop.runUntilComplete(task);
  } catch (err) {
    if (err instanceof CancelledError && interrupts > 0 && task.uncancel() === 0) {
      const interrupt = new KeyboardInterrupt("interrupted by SIGINT");
      interrupt.cause = err;
      throw interrupt;
    }
    throw err;
  } finally {
    if (install) host.off("SIGINT", onSigint);
  }
}
