/**
 * What a blocking call of `@aio/sync` returns (`acquire()`, `wait()`,
 * `get()`, `put()`, `hold()`…): awaited in an `async` task, `yield*`-ed in a
 * generator task.
 *
 * - Called from an `async` task (or outside any task) it is a native
 *   `Promise`, exactly as before generator tasks existed; it is not iterable.
 * - Called while a generator task (`createTask(function* …)`) runs its step it
 *   is a lazy wait, asyncio's coroutine: nothing happens until `yield*` runs it,
 *   and then it waits on a loop future the task itself is suspended on — no
 *   promise jobs, and the task's cancellation lands on it with the same repair
 *   logic as an `await`. Its `then()` (an `await` in an `async` helper the
 *   generator called) runs the promise form instead, which the generator
 *   task's own code cannot wait with: a wait that must block is refused there
 *   with the `RuntimeError` `Future.then()` gives inside a generator task.
 *
 * @typeParam T - what the wait gives.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { createTask, gather } from "@aio/futures";
 * import { Lock } from "@aio/sync";
 * await run(function* () {
 *   const lock = new Lock();
 *   let n = 0;
 *   const worker = function* () {
 *     for (let i = 0; i < 3; i++) {
 *       yield* lock.acquire(); // the generator form: no promise involved
 *       try {
 *         n++;
 *         yield; // one loop iteration while holding the lock
 *       } finally {
 *         lock.release();
 *       }
 *     }
 *   };
 *   yield* gather(createTask(worker), createTask(worker));
 *   console.log(n); // 6
 * });
 * ```
 */
export type Waitable<T> = Promise<T> & {
  /** The generator form: `yield*` it inside a generator task. */
  [Symbol.iterator](): Iterator<unknown, T, unknown>;
};
