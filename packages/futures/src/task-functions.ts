/**
 * The module functions over tasks (asyncio `create_task`, `current_task`,
 * `all_tasks`, `eager_task_factory`); the `Task` class is in `task.ts`.
 */
import {
  _checkFunction,
  _currentTask,
  type EventLoop,
  getRunningLoop,
  type TaskLike,
  type TaskOptions,
} from "@aio/core";
import { runningLoop } from "./internal/running-loop.js";
import { pendingTasksOf } from "./internal/task-list.js";
import { type Coroutine, Task } from "./task.js";

/**
 * Runs `fn` in a new Task on the running loop (asyncio `create_task`). The
 * first step is scheduled with `callSoon`, unless `eagerStart` is set or the
 * loop's task factory says otherwise. An eager start needs a running loop:
 * on a loop not running yet (a task made before `runUntilComplete`) the
 * first step is scheduled, as in asyncio.
 *
 * `fn` is usually `async`; a generator function (`function*`) makes a
 * generator task, which waits with `yield*` (see {@link Coroutine}).
 *
 * @param fn - the function to run (usually `async`).
 * @param options - `name` (default `Task-N`), `eagerStart`.
 * @returns the Task.
 * @throws {TypeError} when `fn` is not a function.
 * @throws {RuntimeError} `no running event loop: …` outside a loop (the message names the fix); `Event loop is closed`.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { createTask, sleep } from "@aio/futures";
 * await run(async () => {
 *   const t = createTask(async () => { await sleep(5); return "done"; }, { name: "worker" });
 *   console.log(await t); // "done"
 * });
 * ```
 */
export function createTask<T>(fn: () => Coroutine<T>, options?: TaskOptions): Task<T>;
export function createTask<T>(
  fn: () => T | PromiseLike<T>,
  options?: TaskOptions,
): Task<Awaited<T>>;
export function createTask<T>(
  fn: () => T | PromiseLike<T>,
  options?: TaskOptions,
): Task<Awaited<T>> {
  _checkFunction("createTask()", "fn", fn);
  return runningLoop("createTask()").createTask(fn, options) as Task<Awaited<T>>;
}

/**
 * The task whose code is running now (asyncio `current_task`).
 * @param loop - only return a task of this loop.
 * @returns the task or null.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { currentTask } from "@aio/futures";
 * await run(async () => { console.log(currentTask()?.getName()); }); // "Task-1"
 * ```
 */
export function currentTask(loop?: EventLoop): Task<unknown> | null {
  const task = _currentTask();
  if (task === null || (loop !== undefined && task.getLoop() !== loop)) return null;
  return task as Task<unknown>;
}

/**
 * The pending tasks of a loop (asyncio `all_tasks`).
 * @param loop - default: the running loop.
 * @returns a new Set of the tasks not yet done.
 * @throws {RuntimeError} `no running event loop` when no loop is given and none runs.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { allTasks } from "@aio/futures";
 * await run(async () => { console.log(allTasks().size); }); // 1 (main)
 * ```
 */
export function allTasks(loop?: EventLoop): Set<Task<unknown>> {
  const list = pendingTasksOf<Task<unknown>>(loop ?? getRunningLoop());
  const tasks: Task<unknown>[] = [];
  for (let t = list?.head ?? null; t !== null; t = t._next) if (!t.done()) tasks.push(t);
  return new Set(tasks.reverse()); // in creation order
}

/**
 * A task factory that starts tasks eagerly (asyncio 3.12
 * `eager_task_factory`): the first step runs synchronously inside
 * `createTask`, and a task that finishes without suspending is never
 * scheduled. On a loop that is not running yet (`runUntilComplete`'s and
 * `run()`'s main task) tasks start lazily, as asyncio's. Install with
 * `loop.setTaskFactory(eagerTaskFactory)`.
 *
 * @param loop - the loop.
 * @param fn - the task's function.
 * @param options - task options.
 * @returns the Task.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { eagerTaskFactory, createTask } from "@aio/futures";
 * import { getRunningLoop } from "@aio/core";
 * await run(async () => {
 *   getRunningLoop().setTaskFactory(eagerTaskFactory);
 *   const t = createTask(() => 42);
 *   console.log(t.done()); // true: it ran inside createTask
 * });
 * ```
 */
export function eagerTaskFactory<T>(
  loop: EventLoop,
  fn: () => T | PromiseLike<T>,
  options?: TaskOptions,
): TaskLike<Awaited<T>> {
  return new Task(fn, { ...options, loop, eagerStart: true }) as Task<Awaited<T>>;
}
