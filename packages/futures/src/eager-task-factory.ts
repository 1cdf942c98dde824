import type { EventLoop, TaskFactory, TaskLike, TaskOptions } from "@aio/core";
import { _checkFunction } from "@aio/core";

/**
 * A Task class a task factory can build: `new CustomTask(fn, { loop, name,
 * eagerStart, ...options })`, as `Task` itself and its subclasses are.
 */
export type TaskConstructor = new (
  fn: () => unknown,
  options: TaskOptions & { loop: EventLoop },
) => TaskLike<unknown>;

/**
 * Makes a task factory that starts every task eagerly with your own Task
 * class (asyncio 3.12 `create_eager_task_factory(custom_task_constructor)`).
 * Every option given to `createTask` reaches the constructor (asyncio 3.14),
 * and `eagerStart: false` in them still asks for a lazy start.
 *
 * @param customTaskConstructor - `Task` or a subclass of it.
 * @returns a factory for `loop.setTaskFactory()`.
 * @throws {TypeError} when `customTaskConstructor` is not a constructor.
 * @example
 * ```ts
 * import { getRunningLoop } from "@aio/core";
 * import { createEagerTaskFactory, createTask, Task, type TaskConstructorOptions } from "@aio/futures";
 * import { run } from "@aio/loop";
 *
 * class TracedTask<T> extends Task<T> {
 *   readonly traceId: unknown;
 *   constructor(fn: () => T | PromiseLike<T>, options: TaskConstructorOptions) {
 *     super(fn, options);
 *     this.traceId = options.traceId;
 *   }
 * }
 * await run(async () => {
 *   getRunningLoop().setTaskFactory(createEagerTaskFactory(TracedTask));
 *   const t = createTask(() => 42, { traceId: "req-7" }) as TracedTask<number>;
 *   console.log(t.done(), t.traceId); // true req-7 — it ran inside createTask
 * });
 * ```
 */
export function createEagerTaskFactory(customTaskConstructor: TaskConstructor): TaskFactory {
  _checkFunction("createEagerTaskFactory()", "customTaskConstructor", customTaskConstructor);
  return <T>(loop: EventLoop, fn: () => T | PromiseLike<T>, options?: TaskOptions) =>
    new customTaskConstructor(fn, {
      ...options,
      loop,
      eagerStart: options?.eagerStart ?? true,
    }) as TaskLike<Awaited<T>>;
}
