import {
  _checkFunction,
  _currentTask,
  _getRunningLoop,
  _inGeneratorStep,
  type EventLoop,
  getRuntime,
} from "@aio/core";
import type { Coroutine, Task } from "@aio/futures";
import { run } from "./runner.js";

/** Options of {@link ensureLoop}: used only when it starts a loop of its own. */
export interface EnsureLoopOptions {
  /** Run a loop it starts in debug mode (a loop it joins keeps its own setting). */
  debug?: boolean;
}

/** `Object.getPrototypeOf(function* () {})`. */
const GeneratorFunction: object = Object.getPrototypeOf(function* () {});

/**
 * Runs `main` on an `@aio` event loop: the running one when there is one, a
 * fresh one (as `run(main)`) otherwise. The entry point for library code
 * built on `@aio`: it works the same when called from plain Promise code, from
 * inside an application's (or another library's) `run()`, and from both at
 * once (docs/design/library-entry-point.md).
 *
 * - Outside any loop: `run(main)` — a new loop for this call, closed when
 *   `main` settles (leftover tasks cancelled, nothing keeps the process
 *   alive). Concurrent calls get one loop each.
 * - Inside a task (an `async` one): `main()` is called right there, in the
 *   caller's task — cancelling the caller cancels `main`'s awaits, and
 *   `taskGroup()`/`timeout()` inside `main` attach to the caller's task, as
 *   if `main`'s code had been written inline.
 * - On a loop but not in an `async` task's code (a loop callback, a
 *   generator task's step) or when `main` is a `function*`: `main` runs in a
 *   new task on that loop, and the returned Promise settles with it.
 *
 * Bad arguments reject; it never throws synchronously.
 *
 * @param main - the library's body (usually `async`; a `function*` runs as a
 *   generator task).
 * @param options - `debug`, for a loop it starts.
 * @returns `main`'s result (rejects with its error).
 * @throws {TypeError} when `main` is not a function.
 * @example
 * ```ts
 * import { ensureLoop, run } from "@aio/loop";
 * import { sleep, taskGroup } from "@aio/futures";
 *
 * // A library function: usable with and without the caller's run().
 * function double(n: number): Promise<number> {
 *   return ensureLoop(async () => {
 *     const tasks = await taskGroup(async (tg) => [tg.createTask(() => sleep(5, n * 2))]);
 *     return tasks![0]!.result();
 *   });
 * }
 *
 * console.log(await double(1)); // 2 — plain Promise code: a loop of its own
 * console.log(await run(() => double(2))); // 4 — joins the caller's loop
 * ```
 */
export function ensureLoop<T>(main: () => Coroutine<T>, options?: EnsureLoopOptions): Promise<T>;
export function ensureLoop<T>(
  main: () => T | PromiseLike<T>,
  options?: EnsureLoopOptions,
): Promise<Awaited<T>>;
export async function ensureLoop<T>(
  main: () => T | PromiseLike<T>,
  options?: EnsureLoopOptions,
): Promise<Awaited<T>> {
  _checkFunction("ensureLoop()", "main", main);
  const runOptions = options?.debug === undefined ? undefined : { debug: options.debug };
  const loop: EventLoop | null = _getRunningLoop();
  if (loop === null) return run(main, runOptions);
  if (!loop.isRunning()) {
    // Plain Promise code that inherited the async context of a task (a timer
    // or promise callback the task set up) whose loop is not running now:
    // that context is stale, not a loop to join.
    return getRuntime().taskContext.exit(() => run(main, runOptions));
  }
  const task = _currentTask();
  if (
    task !== null &&
    task.getLoop() === loop &&
    !_inGeneratorStep() &&
    Object.getPrototypeOf(main) !== GeneratorFunction
  ) {
    // Inline in the caller's task, so cancellation and structure are the caller's.
    return await main();
  }
  return settled(loop.createTask(main) as Task<Awaited<T>>);
}

/**
 * A native Promise that settles like `task`: the caller is plain code, not a
 * task, so it must not await the Task itself (a Task's `then` is an @aio
 * await, attributed to the current task).
 */
function settled<T>(task: Task<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    task.addDoneCallback((t) => {
      try {
        resolve(t.result());
      } catch (err) {
        reject(err);
      }
    });
  });
}
