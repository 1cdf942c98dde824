/**
 * asyncio's event loop for TypeScript: `run()`, `ensureLoop()` (the entry
 * point for libraries), `Runner`, `newEventLoop()`
 * and the loop itself (`callSoon`, `callLater`, `callAt`, `runUntilComplete`,
 * exception handling, signal handlers, executors, debug mode). The virtual-time loop for tests is in
 * `@aio/loop/testing`.
 *
 * @packageDocumentation
 */

export { type EnsureLoopOptions, ensureLoop } from "./ensure-loop.js";
export {
  BaseEventLoop,
  type EventLoopOptions,
  HOST_YIELD_BUDGET_MS,
  newEventLoop,
} from "./event-loop.js";
export { Handle, TimerHandle } from "./handle.js";
export { EventLoopServices } from "./loop-services.js";
export {
  isKeyboardInterrupt,
  KeyboardInterrupt,
  Runner,
  type RunnerOptions,
  type RunOptions,
  run,
} from "./runner.js";
