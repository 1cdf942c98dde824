import { describeValue, RuntimeError } from "./errors.js";
import { _contextPropagates, _newTaskContext, type TaskContextStorage } from "./host.js";
import type { EventLoop, Executor, Instrument, TaskLike } from "./interfaces.js";
import type { TaskInternals } from "./internal-contract.js";

/**
 * The process-wide state of \@aio: which loop is running a callback right now,
 * which task's code is running, and the registered instruments.
 *
 * It lives on `globalThis` under `Symbol.for("@aio/core.runtime.v1")`, so two
 * installed copies of `@aio/core` (or an ESM and a CommonJS consumer) share one
 * running-loop state. Loop and task implementations read and write it; user
 * code reads it through {@link getRunningLoop} and `currentTask()`.
 *
 * How "current" is decided:
 * - while a loop runs a callback synchronously, `loop` is that loop and `task`
 *   the task whose step that callback runs (or null);
 * - otherwise (task code resumed by a promise job), the task is the store of
 *   `taskContext`, an `AsyncLocalStorage` entered when each task starts, and
 *   the loop is that task's loop. On a host without async hooks (a browser)
 *   `taskContext` is the synchronous stand-in of `host.ts`.
 *
 * @example
 * ```ts
 * import { getRuntime } from "@aio/core";
 * console.log(getRuntime().loop); // null outside a loop callback
 * ```
 */
export interface Runtime {
  /** The loop running a callback synchronously right now, or null. */
  loop: EventLoop | null;
  /** The task whose step runs synchronously inside that callback, or null. */
  task: TaskLike<unknown> | null;
  /**
   * `task` when it is a generator task (set around each of its steps by
   * `@aio/futures`), else null or the generator task whose step is nested
   * further out: `task === genTask` is the one-load test of "a generator
   * step runs now". (A runtime made by an older `@aio/core` lacks it until
   * the first generator step sets it; the test holds either way.)
   */
  genTask: TaskLike<unknown> | null;
  /** Carries the current task through promise continuations. */
  readonly taskContext: TaskContextStorage<TaskLike<unknown>>;
  /** Registered instruments (see {@link addInstrument}). */
  readonly instruments: Instrument[];
  /** The loops running right now (for introspection tools such as `@aio/debug`). */
  readonly runningLoops: Set<EventLoop>;
  /**
   * Makes the default executor a loop creates lazily for
   * `runInExecutor(null, …)`; set by `@aio/executors` when it is imported.
   */
  defaultExecutorFactory: (() => Executor) | null;
  /** The version of `@aio/core` that created this state. */
  readonly version: number;
}

const RUNTIME_KEY = Symbol.for("@aio/core.runtime.v1");

type Global = typeof globalThis & { [RUNTIME_KEY]?: Runtime };

const runtime: Runtime = ((globalThis as Global)[RUNTIME_KEY] ??= {
  loop: null,
  task: null,
  genTask: null,
  taskContext: _newTaskContext<TaskLike<unknown>>(),
  instruments: [],
  runningLoops: new Set<EventLoop>(),
  defaultExecutorFactory: null,
  version: 1,
});

/**
 * The shared runtime state, for implementers of loops, tasks and instruments.
 * Application code wants {@link getRunningLoop} instead.
 *
 * @returns the one process-wide {@link Runtime} object.
 * @example
 * ```ts
 * import { getRuntime } from "@aio/core";
 * const rt = getRuntime();
 * console.log(rt.instruments.length); // 0 unless a debug tool is active
 * ```
 */
export function getRuntime(): Runtime {
  return runtime;
}

/**
 * The loop whose code is running now, or `null` (asyncio `_get_running_loop`).
 *
 * @returns the running loop or null.
 * @example
 * ```ts
 * import { _getRunningLoop } from "@aio/core";
 * if (_getRunningLoop() === null) console.log("not inside run()");
 * ```
 */
export function _getRunningLoop(): EventLoop | null {
  const loop = runtime.loop;
  if (loop !== null) return loop;
  const task = runtime.taskContext.getStore();
  // Outside a task: without async hooks (a browser), code resumed by a
  // foreign promise (after `await fetch()`) cannot be traced to its task;
  // while exactly one loop runs, that loop is taken to be its loop, so
  // `sleep()` and friends keep working there (see `docs/guide/runtimes.md`).
  let found: EventLoop | undefined;
  if (task !== undefined) found = task.getLoop();
  else if (_contextPropagates || runtime.runningLoops.size !== 1) return null;
  else [found] = runtime.runningLoops;
  return found!.isClosed() ? null : found!;
}

