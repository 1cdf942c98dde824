/**
 * asyncio's Future and Task for TypeScript — with real cancellation that
 * lands at the `await` a task is suspended on — and the structured helpers:
 * `sleep`, `gather`, `wait`, `waitFor`, `asCompleted`, `shield`, `timeout`,
 * `timeoutAt` and `taskGroup`.
 *
 * @packageDocumentation
 */
export {
  AsCompleted,
  type AsCompletedOptions,
  asCompleted,
  type CompletedFuture,
} from "./as-completed.js";
export { createEagerTaskFactory, type TaskConstructor } from "./eager-task-factory.js";
export { type AwaitableOrFn, ensureFuture, type ResultOf } from "./ensure-future.js";
export { Future, isFuture, kAwaits } from "./future.js";
export {
  type GatherArg,
  GatheringFuture,
  type GatherOptions,
  type GatherResults,
  type GatherResultsOrExceptions,
  gather,
} from "./gather.js";
export { _onLoopClose } from "./loop-close.js";
export { shield } from "./shield.js";
export { sleep } from "./sleep.js";
export { type Coroutine, Task, type TaskConstructorOptions } from "./task.js";
export { allTasks, createTask, currentTask, eagerTaskFactory } from "./task-functions.js";
export { TaskGroup, taskGroup } from "./task-group.js";
export { Timeout, timeout, timeoutAt, waitFor } from "./timeouts.js";
export {
  ALL_COMPLETED,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  type ReturnWhen,
  type WaitFuture,
  type WaitOptions,
  wait,
} from "./wait.js";
