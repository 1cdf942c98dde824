import {
  _checkFunction,
  CancelledError,
  type EventLoop,
  getRunningLoop,
  getRuntime,
  isCancelledError,
  _kScheduleItem as kScheduleItem,
  type _ReadyItem as ReadyItem,
  RuntimeError,
  _SELF as SELF,
  type _StepAwareLoop as StepAwareLoop,
  type TaskOptions,
} from "@aio/core";
import { Future, internals, isFuture, kTaskBrand } from "./future.js";
import { stepEnded, stepStarted } from "./internal/step.js";
import { TaskCold } from "./internal/task-cold.js";
import { tasksOf } from "./internal/task-list.js";
import { enterTask, newGeneratorScope, PENDING_RESULT, TaskScope } from "./internal/task-scope.js";
import {
  describe,
  endsInCancelledError,
  GeneratorFunctionPrototype,
  isGenerator,
  isThenable,
} from "./internal/util.js";

const rt = getRuntime();

let taskCounter = 0;

function startTask(task: Task<unknown>): void {
  task._run();
}

/**
 * What a generator task runs: the generator a `function*` returns. Inside,
 * `yield* fut` waits for a Future or Task (typed: it evaluates to the
 * result), `yield* sleep(ms)` sleeps, and a bare `yield` gives the loop one
 * iteration (asyncio's `sleep(0)`). A promise can be waited for with a bare
 * `yield promise` (untyped) or, typed, `yield* ensureFuture(() => promise)`.
 *
 * A generator task is asyncio's own coroutine protocol: the task knows every
 * suspension point exactly, a step never involves a promise job, and waiting
 * on a done Future costs no loop iteration. It is the faster mode (see
 * `docs/guide/generator-tasks.md`); `async` functions remain the default.
 *
 * @typeParam T - the task's result.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { type Coroutine, createTask, sleep } from "@aio/futures";
 * function* worker(n: number): Coroutine<number> {
 *   yield* sleep(5);
 *   return n * 2;
 * }
 * await run(function* () {
 *   const doubled = yield* createTask(() => worker(21));
 *   console.log(doubled); // 42
 * });
 * ```
 */
export type Coroutine<T = unknown> = Generator<unknown, T, any>;

/** Options of the Task constructor. */
export interface TaskConstructorOptions extends TaskOptions {
  /** The loop to run on; default: the running loop. */
  loop?: EventLoop;
}

/**
 * `Task` itself, for its static private helpers (`TaskClass.#x(…)`): a class that
 * names itself in its body is emitted as `var Task = class _Task` in the Node
 * bundle, which would rename it. Set in the class's first static block.
 */
let TaskClass: typeof Task;

/**
 * An asyncio Task: runs an `async` function on the loop, as a Future of its
 * result, with real cancellation.
 *
 * Invariant (asyncio tasks.py): while the task is not done, it is either
 * scheduled to run a step, running a step, or suspended on exactly one
 * awaitable — `_futWaiter`, when that is an \@aio Future, else a foreign
 * promise. `cancel()` cancels `_futWaiter` (the `await` then throws
 * `CancelledError`) or, when there is none, records the request
 * (`mustCancel`), which the next step delivers (`_deliverCancel`) or the
 * next \@aio await cancels (`_cancelAwaited`). `task.signal` is aborted
 * synchronously in `cancel()` either way, so foreign APIs (`fetch`) can stop
 * at once.
 *
 * A task's awaits are found with `AsyncLocalStorage`: awaits inside plain
 * `async` helpers called by the task belong to the task. The task runs in
 * the async context of its `createTask()` call (asyncio copies the creator's
 * `contextvars`): `AsyncLocalStorage` stores set around that call are seen
 * in every step.
 *
 * @typeParam T - the result type.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { createTask, sleep } from "@aio/futures";
 * await run(async () => {
 *   const task = createTask(async () => {
 *     try { await sleep(10_000); } finally { console.log("cleanup runs"); }
 *   });
 *   await sleep(10);
 *   task.cancel("enough");
 *   await task.catch((e) => console.log(e.name, e.message)); // CancelledError enough
 * });
 * ```
 */
export class Task<T> extends Future<T> {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  override get _className(): string {
    return "Task";
  }