/**
 * The loop whose code is running now (asyncio `get_running_loop`). Inside
 * `run()` — in the main function, its tasks, and callbacks the loop runs —
 * that is the loop `run()` created.
 *
 * @returns the running loop.
 * @throws {RuntimeError} `no running event loop` outside a loop.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { getRunningLoop } from "@aio/core";
 * await run(async () => {
 *   console.log(getRunningLoop().time());
 * });
 * ```
 */
export function getRunningLoop(): EventLoop {
  const loop = _getRunningLoop();
  if (loop === null) throw new RuntimeError("no running event loop");
  return loop;
}

/**
 * The task whose code is running now, or `null` (the plumbing behind
 * `currentTask()` of `@aio/futures`).
 *
 * @returns the current task or null.
 * @example
 * ```ts
 * import { _currentTask } from "@aio/core";
 * console.log(_currentTask()); // null outside a task
 * ```
 */
export function _currentTask(): TaskLike<unknown> | null {
  if (runtime.loop !== null) return runtime.task;
  const task = runtime.taskContext.getStore();
  if (task === undefined || task.done() || task.getLoop().isClosed()) return null;
  return task;
}

/**
 * True while a generator task's step runs synchronously: the code running now
 * waits with `yield*`, not `await` (the plumbing behind the `yield*` forms of
 * blocking calls in `@aio/sync`). A task implementation marks a task that
 * drives a generator (asyncio's coroutine protocol) with `_isGenerator = true`
 * (see `TaskInternals` in `internal-contract.ts`).
 *
 * @returns whether the current task is a generator task in its step.
 * @example
 * ```ts
 * import { _inGeneratorStep } from "@aio/core";
 * console.log(_inGeneratorStep()); // false outside a generator task
 * ```
 */
export function _inGeneratorStep(): boolean {
  return (runtime.task as Partial<TaskInternals> | null)?._isGenerator === true;
}

/**
 * Registers a debug instrument; its hooks are called by loops and tasks from
 * now on. Registering the same instrument twice has no effect.
 *
 * @param instrument - the hooks to call.
 * @returns a function that removes the instrument again.
 * @example
 * ```ts
 * import { addInstrument } from "@aio/core";
 * const remove = addInstrument({ taskCreated: (t) => console.log("created", t.getName()) });
 * remove();
 * ```
 */
export function addInstrument(instrument: Instrument): () => void {
  if (typeof instrument !== "object" || instrument === null) {
    throw new TypeError(
      `addInstrument() instrument must be an object, received ${describeValue(instrument)}`,
    );
  }
  if (!runtime.instruments.includes(instrument)) runtime.instruments.push(instrument);
  return () => removeInstrument(instrument);
}

/**
 * Removes an instrument registered with {@link addInstrument}.
 *
 * @param instrument - the instrument to remove.
 * @returns true when it was registered.
 * @example
 * ```ts
 * import { addInstrument, removeInstrument } from "@aio/core";
 * const hooks = {};
 * addInstrument(hooks);
 * console.log(removeInstrument(hooks)); // true
 * ```
 */
export function removeInstrument(instrument: Instrument): boolean {
  const i = runtime.instruments.indexOf(instrument);
  if (i === -1) return false;
  runtime.instruments.splice(i, 1);
  return true;
}

const NOOP = (): void => {};

/**
 * Reports that a resource which must be closed was opened — the plumbing
 * behind debug mode's "was never closed" report (asyncio's `ResourceWarning:
 * unclosed transport`). Resource implementations (`@aio/streams` writers
 * and servers, `@aio/executors` pools) call it when they open and call the
 * returned function when they close. With no instrument registered it costs
 * one branch and returns a shared no-op.
 *
 * @param resource - the resource (its `toString()` appears in reports).
 * @param kind - what it is: `"StreamWriter"`, `"Server"`, `"ThreadPoolExecutor"`.
 * @param close - closes it, for a tool that closes what was left open.
 * @returns the function to call once the resource is closed (idempotent).
 * @example
 * ```ts
 * import { _resourceOpened } from "@aio/core";
 * class Connection {
 *   #closed = _resourceOpened(this, "Connection", () => this.close());
 *   close() { this.#closed(); }
 * }
 * new Connection().close();
 * ```
 */
export function _resourceOpened(resource: object, kind: string, close?: () => unknown): () => void {
  const instruments = runtime.instruments;
  if (instruments.length === 0) return NOOP;
  const loop = _getRunningLoop();
  let closed: (() => void)[] | null = null;
  for (const instrument of instruments) {
    const done = instrument.resourceOpened?.(resource, kind, loop, close);
    if (typeof done === "function") (closed ??= []).push(done);
  }
  if (closed === null) return NOOP;
  const all = closed;
  return all.length === 1
    ? all[0]!
    : () => {
        for (const done of all) done();
      };
}
