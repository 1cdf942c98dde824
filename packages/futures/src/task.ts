import {
  _ContextScope,
  _contextPropagates,
  _currentTask,
  CancelledError,
  type EventLoop,
  getRunningLoop,
  getRuntime,
  isCancelledError,
  RuntimeError,
  type TaskLike,
  type TaskOptions,
} from "@aio/core";
import { Future, internals, kTaskBrand, stepEnded, stepStarted } from "./future.js";
import { kScheduleItem, SELF, type StepAwareLoop } from "./internal/protocol.js";
import { runningLoop } from "./internal/running-loop.js";
import { describe, GeneratorFunctionPrototype, isGenerator } from "./internal/util.js";

const rt = getRuntime();

/**
 * A task's function and the async context it was created in (asyncio copies
 * the creator's `contextvars` context into each task). The resource keeps
 * the creator's `AsyncLocalStorage` stores; the first step enters it, adds
 * the task under `taskContext`, and leaves it without allocating a context
 * to return to (as `AsyncLocalStorage.run()` would). On a host without
 * async hooks (a browser) it is the synchronous stand-in of `@aio/core`.
 */
class TaskStart extends _ContextScope {
  /**
   * A generator task's generator, once its first step made it. Such a task
   * keeps its TaskStart until it is done: every step runs in its context.
   */
  gen: Generator<unknown, unknown, unknown> | null = null;

  constructor(readonly fn: () => unknown) {
    super("aio.Task", { requireManualDestroy: true });
  }
}

function newTaskStart(fn: () => unknown): TaskStart {
  return new TaskStart(fn);
}

let taskCounter = 0;

/**
 * Pending tasks of each loop. The loop keeps them alive (strong references)
 * until they finish, so a task nobody references still runs to completion —
 * asyncio's "keep a reference to your background task" pitfall cannot happen.
 */
const pendingTasks = new WeakMap<EventLoop, TaskList>();

/**
 * The pending tasks of one loop as an intrusive doubly linked list (the
 * links live on the tasks): O(1) add and remove with no hash table to
 * rehash as thousands of tasks come and go.
 */
interface TaskList {
  head: Task<unknown> | null;
}

function tasksOf(loop: EventLoop): TaskList {
  let list = pendingTasks.get(loop);
  if (list === undefined) pendingTasks.set(loop, (list = { head: null }));
  return list;
}

function startTask(task: Task<unknown>): void {
  task._run();
}

/** Runs inside the creator's context (see `TaskStart`): the task's first step. */
function enterTask(task: Task<unknown>, fn: () => unknown): unknown {
  rt.taskContext.enterWith(task);
  return callInTask(fn);
}

/** What `callInTask` returns when the function's result is pending: its settlement is followed. */
const PENDING_RESULT: unique symbol = Symbol("pending result");

/**
 * Calls the task's function inside the task's context. When it returns a
 * thenable, the task follows it with two module-level reactions registered
 * here, inside the task's context, so they find their task with
 * `taskContext.getStore()` — no closures per task. A foreign thenable (e.g. a
 * Future from a non-async function) is adopted here too, so its `then()` runs
 * in the task's context and counts as the task's await.
 */
function callInTask(fn: () => unknown): unknown {
  const result = fn();
  if (!isThenable(result)) {
    if (!isGenerator(result)) return result;
    // A generator: the task drives it (see Task). Its steps run in the
    // context this resource captures: the creator's, with the task entered.
    const scope = new TaskStart(fn);
    scope.gen = result;
    return scope;
  }
  const promise = result instanceof Promise ? result : Promise.resolve(result);
  if (_contextPropagates) promise.then(onTaskFulfilled, onTaskRejected);
  else {
    // No async context to find the task in (a browser): the reactions carry it.
    const task = rt.task as Task<unknown>;
    promise.then(
      (value) => task._settle(true, value),
      (err) => task._settle(false, err),
    );
  }
  return PENDING_RESULT;
}

function onTaskFulfilled(value: unknown): void {
  (rt.taskContext.getStore() as Task<unknown>)._settle(true, value);
}

