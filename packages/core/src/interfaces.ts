/**
 * The interfaces every \@aio package programs against (asyncio events.py).
 * Implementations live elsewhere: the loop in `@aio/loop`, futures and tasks
 * in `@aio/futures`, executors in `@aio/executors`.
 */

/**
 * A callback scheduled on a loop by `callSoon` (asyncio `Handle`).
 *
 * @example
 * ```ts
 * import { getRunningLoop } from "@aio/core";
 * const handle = getRunningLoop().callSoon(() => console.log("never runs"));
 * handle.cancel();
 * ```
 */
export interface Handle {
  /** Cancels the callback; it will not run. Cancelling twice is a no-op. */
  cancel(): void;
  /** True once {@link Handle.cancel} was called. */
  cancelled(): boolean;
}

/**
 * A callback scheduled for a time by `callLater`/`callAt` (asyncio `TimerHandle`).
 *
 * @example
 * ```ts
 * import { getRunningLoop } from "@aio/core";
 * const loop = getRunningLoop();
 * const timer = loop.callLater(50, () => console.log("50 ms later"));
 * console.log(timer.when() - loop.time()); // about 50
 * ```
 */
export interface TimerHandle extends Handle {
  /** The loop time (ms, see `EventLoop.time()`) at which the callback runs. */
  when(): number;
}

/**
 * The context passed to an exception handler (asyncio's context dict).
 * `message` is always present; the other fields where they apply.
 *
 * @example
 * ```ts
 * import type { ExceptionContext } from "@aio/core";
 * const ctx: ExceptionContext = { message: "Exception in callback", exception: new Error("boom") };
 * ```
 */
export interface ExceptionContext {
  /** What happened, e.g. "Exception in callback f()" or "Task exception was never retrieved". */
  message: string;
  /** The error, when there is one. */
  exception?: unknown;
  /** The handle whose callback threw. */
  handle?: Handle;
  /** The future concerned. */
  future?: FutureLike<unknown>;
  /** The task concerned. */
  task?: TaskLike<unknown>;
  /** Where the object was created, when debug mode recorded it. */
  sourceTraceback?: string;
  /** Implementation-specific extra fields. */
  [key: string]: unknown;
}

/**
 * A loop's exception handler, called with the loop and the context
 * (asyncio `loop.set_exception_handler`).
 *
 * @example
 * ```ts
 * import type { ExceptionHandler } from "@aio/core";
 * const handler: ExceptionHandler = (_loop, ctx) => console.error("aio:", ctx.message, ctx.exception);
 * ```
 */
export type ExceptionHandler = (loop: EventLoop, context: ExceptionContext) => void;

/**
 * The asyncio Future surface, as the loop hands it out from `createFuture()`.
 * `@aio/futures` implements it; awaiting one is `await fut`.
 *
 * @example
 * ```ts
 * import { getRunningLoop } from "@aio/core";
 * const fut = getRunningLoop().createFuture<number>();
 * setTimeout(() => fut.setResult(42), 10);
 * console.log(await fut); // 42
 * ```
 */
export interface FutureLike<T> extends PromiseLike<T> {
  /** True when done: a result, an exception, or cancelled. */
  done(): boolean;
  /** True when cancelled. */
  cancelled(): boolean;
  /** The result; throws the exception, `CancelledError` or `InvalidStateError`. */
  result(): T;
  /** The exception (or `undefined`); throws `CancelledError` or `InvalidStateError`. */
  exception(): unknown;
  /** Marks the future done with a result. */
  setResult(value: T): void;
  /** Marks the future done with an exception. */
  setException(exception: unknown): void;
  /** Cancels the future; false when it was already done. */
  cancel(msg?: string): boolean;
  /** Calls `cb(future)` through the loop once the future is done. */
  addDoneCallback(cb: (future: this) => void): void;
  /** Removes every registration of `cb`; returns how many were removed. */
  removeDoneCallback(cb: (future: this) => void): number;
  /** The loop the future belongs to. */
  getLoop(): EventLoop;
}

/**
 * The asyncio Task surface: a Future that runs a function on the loop.
 *
 * @example
 * ```ts
 * import { getRunningLoop } from "@aio/core";
 * const task = getRunningLoop().createTask(async () => 1, { name: "one" });
 * console.log(task.getName(), await task); // "one" 1
 * ```
 */
