/**
 * asyncio's synchronisation primitives for TypeScript (locks.py, queues.py):
 * `Lock`, `Event`, `Condition`, `Semaphore`, `BoundedSemaphore`, `Barrier`,
 * `Queue`, `PriorityQueue`, `LifoQueue`. Fair (FIFO wake-up, no barging) and
 * cancellation-safe: a cancelled or aborted wait never leaks a permit, loses
 * an item or swallows a wake-up. Blocking calls accept `{ signal }`; locks and
 * semaphores support `await using` through `hold()`. Every blocking call
 * returns a {@link Waitable}: `await` it in an `async` task, `yield*` it in a
 * generator task.
 *
 * @packageDocumentation
 */
export { Barrier } from "./barrier.js";
export { BrokenBarrierError, isBrokenBarrierError } from "./barrier-error.js";
export { Condition } from "./condition.js";
export {
  isQueueEmpty,
  isQueueFull,
  isQueueShutDown,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
} from "./errors.js";
export { Event } from "./event.js";
export type { Hold } from "./hold.js";
export type { WaitOptions } from "./internal/waiting.js";
export { LifoQueue } from "./lifo-queue.js";
export { Lock } from "./lock.js";
export { PriorityQueue, type PriorityQueueOptions } from "./priority-queue.js";
export { Queue } from "./queue.js";
export { BoundedSemaphore, Semaphore } from "./semaphore.js";
export type { Waitable } from "./waitable.js";