  /**
   * The function and the async context the steps run in (see `TaskScope`):
   * an `async` task drops it after its first step, a generator task keeps it
   * until it is done.
   */
  #scope: TaskScope | null;
  /**
   * The name, or the N of the default name `Task-N` (made into a string on
   * demand); once the task needs its rarely used fields (a cancellation, its
   * signal, debug mode), the TaskCold that holds them and the name. One
   * field for both: see `docs/design/task-layout.md`.
   */
  #meta: string | number | TaskCold;
  /** @internal Links in the loop's list of pending tasks (see `tasksOf`). */
  _prev: Task<unknown> | null = null;
  /** @internal */ _next: Task<unknown> | null = null;
  /** @internal asyncio `_fut_waiter` (read by `@aio/debug`, see core's internal contract). */
  _futWaiter: Future<unknown> | null = null;

  static {
    // biome-ignore lint/complexity/noThisInStatic: naming the class in its body renames it in the Node bundle (see TaskClass).
    TaskClass = this;
  }

  /**
   * Prefer `createTask(fn)`; the constructor is for task factories.
   * @param fn - the function to run; its returned promise is the task's result.
   * @param options - `name`, `eagerStart`, `loop`.
   * @throws {TypeError} when `fn` is not a function.
   * @throws {RuntimeError} when the loop is closed, or no loop is given and none runs.
   */
  constructor(fn: () => T | PromiseLike<T>, options?: TaskConstructorOptions) {
    _checkFunction("createTask()", "fn", fn);
    const loop = options?.loop ?? getRunningLoop();
    if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
    super({ loop });
    // A generator task: its steps run in the creator's context with the task entered.
    this.#scope =
      Object.getPrototypeOf(fn) === GeneratorFunctionPrototype
        ? newGeneratorScope(this, fn)
        : new TaskScope(fn);
    const name = options?.name;
    this.#meta = name === undefined ? ++taskCounter : String(name);
    const list = tasksOf<Task<unknown>>(loop);
    this._next = list.head;
    if (list.head !== null) list.head._prev = this as Task<unknown>;
    list.head = this as Task<unknown>;
    if (loop.getDebug()) TaskClass.#coldFields(this).created = new Error();
    if (rt.instruments.length !== 0) for (const i of rt.instruments) i.taskCreated?.(this);
    // asyncio: `if eager_start and self._loop.is_running()` — a loop not yet
    // running (runUntilComplete's main task) starts the task lazily.
    if (options?.eagerStart === true && loop.isRunning()) this._run();
    else {
      // The task is its own ready item (see below): no Handle, no args array.
      const scheduleItem = (loop as StepAwareLoop)[kScheduleItem];
      if (scheduleItem !== undefined) scheduleItem.call(loop, this as unknown as ReadyItem);
      else loop.callSoon(startTask, this as Task<unknown>);
    }
  }

  /** @internal True while the task drives a generator (see "generator tasks" below). */
  get _isGenerator(): boolean {
    return this.#scope?.coro === true;
  }

