import {
  _checkFunction,
  _getRunningLoop,
  type EventLoop,
  ExceptionGroup,
  isCancelledError,
  isFailed,
  RuntimeError,
  type TaskOptions,
} from "@aio/core";
import { Future, kAwaits } from "./future.js";
import { isOwnAbort } from "./internal/abort-as-cancel.js";
import { noRunningLoop } from "./internal/running-loop.js";
import type { Coroutine, Task } from "./task.js";
import { currentTask } from "./task-functions.js";

/**
 * A group of tasks that live no longer than the `taskGroup(fn)` call that
 * made them (asyncio `TaskGroup`, structured concurrency).
 *
 * - The call returns once the body and every task of the group are done.
 * - The first task failing (with anything but `CancelledError`) cancels the
 *   other tasks and the body; all such errors are thrown together as an
 *   `ExceptionGroup`.
 * - A cancellation of the parent task cancels the group's tasks and
 *   propagates.
 * - `tg.cancel()` stops the group without an error (asyncio 3.15): the tasks
 *   and the body are cancelled and `taskGroup()` resolves to `undefined`.
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { taskGroup, sleep } from "@aio/futures";
 * await run(async () => {
 *   const [a, b] = await taskGroup(async (tg) => {
 *     const t1 = tg.createTask(() => sleep(10, "a"));
 *     const t2 = tg.createTask(() => sleep(20, "b"));
 *     return [t1, t2];
 *   }).then((tasks) => tasks!.map((t) => t.result())); // `!`: undefined only after tg.cancel()
 *   console.log(a, b); // "a" "b"
 * });
 * ```
 */
export class TaskGroup {
  #entered = false;
  #exiting = false;
  #aborting = false;
  #loop: EventLoop | null = null;
  #parentTask: Task<unknown> | null = null;
  #parentCancelRequested = false;
  #tasks = new Set<Task<unknown>>();
  #errors: unknown[] = [];
  #onCompletedFut: Future<boolean> | null = null;