function onTaskRejected(err: unknown): void {
  (rt.taskContext.getStore() as Task<unknown>)._settle(false, err);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
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
 * An asyncio Task: runs an `async` function on the loop, as a Future of its
 * result, with real cancellation.
 *
 * Invariant (asyncio tasks.py): while the task is not done, it is either
 * scheduled to run a step, running a step, or suspended on exactly one
 * awaitable — `_futWaiter`, when that is an \@aio Future, else a foreign
 * promise. `cancel()` cancels `_futWaiter` (the `await` then throws
 * `CancelledError`) or, when there is none, records the request
 * (`_mustCancel`) and delivers it at the next \@aio await. `task.signal` is
 * aborted synchronously in `cancel()` either way, so foreign APIs (`fetch`)
 * can stop at once.
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
  /** Until the first step: the function, in the context it was created in. */
  #start: TaskStart | null;
  /** The name, or the N of the default name `Task-N` (made into a string on demand). */
  #name: string | number;
  #numCancelsRequested = 0;
  /** The AbortController behind `signal` once read; before that, the reason it will abort with. */
  #abort: AbortController | CancelledError | null = null;
  #stack: string | undefined = undefined;
  /** @internal Links in the loop's list of pending tasks. */
  _list: TaskList | null = null;
  /** @internal */ _prev: Task<unknown> | null = null;
  /** @internal */ _next: Task<unknown> | null = null;
  /** @internal asyncio `_fut_waiter`. */
  _futWaiter: Future<unknown> | null = null;
  /** @internal asyncio `_must_cancel`. */
  _mustCancel = false;
  /** @internal asyncio `_cancel_message`. */
  _cancelMessage: string | undefined = undefined;
  /** @internal True when the task drives a generator (see the class comment). */
  _coro = false;

  /**
   * Prefer `createTask(fn)`; the constructor is for task factories.
   * @param fn - the function to run; its returned promise is the task's result.
   * @param options - `name`, `eagerStart`, `loop`.
   * @throws {TypeError} when `fn` is not a function.
   * @throws {RuntimeError} when the loop is closed, or no loop is given and none runs.
   */
  constructor(fn: () => T | PromiseLike<T>, options?: TaskConstructorOptions) {
    if (typeof fn !== "function") {
      throw new TypeError(`createTask() fn must be a function, received ${describe(fn)}`);
    }
    const loop = options?.loop ?? getRunningLoop();
    if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
    super({ loop });
    if (Object.getPrototypeOf(fn) === GeneratorFunctionPrototype) {
      // A generator task: its steps run in the creator's context with the task entered.
      this._coro = true;
      this.#start = rt.taskContext.run(this, newTaskStart, fn);
    } else {
      this.#start = new TaskStart(fn);
    }
    const name = options?.name;
    this.#name = name === undefined ? ++taskCounter : String(name);
    const list = tasksOf(loop);
    this._list = list;
    this._next = list.head;
    if (list.head !== null) list.head._prev = this as Task<unknown>;
    list.head = this as Task<unknown>;
    if (loop.getDebug()) this.#stack = new Error().stack;
    if (rt.instruments.length !== 0) for (const i of rt.instruments) i.taskCreated?.(this);
    if (options?.eagerStart === true) this._run();
    else {
      // The task is its own ready item (see below): no Handle, no args array.
      const scheduleItem = (loop as StepAwareLoop)[kScheduleItem];
      if (scheduleItem !== undefined) scheduleItem.call(loop, this);
      else loop.callSoon(startTask, this as Task<unknown>);
    }
  }

  /** @internal What the loop runs for a scheduled task: its first step, or a generator task's next one. */
  _run(): void {
    if (this._coro) this.#coroWake();
    else this._start();
  }

  /** @internal The first step: run the function (asyncio `Task.__step` with nothing sent). */
  _start(): void {
    const start = this.#start;
    if (start === null || this.done()) return;
    this.#start = null;
    if (this._mustCancel) {
      // Cancelled before its first step: the function never runs.
      this._mustCancel = false;
      internals.cancelFuture(this as Task<unknown>, this._cancelMessage);
      return;
    }
    if (rt.instruments.length !== 0) for (const i of rt.instruments) i.taskStep?.(this);
    const prevTask = rt.task;
    rt.task = this;
    let result: unknown;
    try {
      result = start.runInAsyncScope(enterTask, null, this, start.fn);
    } catch (err) {
      rt.task = prevTask;
      start.emitDestroy();
      this.#onRejected(err);
      return;
    }
    rt.task = prevTask;
    start.emitDestroy();
    if (result === PENDING_RESULT) {
      // The step goes on in promise jobs until the function awaits an @aio
      // awaitable or settles; the loop waits for that before its next callback.
      stepStarted(this);
    } else if (result instanceof TaskStart) {
      // The function returned a generator: the task drives it from now on.
      this._coro = true;
      this.#start = result;
      this.#coroStep(result, false, undefined, false); // taskStep was reported above
    } else {
      this.#onFulfilled(result);
    }
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
  #coroWake(): void {
    const start = this.#start;
    if (start === null || this.done()) return;
    const fut = this._futWaiter;
    this._futWaiter = null;
    let isErr = false;
    let value: unknown;
    if (this._mustCancel) {
      this._mustCancel = false;
      if (start.gen === null) {
        // Cancelled before its first step: the generator is never made.
        internals.cancelFuture(this as Task<unknown>, this._cancelMessage);
        return;
      }
      if (fut !== null && internals.hasException(fut) && !fut.cancelled()) fut.exception(); // seen
      isErr = true;
      value = this._makeCancelledError();
    } else if (fut !== null) {
      if (internals.hasException(fut)) {
        isErr = true;
        value = internals.rejection(fut);
      } else {
        value = fut.result();
      }
    }
    this.#coroStep(start, isErr, value);
  }

  /** One step of a generator task, in the task's context and as the current task. */
  #coroStep(start: TaskStart, isErr: boolean, value: unknown, announce = true): void {
    if (announce && rt.instruments.length !== 0) for (const i of rt.instruments) i.taskStep?.(this);
    const prevTask = rt.task;
    rt.task = this;
    try {
      start.runInAsyncScope(this.#coroResume, this, start, isErr, value);
    } finally {
      rt.task = prevTask;
    }
    if (rt.instruments.length !== 0)
      for (const i of rt.instruments) i.taskStepEnd?.(this, this._futWaiter);
  }

  /** asyncio `Task.__step` for a generator: send or throw, then act on what it yields. */
  #coroResume(start: TaskStart, isErr: boolean, value: unknown): void {
    let r: IteratorResult<unknown, unknown>;
    try {
      let gen = start.gen;
      if (gen === null) {
        const made = start.fn();
        if (!isGenerator(made)) {
          // Only a generator function reaches here, and it always makes a generator.
          throw new TypeError(`createTask() fn returned ${describe(made)}, not a generator`);
        }
        start.gen = gen = made;
      }
      r = isErr ? gen.throw(value) : gen.next(value);
    } catch (err) {
      if (isCancelledError(err)) {
        this._mustCancel = false;
        internals.cancelFuture(
          this as Task<unknown>,
          (err as Error).message || undefined,
          err as CancelledError,
        );
      } else {
        internals.fail(this as Task<unknown>, err);
      }
      return;
    }
    if (r.done === true) {
      if (this._mustCancel) {
        // Cancelled right before the generator returned (asyncio does the same).
        this._mustCancel = false;
        internals.cancelFuture(this as Task<unknown>, this._cancelMessage);
      } else {
        internals.finish(this as Task<unknown>, r.value);
      }
      return;
    }
    this.#coroSuspend(r.value);
  }

  /** The generator yielded `yielded`: wait for it (asyncio's `_asyncio_future_blocking` branch). */
  #coroSuspend(yielded: unknown): void {
    const loop = this.getLoop();
    let fut: Future<unknown>;
    if (yielded instanceof Future) {
      if (yielded === (this as Task<unknown>)) {
        this.#coroThrowSoon(new RuntimeError(`Task cannot await on itself: ${this.toString()}`));
        return;
      }
      if (yielded.getLoop() !== loop) {
        this.#coroThrowSoon(
          new RuntimeError(
            `Task ${this.toString()} got Future ${yielded.toString()} attached to a different loop`,
          ),
        );
        return;
      }
      fut = yielded;
    } else if (yielded === undefined) {
      // A bare `yield`: one loop iteration, like asyncio's bare yield in `sleep(0)`.
      internals.scheduleItem(loop, this);
      return;
    } else if (isThenable(yielded)) {
      // A promise (or a Future of another copy of this package): follow it
      // through a Future, which the task's cancellation can cancel at once.
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
        this.#coroThrowSoon(err);
        return;
      }
    } else {
      this.#coroThrowSoon(
        new RuntimeError(
          `Task got bad yield: ${describe(yielded)} (use yield* with a Future, or yield a promise)`,
        ),
      );
      return;
    }
    this._futWaiter = fut;
    internals.addWaker(fut, this);
    if (this._mustCancel && fut.cancel(this._cancelMessage)) this._mustCancel = false;
  }

  /** Throws `err` into the generator at the next loop iteration (asyncio `call_soon(__step, exc)`). */
  #coroThrowSoon(err: unknown): void {
    const fut = new Future<unknown>({ loop: this.getLoop() });
    internals.fail(fut, err);
    this._futWaiter = fut;
    internals.addWaker(fut, this);
  }

  /** @internal The function's promise settled (see `callInTask`). */
  _settle(ok: boolean, value: unknown): void {
    if (ok) this.#onFulfilled(value);
    else this.#onRejected(value);
  }

  #onFulfilled(value: unknown): void {
    if (!this.done()) {
      if (this._mustCancel) {
        // Cancelled right before the function returned (asyncio does the same).
        this._mustCancel = false;
        internals.cancelFuture(this as Task<unknown>, this._cancelMessage);
      } else {
        internals.finish(this as Task<unknown>, value);
      }
    }
    stepEnded(this, true);
  }

  #onRejected(err: unknown): void {
    if (!this.done()) {
      if (isCancelledError(err)) {
        this._mustCancel = false;
        internals.cancelFuture(this as Task<unknown>, (err as Error).message || undefined, err);
      } else {
        internals.fail(this as Task<unknown>, err);
      }
    }
    stepEnded(this, true);
  }

  /** @internal A future this task awaits woke it up: a step begins. */
  _wakeup(future: Future<unknown>): void {
    if (this._futWaiter === future) this._futWaiter = null;
    if (rt.instruments.length !== 0) for (const i of rt.instruments) i.taskStep?.(this);
    stepStarted(this);
  }

  /** @internal */
  _makeCancelledError(): CancelledError {
    const msg = this._cancelMessage;
    return msg === undefined ? new CancelledError() : new CancelledError(msg);
  }

  /** @internal */
  override _onDone(): void {
    if (this.#start !== null) {
      // Cancelled before its first step.
      this.#start.emitDestroy();
      this.#start = null;
    }
    this._futWaiter = null;
    const list = this._list;
    if (list !== null) {
      if (this._prev !== null) this._prev._next = this._next;
      else list.head = this._next;
      if (this._next !== null) this._next._prev = this._prev;
      this._list = this._prev = this._next = null;
    }
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
    this.#numCancelsRequested++;
    const abort = this.#abort;
    if (abort instanceof AbortController)
      abort.abort(msg === undefined ? new CancelledError() : new CancelledError(msg));
    else if (abort === null)
      this.#abort = msg === undefined ? new CancelledError() : new CancelledError(msg);
    const waiter = this._futWaiter;
    if (waiter?.cancel(msg)) {
      // The waiter's cancellation wakes this task with CancelledError.
      return true;
    }
    this._mustCancel = true;
    this._cancelMessage = msg;
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
    return this.#numCancelsRequested;
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
    if (this.#numCancelsRequested > 0) {
      this.#numCancelsRequested--;
      if (this.#numCancelsRequested === 0) this._mustCancel = false;
    }
    return this.#numCancelsRequested;
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
    let abort = this.#abort;
    if (!(abort instanceof AbortController)) {
      const controller = new AbortController();
      if (abort !== null) controller.abort(abort);
      this.#abort = abort = controller;
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
    const name = this.#name;
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
    this.#name = String(name);
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
    if (this.#stack === undefined) return [];
    return this.#stack
      .split("\n")
      .slice(1)
      .map((line) => line.trim());
  }

  /** @internal */
  override _reprInfo(): string[] {
    const info = super._reprInfo();
    if (!this.done() && this._mustCancel) info[0] = "cancelling";
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

/**
 * Runs `fn` in a new Task on the running loop (asyncio `create_task`). The
 * first step is scheduled with `callSoon`, unless `eagerStart` is set or the
 * loop's task factory says otherwise.
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
  if (typeof fn !== "function") {
    throw new TypeError(`createTask() fn must be a function, received ${describe(fn)}`);
  }
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
  const list = pendingTasks.get(loop ?? getRunningLoop());
  const tasks: Task<unknown>[] = [];
  for (let t = list?.head ?? null; t !== null; t = t._next) if (!t.done()) tasks.push(t);
  return new Set(tasks.reverse()); // in creation order
}

/**
 * A task factory that starts tasks eagerly (asyncio 3.12
 * `eager_task_factory`): the first step runs synchronously inside
 * `createTask`, and a task that finishes without suspending is never
 * scheduled. Install with `loop.setTaskFactory(eagerTaskFactory)`.
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