  static #cold(task: Task<unknown>): TaskCold | null {
    const meta = task.#meta;
    return typeof meta === "object" ? meta : null;
  }

  static #coldFields(task: Task<unknown>): TaskCold {
    const meta = task.#meta;
    if (typeof meta === "object") return meta;
    return (task.#meta = new TaskCold(meta));
  }

  /** @internal What the loop runs for a scheduled task: its first step, or a generator task's next one. */
  _run(): void {
    if (this._isGenerator) TaskClass.#coroWake(this);
    else TaskClass.#firstStep(this);
  }

  // ----- cancellation ---------------------------------------------------------
  //
  // A request (`cancel()`) either cancels the future the task awaits, whose
  // CancelledError then wakes the task, or stays pending (`mustCancel`)
  // until one of these takes it: the next step (`_deliverCancel`), the next
  // @aio await (`_cancelAwaited`), or the end of the task (`#endCancelled`).

  /** Takes a pending cancellation: true (and it is no longer pending) when there was one. */
  static #takeCancel(task: Task<unknown>): boolean {
    const meta = task.#meta;
    if (typeof meta !== "object" || !meta.mustCancel) return false;
    meta.mustCancel = false;
    return true;
  }

  /**
   * @internal Where a cancellation is delivered (asyncio `Task.__step`'s
   * `if self._must_cancel`): the step resuming the task from `fut` (null: a
   * bare yield) takes a pending cancellation and throws a `CancelledError`
   * into the task's code instead of `fut`'s outcome. Both kinds of task
   * resume through here: an `async` task from its Waiter (`future.ts`), a
   * generator task in `#coroWake`. (A cancellation that cancelled `fut`
   * itself arrives as `fut`'s own CancelledError on the same resume.)
   *
   * When `fut` already ends in a CancelledError (it was cancelled, or it is
   * a gather that failed with one), that error goes in and the request is
   * only taken, as in `__step`'s `if not isinstance(exc, CancelledError):
   * exc = self._make_cancelled_error()`: the task sees the first
   * cancellation's message, not a later `cancel(msg)`'s.
   * @returns the error to throw in, or null to resume with `fut`'s outcome.
   */
  _deliverCancel(fut: Future<unknown> | null): CancelledError | null {
    if (!TaskClass.#takeCancel(this)) return null;
    if (fut !== null && endsInCancelledError(fut)) return null;
    return TaskClass.#makeCancelledError(this);
  }

  /**
   * @internal The task has just suspended on `_futWaiter`: a pending
   * cancellation cancels it (asyncio `Task.__step`: `if self._must_cancel:
   * if self._fut_waiter.cancel(msg=…)`); its CancelledError then wakes the
   * task. When it cannot be cancelled the request stays pending.
   */
  _cancelAwaited(): void {
    const cold = TaskClass.#cold(this);
    if (cold?.mustCancel === true && this._futWaiter?.cancel(cold.cancelMessage)) {
      cold.mustCancel = false;
    }
  }

  /**
   * Ends the task cancelled when a cancellation is pending: before its first
   * step (the function never runs) or right after its code returned (asyncio
   * does the same). @returns whether it did.
   */
  static #endCancelled(task: Task<unknown>): boolean {
    if (!TaskClass.#takeCancel(task)) return false;
    internals.cancelFuture(task, TaskClass.#cold(task)?.cancelMessage);
    return true;
  }

  /**
   * The step epilogue of both kinds of task (asyncio `Task.__step`'s
   * `StopIteration` and `except` branches): the task's code returned `value`
   * (ok) or threw it.
   */
  static #complete(task: Task<unknown>, ok: boolean, value: unknown): void {
    if (task.done()) return;
    if (ok) {
      if (!TaskClass.#endCancelled(task)) internals.finish(task as Task<unknown>, value);
    } else if (isCancelledError(value)) {
      TaskClass.#takeCancel(task); // the code let the CancelledError out: nothing is pending any more
      internals.cancelFuture(task as Task<unknown>, value.message || undefined, value);
    } else {
      internals.fail(task as Task<unknown>, value);
    }
  }

  static #makeCancelledError(task: Task<unknown>): CancelledError {
    // `new CancelledError(undefined)` is `new CancelledError()`: no message.
    return new CancelledError(TaskClass.#cold(task)?.cancelMessage);
  }

  // ----- async tasks ----------------------------------------------------------

  /** The first step of an `async` task: run the function (asyncio `Task.__step` with nothing sent). */
  static #firstStep(task: Task<unknown>): void {
    const scope = task.#scope;
    if (scope === null || task.done()) return;
    task.#scope = null;
    if (TaskClass.#endCancelled(task)) return;
    if (rt.instruments.length !== 0) for (const i of rt.instruments) i.taskStep?.(task);
    const prevTask = rt.task;
    rt.task = task;
    let result: unknown;
    try {
      result = scope.runInAsyncScope(enterTask, null, task, scope.fn);
    } catch (err) {
      rt.task = prevTask;
      scope.emitDestroy();
      task._settle(false, err);
      return;
    }
    rt.task = prevTask;
    scope.emitDestroy();
    if (result === PENDING_RESULT) {
      // The step goes on in promise jobs until the function awaits an @aio
      // awaitable or settles; the loop waits for that before its next callback.
      stepStarted(task);
    } else if (result instanceof TaskScope) {
      // The function returned a generator (its scope says so): the task drives it from now on.
      task.#scope = result;
      TaskClass.#coroStep(task, result, false, undefined, false); // taskStep was reported above
    } else {
      task._settle(true, result);
    }
  }

  /** @internal The function's promise settled (see `callInTask`), or its first step ended it. */
  _settle(ok: boolean, value: unknown): void {
    TaskClass.#complete(this, ok, value);
    stepEnded(this, true);
  }

  /** @internal A future this task awaits woke it up: a step begins (its Waiter then calls `_deliverCancel`). */
  _wakeup(future: Future<unknown>): void {
    if (this._futWaiter === future) this._futWaiter = null;
    if (rt.instruments.length !== 0) for (const i of rt.instruments) i.taskStep?.(this);
    stepStarted(this);
  }

  // ----- generator tasks ------------------------------------------------------
  //
  // A task whose function is a generator (`function*`) runs asyncio's own
  // coroutine protocol: each step is one `gen.next(value)` / `gen.throw(err)`,
  // synchronous inside the loop callback that runs it, and the generator
  // suspends by yielding the future it waits for (`yield* fut` yields it while
  // it is pending, see `Future[Symbol.iterator]`). The task is that future's
  // done callback and its own ready item, so a suspension allocates nothing,
  // no promise job is involved, and no `AsyncLocalStorage` lookup is needed to
  // know whose await it is: a yield can only be the task's own.

  /** asyncio `Task.__wakeup` + the start of `__step`: resume from `_futWaiter` (or a bare yield). */
  static #coroWake(task: Task<unknown>): void {
    const scope = task.#scope;
    if (scope === null || task.done()) return;
    const fut = task._futWaiter;
    task._futWaiter = null;
    // Cancelled before its first step: the generator is never made.
    if (scope.gen === null && TaskClass.#endCancelled(task)) return;
    const cancel = task._deliverCancel(fut);
    if (cancel !== null) TaskClass.#coroStep(task, scope, true, cancel);
    else if (fut === null) TaskClass.#coroStep(task, scope, false, undefined);
    else if (internals.hasException(fut))
      TaskClass.#coroStep(task, scope, true, internals.rejection(fut));
    else TaskClass.#coroStep(task, scope, false, fut.result());
  }

  /** One step of a generator task, in the task's context and as the current task. */
  static #coroStep(
    task: Task<unknown>,
    scope: TaskScope,
    isErr: boolean,
    value: unknown,
    announce = true,
  ): void {
    if (announce && rt.instruments.length !== 0) for (const i of rt.instruments) i.taskStep?.(task);
    const prevTask = rt.task;
    const prevGenTask = rt.genTask;
    rt.task = rt.genTask = task;
    try {
      scope.runInAsyncScope(TaskClass.#coroResume, null, task, scope, isErr, value);
    } finally {
      rt.task = prevTask;
      rt.genTask = prevGenTask;
    }
    if (rt.instruments.length !== 0)
      for (const i of rt.instruments) i.taskStepEnd?.(task, task._futWaiter);
  }

  /** asyncio `Task.__step` for a generator: send or throw, then act on what it yields. */
  static #coroResume(task: Task<unknown>, scope: TaskScope, isErr: boolean, value: unknown): void {
    let r: IteratorResult<unknown, unknown>;
    try {
      let gen = scope.gen;
      if (gen === null) {
        // Called without a receiver, as an async task's function is: the
        // generator sees no internal `task`, and its frames carry its own name.
        const fn = scope.fn;
        const made = fn();
        if (!isGenerator(made)) {
          // Only a generator function reaches here, and it always makes a generator.
          throw new TypeError(`createTask() fn returned ${describe(made)}, not a generator`);
        }
        scope.gen = gen = made;
      }
      r = isErr ? gen.throw(value) : gen.next(value);
    } catch (err) {
      TaskClass.#complete(task, false, err);
      return;
    }
    if (r.done === true) TaskClass.#complete(task, true, r.value);
    else TaskClass.#coroSuspend(task, r.value);
  }

  /** The generator yielded `yielded`: wait for it (asyncio's `_asyncio_future_blocking` branch). */
  static #coroSuspend(task: Task<unknown>, yielded: unknown): void {
    const loop = task.getLoop();
    let fut: Future<unknown>;
    if (yielded instanceof Future) {
      if (yielded === (task as Task<unknown>)) {
        TaskClass.#coroThrowSoon(
          task,
          new RuntimeError(`Task cannot await on itself: ${task.toString()}`),
        );
        return;
      }
      if (yielded.getLoop() !== loop) {
        TaskClass.#coroThrowSoon(task, TaskClass.#otherLoopError(task, yielded));
        return;
      }
      fut = yielded;
    } else if (yielded === undefined) {
      // A bare `yield`: one loop iteration, like asyncio's bare yield in `sleep(0)`.
      internals.scheduleItem(loop, task);
      return;
    } else if (isFuture(yielded)) {
      TaskClass.#coroSuspendForeign(task, yielded);
      return;
    } else if (isThenable(yielded)) {
      // A promise: follow it through a Future, which the task's cancellation
      // can cancel at once.
      fut = new Future({ loop });
      const adopted = fut;
      try {
        yielded.then(
          (v) => {
            if (!adopted.done()) internals.finish(adopted, v);
          },
          (e) => {
            if (!adopted.done()) internals.fail(adopted, e);
          },
        );
      } catch (err) {
        TaskClass.#coroThrowSoon(task, err);
        return;
      }
    } else {
      TaskClass.#coroThrowSoon(
        task,
        new RuntimeError(
          `Task got bad yield: ${describe(yielded)} (use yield* with a Future, or yield a promise)`,
        ),
      );
      return;
    }
    task._futWaiter = fut;
    internals.addWaker(fut, task);
    task._cancelAwaited();
  }

  /**
   * The generator yielded a Future of another copy of @aio/futures (`isFuture()`
   * but not `instanceof`; its `then()` would refuse a generator task). The task
   * waits on it as on its own (it is `_futWaiter`, which `cancel()` cancels),
   * through its public API: its state is in that copy's private fields.
   */
  static #coroSuspendForeign(task: Task<unknown>, fut: Future<unknown>): void {
    if (fut.getLoop() !== task.getLoop()) {
      TaskClass.#coroThrowSoon(task, TaskClass.#otherLoopError(task, fut));
      return;
    }
    task._futWaiter = fut;
    fut.addDoneCallback(() => TaskClass.#coroWakeForeign(task, fut));
    task._cancelAwaited();
  }

  /** `#coroWake` for a Future of another copy: its outcome through `result()`. */
  static #coroWakeForeign(task: Task<unknown>, fut: Future<unknown>): void {
    const scope = task.#scope;
    if (scope === null || task.done()) return;
    task._futWaiter = null;
    let isErr = true;
    let value: unknown = task._deliverCancel(fut);
    if (value === null) {
      try {
        value = fut.result();
        isErr = false;
      } catch (err) {
        value = err; // its exception, or its CancelledError (asyncio `_make_cancelled_error()`)
      }
    }
    TaskClass.#coroStep(task, scope, isErr, value);
  }

  /** asyncio `Task.__step`'s error for a future of another loop. */
  static #otherLoopError(task: Task<unknown>, fut: Future<unknown>): RuntimeError {
    return new RuntimeError(
      `Task ${task.toString()} got Future ${fut.toString()} attached to a different loop`,
    );
  }

  /** Throws `err` into the generator at the next loop iteration (asyncio `call_soon(__step, exc)`). */
  static #coroThrowSoon(task: Task<unknown>, err: unknown): void {
    const fut = new Future<unknown>({ loop: task.getLoop() });
    internals.fail(fut, err);
    task._futWaiter = fut;
    internals.addWaker(fut, task);
  }

  /** @internal */
  override _onDone(): void {
    if (this.#scope !== null) {
      // Cancelled before its first step, or a generator task's scope.
      this.#scope.emitDestroy();
      this.#scope = null;
    }
    this._futWaiter = null;
    // Done once: unlink from the loop's list of pending tasks.
    if (this._prev !== null) this._prev._next = this._next;
    else tasksOf<Task<unknown>>(this.getLoop()).head = this._next;
    if (this._next !== null) this._next._prev = this._prev;
    this._prev = this._next = null;
    if (rt.instruments.length !== 0) for (const i of rt.instruments) i.taskDone?.(this);
  }

  /**
   * Requests cancellation (asyncio `Task.cancel`): the task's `signal` aborts
   * at once, and `CancelledError(msg)` is thrown into the task's code at the
   * \@aio `await` it is suspended on (or its next one). The task may catch it,
   * clean up and re-throw, or suppress it.
   * @param msg - the message of the `CancelledError`.
   * @returns false when the task is already done.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { createTask, sleep } from "@aio/futures";
   * await run(async () => {
   *   const t = createTask(() => sleep(1000));
   *   await sleep(0);
   *   console.log(t.cancel(), t.cancelling()); // true 1
   * });
   * ```
   */
  override cancel(msg?: string): boolean {
    if (this.done()) return false;
    const cold = TaskClass.#coldFields(this);
    cold.numCancelsRequested++;
    const abort = cold.abort;
    if (abort instanceof AbortController) abort.abort(new CancelledError(msg));
    else if (abort === null) cold.abort = new CancelledError(msg);
    // Delivered by `_deliverCancel` (the step that resumes the task), or as
    // the CancelledError of the future it awaits, cancelled here.
    cold.mustCancel = true;
    cold.cancelMessage = msg;
    this._cancelAwaited();
    return true;
  }

  /**
   * How many cancellation requests are pending (asyncio 3.11 `cancelling()`).
   * @returns the count.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { currentTask } from "@aio/futures";
   * await run(async () => { console.log(currentTask()!.cancelling()); }); // 0
   * ```
   */
  cancelling(): number {
    return TaskClass.#cold(this)?.numCancelsRequested ?? 0;
  }

  /**
   * Decrements the pending cancellation requests (asyncio 3.11
   * `uncancel()`); when they reach zero, a cancellation not yet delivered is
   * withdrawn.
   * @returns the remaining count.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { currentTask } from "@aio/futures";
   * await run(async () => { const t = currentTask()!; t.cancel(); console.log(t.uncancel()); }); // 0
   * ```
   */
  uncancel(): number {
    const cold = TaskClass.#cold(this);
    if (cold === null) return 0;
    if (cold.numCancelsRequested > 0) {
      cold.numCancelsRequested--;
      if (cold.numCancelsRequested === 0) cold.mustCancel = false; // withdrawn
    }
    return cold.numCancelsRequested;
  }

  /**
   * Aborted, with the `CancelledError` as reason, the moment the task is
   * cancelled. Pass it to foreign APIs (`fetch(url, { signal: task.signal })`)
   * so they stop too. It stays aborted after `uncancel()`.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { currentTask } from "@aio/futures";
   * await run(async () => {
   *   const res = await fetch("http://127.0.0.1:8080/", { signal: currentTask()!.signal }).catch(() => null);
   * });
   * ```
   */
  get signal(): AbortSignal {
    const cold = TaskClass.#coldFields(this);
    let abort = cold.abort;
    if (!(abort instanceof AbortController)) {
      const controller = new AbortController();
      if (abort !== null) controller.abort(abort);
      cold.abort = abort = controller;
    }
    return abort.signal;
  }

  /**
   * The task's name.
   * @returns the name (default `Task-N`).
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { createTask } from "@aio/futures";
   * await run(async () => { console.log(createTask(async () => {}, { name: "w" }).getName()); }); // "w"
   * ```
   */
  getName(): string {
    const meta = this.#meta;
    const name = typeof meta === "object" ? meta.name : meta;
    return typeof name === "number" ? `Task-${name}` : name;
  }

  /**
   * Renames the task.
   * @param name - the new name (converted to a string).
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { currentTask } from "@aio/futures";
   * await run(async () => { currentTask()!.setName("main"); });
   * ```
   */
  setName(name: string): void {
    const meta = this.#meta;
    if (typeof meta === "object") meta.name = String(name);
    else this.#meta = String(name);
  }

  /**
   * Tasks cannot be given a result from outside.
   * @throws {RuntimeError} always.
   * @example
   * ```ts
   * // task.setResult(1) throws RuntimeError("Task does not support setResult()")
   * ```
   */
  override setResult(_value: T): never {
    throw new RuntimeError("Task does not support setResult()");
  }

  /**
   * Tasks cannot be given an exception from outside.
   * @throws {RuntimeError} always.
   * @example
   * ```ts
   * // task.setException(e) throws RuntimeError("Task does not support setException()")
   * ```
   */
  override setException(_exception: unknown): never {
    throw new RuntimeError("Task does not support setException()");
  }

  /**
   * The stack where the task was created, as lines, when the loop was in
   * debug mode at that moment; otherwise empty. (A suspended native `async`
   * function exposes no frames, so asyncio's per-await frames are not
   * available.)
   * @returns stack lines.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { currentTask } from "@aio/futures";
   * await run(async () => { console.log(currentTask()!.getStack()); }, { debug: true });
   * ```
   */
  getStack(): string[] {
    const stack = TaskClass.#cold(this)?.created?.stack;
    if (stack === undefined) return [];
    return stack
      .split("\n")
      .slice(1)
      .map((line) => line.trim());
  }

  /** @internal */
  override _reprInfo(): string[] {
    const info = super._reprInfo();
    if (!this.done() && TaskClass.#cold(this)?.mustCancel === true) info[0] = "cancelling";
    info.splice(1, 0, `name='${this.getName()}'`);
    if (this._futWaiter !== null) info.push(`wait_for=${this._futWaiter.toString()}`);
    return info;
  }
}

Object.defineProperty(Task.prototype, kTaskBrand, { value: true });
// A task waiting for its first step sits in the loop's ready queue as it is:
// the loop runs `_callback(item)` when `_args` is SELF (prototype properties,
// so a task carries no extra field; the repr of the item is the task's).
Object.defineProperties(Task.prototype, {
  _callback: { value: startTask },
  _args: { value: SELF },
});
