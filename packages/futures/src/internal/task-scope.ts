import { _ContextScope, _contextPropagates, getRuntime } from "@aio/core";
import { isGenerator, isThenable } from "./util.js";

const rt = getRuntime();

/** What a task's async function reports when its promise settles (implemented by Task). */
interface Settling {
  _settle(ok: boolean, value: unknown): void;
}

/**
 * A task's function and the async context it was created in (asyncio copies
 * the creator's `contextvars` context into each task). The resource keeps
 * the creator's `AsyncLocalStorage` stores; the first step enters it, adds
 * the task under `taskContext`, and leaves it without allocating a context
 * to return to (as `AsyncLocalStorage.run()` would). On a host without
 * async hooks (a browser) it is the synchronous stand-in of `@aio/core`.
 *
 * An `async` task needs its scope for the first step only (the rest of its
 * code runs in promise jobs that carry the context themselves). A generator
 * task keeps it until it is done: every step enters it again.
 */
export class TaskScope extends _ContextScope {
  // `declare`d and assigned in the constructor: the same fields in the same
  // order, without the class-field declarations a bundle would carry.
  declare readonly fn: () => unknown;
  /** True for a generator task's scope (what `Task._isGenerator` reads). */
  declare readonly coro: boolean;
  /** A generator task's generator, once its first step made it. */
  declare gen: Generator<unknown, unknown, unknown> | null;

  /**
   * @param fn - the task's function.
   * @param coro - true for a generator task's scope.
   */
  constructor(fn: () => unknown, coro = false) {
    super("aio.Task", { requireManualDestroy: true });
    this.fn = fn;
    this.coro = coro;
    this.gen = null;
  }
}

/**
 * A generator task's scope: the creator's context with the task entered.
 * Made inside a scope of the creator's context, which restores the context
 * it found by reference: `taskContext.run(task, …)` would copy the creator's
 * stores twice (in with the task, and out again), this copies them once.
 */
export function newGeneratorScope(task: Settling, fn: () => unknown): TaskScope {
  const creator = new TaskScope(fn);
  const scope = creator.runInAsyncScope(enterAndCapture, null, task, fn);
  creator.emitDestroy();
  return scope;
}

function enterAndCapture(task: Settling, fn: () => unknown): TaskScope {
  rt.taskContext.enterWith(task as never);
  return new TaskScope(fn, true);
}

/** Runs inside the creator's context (see `TaskScope`): the task's first step. */
export function enterTask(task: Settling, fn: () => unknown): unknown {
  rt.taskContext.enterWith(task as never);
  return callInTask(fn);
}

/** What `callInTask` returns when the function's result is pending: its settlement is followed. */
export const PENDING_RESULT: unique symbol = Symbol("pending result");

/**
 * Calls the task's function inside the task's context. When it returns a
 * thenable, the task follows it with two module-level reactions registered
 * here, inside the task's context, so they find their task with
 * `taskContext.getStore()` — no closures per task. A foreign thenable (e.g. a
 * Future from a non-async function) is adopted here too, so its `then()` runs
 * in the task's context and counts as the task's await. A generator comes
 * back as a new {@link TaskScope} holding it: the task drives it from then on.
 */
function callInTask(fn: () => unknown): unknown {
  const result = fn();
  if (!isThenable(result)) {
    if (!isGenerator(result)) return result;
    // A generator: the task drives it (see Task). Its steps run in the
    // context this resource captures: the creator's, with the task entered.
    const scope = new TaskScope(fn, true);
    scope.gen = result;
    return scope;
  }
  const promise = result instanceof Promise ? result : Promise.resolve(result);
  if (_contextPropagates) promise.then(onTaskFulfilled, onTaskRejected);
  else {
    // No async context to find the task in (a browser): the reactions carry it.
    const task = rt.task as unknown as Settling;
    promise.then(
      (value) => task._settle(true, value),
      (err) => task._settle(false, err),
    );
  }
  return PENDING_RESULT;
}

function onTaskFulfilled(value: unknown): void {
  (rt.taskContext.getStore() as unknown as Settling)._settle(true, value);
}

function onTaskRejected(err: unknown): void {
  (rt.taskContext.getStore() as unknown as Settling)._settle(false, err);
}