  /**
   * Starts `fn` in a new task that belongs to the group.
   * @param fn - the task's function.
   * @param options - `name`, `eagerStart`.
   * @returns the Task.
   * @throws {RuntimeError} when the group is not entered, finished, or shutting down.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { taskGroup } from "@aio/futures";
   * await run(() => taskGroup(async (tg) => { tg.createTask(async () => console.log("child")); }));
   * ```
   */
  createTask<T>(fn: () => Coroutine<T>, options?: TaskOptions): Task<T>;
  createTask<T>(fn: () => T | PromiseLike<T>, options?: TaskOptions): Task<Awaited<T>>;
  createTask<T>(fn: () => T | PromiseLike<T>, options?: TaskOptions): Task<Awaited<T>> {
    if (!this.#entered) throw new RuntimeError(`TaskGroup ${this.toString()} has not been entered`);
    if (this.#exiting && this.#tasks.size === 0) {
      throw new RuntimeError(`TaskGroup ${this.toString()} is finished`);
    }
    if (this.#aborting) throw new RuntimeError(`TaskGroup ${this.toString()} is shutting down`);
    const task = this.#loop!.createTask(fn, options) as Task<Awaited<T>>;
    // Always through the done callback, also when an eager task is done
    // already: handling its error here, synchronously, would abort the group
    // before a task whose eager step is creating this one joins the group,
    // so that task would never be cancelled (gh-128550, gh-128588).
    this.#tasks.add(task as Task<unknown>);
    task.addDoneCallback(this.#onTaskDone as (t: Task<Awaited<T>>) => void);
    // An eager task can abort the group (tg.cancel()) before it joins it (gh-155418).
    if (this.#aborting && !task.done()) task.cancel();
    return task;
  }

  /**
   * Stops the group without an error (asyncio 3.15 `TaskGroup.cancel`): its
   * tasks and the body are cancelled, and `taskGroup()` resolves to
   * `undefined` once they are done.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { taskGroup, sleep } from "@aio/futures";
   * await run(() => taskGroup(async (tg) => {
   *   tg.createTask(() => sleep(1000));
   *   tg.createTask(async () => { await sleep(10); tg.cancel(); });
   *   await sleep(1000);
   * }));
   * ```
   */
  cancel(): void {
    if (!this.#entered || this.#parentTask === null) return;
    if (this.#exiting && this.#tasks.size === 0) return; // finished
    if (!this.#aborting) {
      this.#abort();
      // Also while _exit() waits for the tasks: it takes the request back.
      if (!this.#parentCancelRequested) {
        this.#parentCancelRequested = true;
        this.#parentTask.cancel();
      }
    }
  }

  /** @internal asyncio `TaskGroup.__aenter__`. */
  _enter(): void {
    if (this.#entered) throw new RuntimeError("TaskGroup has already been entered");
    const parent = currentTask();
    if (parent === null) {
      if (_getRunningLoop() === null) throw noRunningLoop("taskGroup()");
      throw new RuntimeError("TaskGroup cannot determine the parent task");
    }
    this.#parentTask = parent;
    this.#loop = parent.getLoop();
    this.#entered = true;
  }

  /** @internal asyncio `TaskGroup.__aexit__`; throws what the group raises. */
  async _exit(failed: boolean, exc: unknown): Promise<void> {
    this.#exiting = true;
    if (failed && !isCancelledError(exc) && isOwnAbort(this.#parentTask, exc)) {
      // The body's signal-aware call reported the parent's cancellation as an
      // AbortError: handle it as that CancelledError (internal/abort-as-cancel.ts).
      exc = this.#parentTask!.signal.reason;
    }
    let propagateCancellation: unknown = failed && isCancelledError(exc) ? exc : undefined;
    let hasPropagate = propagateCancellation !== undefined;
    if (failed && !this.#aborting) {
      // The body failed or was cancelled: cancel the group's tasks.
      this.#abort();
    }
    // The last CancelledError that reached us while waiting (asyncio
    // `pending_cancellation_error`).
    let pendingCancellation: unknown;
    let hasPending = false;
    while (this.#tasks.size > 0) {
      if (this.#onCompletedFut === null) {
        this.#onCompletedFut = new Future<boolean>({ loop: this.#loop! });
        const tasks = this.#tasks;
        Object.defineProperty(this.#onCompletedFut, kAwaits, { get: () => [...tasks] });
      }
      try {
        await this.#onCompletedFut;
      } catch (err) {
        if (!isCancelledError(err)) throw err;
        pendingCancellation = err;
        hasPending = true;
        if (!this.#aborting) {
          // The parent task is being cancelled from outside while we wait.
          propagateCancellation = err;
          hasPropagate = true;
          this.#abort();
        }
      }
      this.#onCompletedFut = null;
    }
    const parent = this.#parentTask!;
    if (this.#parentCancelRequested) {
      // We cancelled the parent ourselves; take that request back.
      if (parent.uncancel() === 0) {
        propagateCancellation = undefined;
        hasPropagate = false;
      } else if (!hasPropagate && hasPending) {
        // The cancellation left is not ours: don't drop it (gh-155433).
        propagateCancellation = pendingCancellation;
        hasPropagate = true;
      }
    }
    if (hasPropagate && this.#errors.length === 0) throw propagateCancellation;
    if (failed && !isCancelledError(exc)) this.#errors.push(exc);
    if (this.#errors.length > 0) {
      // Keep the parent's cancel count stable if it is being cancelled from outside.
      if (parent.cancelling() > 0) {
        parent.uncancel();
        parent.cancel();
      }
      const errors = this.#errors;
      this.#errors = [];
      throw new ExceptionGroup("unhandled errors in a TaskGroup", errors);
    }
  }

  #abort(): void {
    this.#aborting = true;
    for (const t of this.#tasks) if (!t.done()) t.cancel();
  }

  #onTaskDone = (task: Task<unknown>): void => {
    this.#tasks.delete(task);
    if (this.#onCompletedFut !== null && this.#tasks.size === 0 && !this.#onCompletedFut.done()) {
      this.#onCompletedFut.setResult(true);
    }
    if (task.cancelled() || !isFailed(task)) return;
    // isFailed(), not `exception() !== undefined`: `throw undefined` is a failure too.
    const exc = task.exception();
    // A child that passed its signal to a signal-aware API (fetch,
    // timers/promises) fails with that API's AbortError when we cancel it:
    // it was cancelled, not failed (internal/abort-as-cancel.ts).
    if (isOwnAbort(task, exc)) return;
    this.#errors.push(exc);
    const parent = this.#parentTask!;
    if (parent.done()) {
      this.#loop!.callExceptionHandler({
        message: `Task ${task.toString()} has errored out but its parent task ${parent.toString()} is already completed`,
        exception: exc,
        task,
      });
      return;
    }
    if (!this.#aborting && !this.#parentCancelRequested) {
      // Abort the body too: cancel the parent task; _exit() takes the request back.
      this.#abort();
      this.#parentCancelRequested = true;
      parent.cancel();
    }
  };

  /**
   * asyncio's repr: `<TaskGroup tasks=2 errors=1 cancelling entered>`.
   * @returns the description.
   * @example
   * ```ts
   * import { TaskGroup } from "@aio/futures";
   * console.log(String(new TaskGroup())); // "<TaskGroup>"
   * ```
   */
  toString(): string {
    const info: string[] = [];
    if (this.#tasks.size > 0) info.push(`tasks=${this.#tasks.size}`);
    if (this.#errors.length > 0) info.push(`errors=${this.#errors.length}`);
    if (this.#aborting) info.push("cancelling");
    else if (this.#entered) info.push("entered");
    return `<TaskGroup${info.length ? ` ${info.join(" ")}` : ""}>`;
  }

  /** Node's `util.inspect` hook: the asyncio repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/**
 * Runs `fn` with a fresh {@link TaskGroup} and waits for every task it
 * started (asyncio `async with TaskGroup() as tg`). Resolves to `fn`'s
 * result; when tasks fail, rejects with an `ExceptionGroup` of their errors.
 *
 * When the body calls `tg.cancel()` the group stops without an error and
 * resolves to `undefined` — hence the `| undefined` in the type. Bad
 * arguments reject; it never throws synchronously.
 *
 * @param fn - the body; receives the group.
 * @returns the body's result, or undefined when stopped with `tg.cancel()`.
 * @throws {ExceptionGroup} `unhandled errors in a TaskGroup` when tasks or the body failed.
 * @throws {RuntimeError} `no running event loop: …` outside a loop;
 *   `TaskGroup cannot determine the parent task` on a loop but outside a task.
 * @throws {TypeError} when `fn` is not a function.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { taskGroup, sleep } from "@aio/futures";
 * import { isExceptionGroup } from "@aio/core";
 * await run(async () => {
 *   try {
 *     await taskGroup(async (tg) => {
 *       tg.createTask(() => sleep(1000)); // cancelled when the other one fails
 *       tg.createTask(async () => { await sleep(10); throw new Error("boom"); });
 *     });
 *   } catch (e) {
 *     if (isExceptionGroup(e)) console.log(e.exceptions.map((x) => (x as Error).message)); // ["boom"]
 *   }
 * });
 * ```
 */
export async function taskGroup<T>(
  fn: (tg: TaskGroup) => T | PromiseLike<T>,
): Promise<Awaited<T> | undefined> {
  _checkFunction("taskGroup()", "fn", fn);
  const tg = new TaskGroup();
  tg._enter();
  let result: Awaited<T>;
  try {
    result = await fn(tg);
  } catch (err) {
    await tg._exit(true, err);
    // _exit() swallowed the body's cancellation (tg.cancel()): no result.
    return undefined;
  }
  await tg._exit(false, undefined);
  return result;
}