export interface TaskLike<T> extends FutureLike<T> {
  /** The task's name (default `Task-N`). */
  getName(): string;
  /** Renames the task. */
  setName(name: string): void;
  /** How many cancellation requests are pending (asyncio 3.11). */
  cancelling(): number;
  /** Decrements the pending cancellation requests; returns the new count. */
  uncancel(): number;
  /** Aborted, with the `CancelledError` as reason, when the task is cancelled. */
  readonly signal: AbortSignal;
}

/**
 * Options accepted by `createTask`.
 *
 * @example
 * ```ts
 * import type { TaskOptions } from "@aio/core";
 * const opts: TaskOptions = { name: "worker-1", eagerStart: true };
 * ```
 */
export interface TaskOptions {
  /** The task's name; default `Task-N`. */
  name?: string;
  /** Run the first step synchronously inside `createTask` (asyncio 3.12 eager tasks). */
  eagerStart?: boolean;
  /**
   * Any other option reaches the loop's task factory as it is (asyncio 3.14:
   * `create_task(coro, **kwargs)`), e.g. for a custom Task class made by
   * `createEagerTaskFactory`. Plain tasks ignore what they do not know.
   */
  [option: string]: unknown;
}

/**
 * Makes the tasks of a loop (asyncio `loop.set_task_factory`).
 *
 * @example
 * ```ts
 * import type { TaskFactory } from "@aio/core";
 * import { eagerTaskFactory } from "@aio/futures";
 * const factory: TaskFactory = eagerTaskFactory;
 * ```
 */
export type TaskFactory = <T>(
  loop: EventLoop,
  fn: () => T | PromiseLike<T>,
  options?: TaskOptions,
) => TaskLike<Awaited<T>>;

/**
 * Something that runs functions away from the loop: a thread or process pool
 * (asyncio's `concurrent.futures.Executor`, used by `runInExecutor`).
 *
 * @example
 * ```ts
 * import type { Executor } from "@aio/core";
 * const inline: Executor = {
 *   submit: (fn, ...args) => Promise.resolve().then(() => fn(...args)),
 *   shutdown: async () => {},
 * };
 * ```
 */
export interface Executor {
  /** Schedules `fn(...args)`; the result settles with its outcome. */
  submit<A extends unknown[], R>(
    fn: (...args: A) => R | PromiseLike<R>,
    ...args: A
  ): PromiseLike<R | Awaited<R>>;
  /** Stops accepting work; with `wait` (default true) resolves when all work is finished. */
  shutdown(options?: { wait?: boolean; cancelFutures?: boolean }): Promise<void>;
}

/**
 * The event loop (asyncio `AbstractEventLoop`). Times and durations are in
 * milliseconds.
 *
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { getRunningLoop } from "@aio/core";
 * await run(async () => {
 *   const loop = getRunningLoop();
 *   loop.callSoon(() => console.log("soon"));
 *   loop.callLater(10, () => console.log("later"));
 * });
 * ```
 */
