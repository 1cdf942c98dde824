import type { EventLoop } from "@aio/core";

/**
 * The pending tasks of one loop as an intrusive doubly linked list (the
 * links, `_prev` and `_next`, live on the tasks): O(1) add and remove with
 * no hash table to rehash as thousands of tasks come and go.
 */
export interface TaskList<T> {
  head: T | null;
}

/**
 * Pending tasks of each loop. The loop keeps them alive (strong references)
 * until they finish, so a task nobody references still runs to completion —
 * asyncio's "keep a reference to your background task" pitfall cannot happen.
 */
const pendingTasks = new WeakMap<EventLoop, TaskList<unknown>>();

/** Where a loop keeps its list: a property read, cheaper than the WeakMap on every task's end. */
const kTaskList = Symbol("aio.pendingTasks");

/** The list of `loop`'s pending tasks, made on first use. */
export function tasksOf<T>(loop: EventLoop): TaskList<T> {
  const own = (loop as { [kTaskList]?: TaskList<T> })[kTaskList];
  if (own !== undefined) return own;
  let list = pendingTasks.get(loop) as TaskList<T> | undefined;
  if (list === undefined) {
    list = { head: null };
    pendingTasks.set(loop, list);
    // A non-extensible loop (a user's frozen object) is served by the WeakMap alone.
    if (Object.isExtensible(loop)) Object.defineProperty(loop, kTaskList, { value: list });
  }
  return list;
}

/** The list of `loop`'s pending tasks, if it ever had one (for `allTasks()`). */
export function pendingTasksOf<T>(loop: EventLoop): TaskList<T> | undefined {
  return pendingTasks.get(loop) as TaskList<T> | undefined;
}