export interface EventLoop {
  /** Schedules `cb(...args)` for the next loop iteration, in FIFO order. */
  callSoon<A extends unknown[]>(cb: (...args: A) => unknown, ...args: A): Handle;
  /** Schedules `cb(...args)` to run after `delay` ms (negative: as soon as possible). */
  callLater<A extends unknown[]>(
    delay: number,
    cb: (...args: A) => unknown,
    ...args: A
  ): TimerHandle;
  /** Schedules `cb(...args)` to run at loop time `when`. */
  callAt<A extends unknown[]>(when: number, cb: (...args: A) => unknown, ...args: A): TimerHandle;
  /** The loop's monotonic clock, in milliseconds. */
  time(): number;
  /** Makes a Future bound to this loop. */
  createFuture<T>(): FutureLike<T>;
  /** Runs `fn` in a new Task on this loop. */
  createTask<T>(fn: () => T | PromiseLike<T>, options?: TaskOptions): TaskLike<Awaited<T>>;
  /** Sets the factory `createTask` uses; `null` restores the default. */
  setTaskFactory(factory: TaskFactory | null): void;
  /** The factory set by `setTaskFactory`, or `null`. */
  getTaskFactory(): TaskFactory | null;
  /** Runs the loop until `fnOrAwaitable` completes; resolves to its result. */
  runUntilComplete<T>(
    fnOrAwaitable: (() => T | PromiseLike<T>) | PromiseLike<T>,
  ): Promise<Awaited<T>>;
  /** Runs the loop until `stop()` is called. */
  runForever(): Promise<void>;
  /** Stops the loop after the current iteration. */
  stop(): void;
  /** Closes the loop; it cannot run again. */
  close(): void;
  /** True while `runForever`/`runUntilComplete` is active. */
  isRunning(): boolean;
  /** True once closed. */
  isClosed(): boolean;
  /** Debug mode on or off. */
  getDebug(): boolean;
  /** Switches debug mode. */
  setDebug(enabled: boolean): void;
  /** In debug mode, callbacks running longer than this (ms) are reported. Default 100. */
  slowCallbackDuration: number;
  /** Sets the exception handler; `null` restores the default. */
  setExceptionHandler(handler: ExceptionHandler | null): void;
  /** The handler set by `setExceptionHandler`, or `null`. */
  getExceptionHandler(): ExceptionHandler | null;
  /** Calls the current exception handler with `context`. */
  callExceptionHandler(context: ExceptionContext): void;
  /** The default exception handler: logs `context` to stderr. */
  defaultExceptionHandler(context: ExceptionContext): void;
  /** Runs `fn(...args)` in `executor` (null: the default executor); a Future of its result. */
  runInExecutor<A extends unknown[], R>(
    executor: Executor | null,
    fn: (...args: A) => R | PromiseLike<R>,
    ...args: A
  ): FutureLike<Awaited<R>>;
  /** Sets the executor `runInExecutor(null, …)` uses. */
  setDefaultExecutor(executor: Executor | null): void;
  /** Shuts the default executor down and waits for it, at most `timeout` ms (null: no limit). */
  shutdownDefaultExecutor(timeout?: number | null): Promise<void>;
  /** Runs `cb(...args)` on the loop when the process receives `sig` (asyncio `add_signal_handler`). */
  addSignalHandler<A extends unknown[]>(
    sig: string | number,
    cb: (...args: A) => unknown,
    ...args: A
  ): void;
  /** Removes the handler for `sig`; false when there was none. */
  removeSignalHandler(sig: string | number): boolean;
  /** Closes the async generators created while the loop ran. */
  shutdownAsyncgens(): Promise<void>;
}

/**
 * Hooks a debug tool can register (see `addInstrument`). The loop and tasks
 * call them only when at least one instrument is registered, so with none the
 * cost is one branch.
 *
 * @example
 * ```ts
 * import { addInstrument, type Instrument } from "@aio/core";
 * const log: Instrument = { taskDone: (task) => console.log("done:", task.getName()) };
 * addInstrument(log);
 * ```
 */
export interface Instrument {
  /** A loop is about to run a callback. */
  callbackStart?(loop: EventLoop, handle: Handle): void;
  /** A loop finished running a callback that took `durationMs`. */
  callbackEnd?(loop: EventLoop, handle: Handle, durationMs: number): void;
  /** A task was created. */
  taskCreated?(task: TaskLike<unknown>): void;
  /** A task is about to run a step. */
  taskStep?(task: TaskLike<unknown>): void;
  /** A task's step ended: it awaits again (`awaiting` is what it awaits, if an \@aio future) or it finished. */
  taskStepEnd?(task: TaskLike<unknown>, awaiting: FutureLike<unknown> | null): void;
  /** A task finished. */
  taskDone?(task: TaskLike<unknown>): void;
  /** A loop started running (`runForever`/`runUntilComplete`). */
  loopStarted?(loop: EventLoop): void;
  /** A loop stopped running. */
  loopStopped?(loop: EventLoop): void;
  /** A loop is closing (`close()`, before pending tasks and unretrieved errors are reported). */
  loopClosing?(loop: EventLoop): void;
  /**
   * A resource that must be closed — a stream writer, a server, an executor —
   * was opened (see `_resourceOpened`), while `loop` ran (or outside any
   * loop: null). `close`, when given, closes it. Returns what the resource
   * calls once it is closed.
   */
  resourceOpened?(
    resource: object,
    kind: string,
    loop: EventLoop | null,
    close: (() => unknown) | undefined,
  ): (() => void) | undefined;
}
