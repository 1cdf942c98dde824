import {
  _checkFunction,
  _checkMs,
  _className,
  describeValue as describe,
  type EventLoop,
  type ExceptionContext,
  type ExceptionHandler,
  type Executor,
  type FutureLike,
  type Handle,
  RuntimeError,
  type TaskFactory,
  type TaskOptions,
} from "@aio/core";
import { type Coroutine, ensureFuture, Future, Task } from "@aio/futures";
import { formatContext } from "./internal/exception-context.js";
import { DefaultExecutor, isExecutor, submitTo } from "./internal/executors.js";
import { addSignal, checkSignal, removeSignal, type SignalHandlers } from "./internal/signals.js";

/**
 * What an event loop offers besides running callbacks: the exception handler,
 * signal handlers, executors and the registry of async generators (asyncio
 * `BaseEventLoop`'s and `_UnixSelectorEventLoop`'s methods that are not the
 * scheduler). {@link BaseEventLoop} extends it with the scheduler itself —
 * `callSoon`, timers, running and closing — which these methods use through
 * `callSoon()` and `isClosed()`.
 *
 * @example
 * ```ts
 * import { BaseEventLoop, EventLoopServices, newEventLoop } from "@aio/loop";
 * const loop = newEventLoop();
 * console.log(loop instanceof EventLoopServices, loop instanceof BaseEventLoop); // true true
 * ```
 */
export abstract class EventLoopServices {
  #exceptionHandler: ExceptionHandler | null = null;
  readonly #defaultExecutor = new DefaultExecutor();
  readonly #signalHandlers: SignalHandlers = new Map();
  readonly #asyncgens = new Set<AsyncGenerator<unknown, unknown, unknown>>();
  #taskFactory: TaskFactory | null = null;
  /** `{ loop: this }`, made once: the options of every Future and option-less Task this loop makes (read-only: both only read them). */
  #ownLoopOptions: { loop: EventLoop } | null = null;

  /** Schedules `cb(...args)` for the next loop iteration (see {@link BaseEventLoop.callSoon}). */
  abstract callSoon<A extends unknown[]>(cb: (...args: A) => unknown, ...args: A): Handle;
  /** True once closed (see {@link BaseEventLoop.isClosed}). */
  abstract isClosed(): boolean;
  /** True while running (see {@link BaseEventLoop.isRunning}). */
  abstract isRunning(): boolean;
  /** Whether debug mode is on (see {@link BaseEventLoop.getDebug}). */
  abstract getDebug(): boolean;
  /** Runs the loop until {@link BaseEventLoop.stop} is called (see {@link BaseEventLoop.runForever}). */
  abstract runForever(): Promise<void>;
  /** Stops the loop after the current iteration (see {@link BaseEventLoop.stop}). */
  abstract stop(): void;
  /** @internal Throws when the loop cannot run now (closed, running, or another loop runs). */
  protected abstract _checkCanRun(): void;

  /** @internal The loop closes: signal handlers are removed, the default executor shut down without waiting. */
  protected _closeServices(): void {
    // Deleting the current entry does not disturb a Map's iteration.
    for (const name of this.#signalHandlers.keys()) removeSignal(this.#signalHandlers, name);
    this.#defaultExecutor.close();
  }

  // ----- errors -------------------------------------------------------------

  /**
   * Sets the handler for errors the loop cannot give to anyone (asyncio
   * `set_exception_handler`); `null` restores the default (log to stderr).
   * @param handler - `(loop, context) => void`, or null.
   * @throws {TypeError} when `handler` is neither a function nor null.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop } from "@aio/core";
   * await run(() => {
   *   getRunningLoop().setExceptionHandler((_loop, ctx) => console.log("caught:", ctx.message));
   *   getRunningLoop().callSoon(() => { throw new Error("boom"); });
   * });
   * ```
   */
  setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null && typeof handler !== "function") {
      throw new TypeError(
        `setExceptionHandler() handler must be a function or null, received ${describe(handler)}`,
      );
    }
    this.#exceptionHandler = handler;
  }

  /**
   * The handler set by {@link BaseEventLoop.setExceptionHandler}.
   * @returns the handler or null.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * console.log(newEventLoop().getExceptionHandler()); // null
   * ```
   */
  getExceptionHandler(): ExceptionHandler | null {
    return this.#exceptionHandler;
  }

  /**
   * Calls the exception handler with `context` (asyncio
   * `call_exception_handler`). It never throws: when the handler throws, the
   * default handler logs `{ message: "Unhandled error in exception handler",
   * exception, context }` (`context` being the whole original context); when
   * the default handler itself throws (a subclass's override),
   * `Exception in default exception handler` and the error are written to
   * stderr, as asyncio logs them.
   * @param context - `{ message, exception?, handle?, future?, task? }`.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * newEventLoop().callExceptionHandler({ message: "something odd", exception: new Error("x") });
   * ```
   */
  callExceptionHandler(context: ExceptionContext): void {
    const handler = this.#exceptionHandler;
    let message = "Exception in default exception handler";
    try {
      if (handler === null) {
        this.defaultExceptionHandler(context);
        return;
      }
      try {
        handler(this as unknown as EventLoop, context);
      } catch (exception) {
        message += " while handling an unexpected error in custom exception handler";
        this.defaultExceptionHandler({
          message: "Unhandled error in exception handler",
          exception,
          context,
        });
      }
    } catch (exception) {
      // asyncio's second protection layer, for an overridden default handler.
      try {
        console.error(formatContext({ message, exception }));
      } catch {
        // stderr is gone; nothing more can be done.
      }
    }
  }

  /**
   * The default exception handler: logs the message, the other context
   * fields and the error's stack to stderr.
   * @param context - the context.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * newEventLoop().defaultExceptionHandler({ message: "Exception in callback f()", exception: new Error("x") });
   * ```
   */
  defaultExceptionHandler(context: ExceptionContext): void {
    try {
      console.error(formatContext(context));
    } catch {
      // stderr is gone; nothing more can be done.
    }
  }

  // ----- signals ------------------------------------------------------------

  /**
   * Runs `cb(...args)` on this loop each time the process receives `sig`
   * (asyncio `add_signal_handler`). The host's signal event only schedules
   * the callback (as `callSoon` does), so it always runs on the loop, between
   * two callbacks, never inside the signal event. One handler per signal:
   * adding another replaces it. While a handler is installed the signal's
   * default action (for SIGINT and SIGTERM: exit) does not happen; `run()`'s
   * own SIGINT handling steps aside for a SIGINT handler and comes back when
   * it is removed. Handlers are removed when the loop closes.
   * @param sig - a signal name (`"SIGTERM"`) or number (`15`).
   * @param cb - the callback.
   * @param args - its arguments.
   * @throws {TypeError} when `sig` is neither a string nor an integer, or `cb` is not a function.
   * @throws {ValueError} when `sig` is not a signal of this platform.
   * @throws {RuntimeError} `Event loop is closed`; SIGKILL or SIGSTOP (`sig 9 cannot be caught`);
   *   a runtime without process signals (browsers).
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop } from "@aio/core";
   * import { Event } from "@aio/sync";
   * await run(async () => {
   *   const stop = new Event();
   *   getRunningLoop().addSignalHandler("SIGTERM", () => stop.set());
   *   process.kill(process.pid, "SIGTERM");
   *   await stop.wait();
   *   console.log("graceful shutdown");
   * });
   * ```
   */
  addSignalHandler<A extends unknown[]>(
    sig: string | number,
    cb: (...args: A) => unknown,
    ...args: A
  ): void {
    if (this.isClosed()) throw new RuntimeError("Event loop is closed");
    const name = checkSignal("addSignalHandler", sig);
    _checkFunction("addSignalHandler()", "callback", cb);
    addSignal(this.#signalHandlers, name, () => {
      if (!this.isClosed()) this.callSoon(cb, ...args);
    });
  }

  /**
   * Removes the handler for `sig` (asyncio `remove_signal_handler`); the
   * signal's default action comes back.
   * @param sig - a signal name or number.
   * @returns true when a handler was removed, false when there was none.
   * @throws {TypeError} when `sig` is neither a string nor an integer.
   * @throws {ValueError} when `sig` is not a signal of this platform.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * console.log(newEventLoop().removeSignalHandler("SIGHUP")); // false
   * ```
   */
  removeSignalHandler(sig: string | number): boolean {
    return removeSignal(this.#signalHandlers, checkSignal("removeSignalHandler", sig));
  }

  /** @internal Whether a handler for the signal `name` is installed (`Runner` asks about SIGINT). */
  _hasSignalHandler(name: string): boolean {
    return this.#signalHandlers.has(name);
  }

  // ----- executors and async generators ----------------------------------

  /**
   * Runs `fn(...args)` in an executor and returns a Future of its result
   * (asyncio `run_in_executor`). Cancelling the future cancels the job if the
   * executor's job object supports `cancel()`.
   * @param executor - an Executor, or null for the default one.
   * @param fn - the function.
   * @param args - its arguments.
   * @returns a Future of the result.
   * @throws {RuntimeError} `Event loop is closed`, or no default executor is set.
   * @throws {TypeError} when `fn` is not a function.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop, type Executor } from "@aio/core";
   * const inline: Executor = { submit: async (fn, ...a) => fn(...a), shutdown: async () => {} };
   * await run(async () => { console.log(await getRunningLoop().runInExecutor(inline, (x: number) => x * 2, 21)); });
   * ```
   */
  runInExecutor<A extends unknown[], R>(
    executor: Executor | null,
    fn: (...args: A) => R | PromiseLike<R>,
    ...args: A
  ): Future<Awaited<R>> {
    if (this.isClosed()) throw new RuntimeError("Event loop is closed");
    if (executor !== null && executor !== undefined && !isExecutor(executor)) {
      throw new TypeError(
        `runInExecutor() executor must be an Executor or null, received ${describe(executor)}`,
      );
    }
    _checkFunction("runInExecutor()", "fn", fn);
    const run = fn as (...args: unknown[]) => unknown;
    if (executor === null || executor === undefined) {
      return this.#defaultExecutor.submit<Awaited<R>>(this as unknown as EventLoop, run, args);
    }
    return submitTo<Awaited<R>>(this as unknown as EventLoop, executor, run, args);
  }

  /**
   * Sets the executor `runInExecutor(null, …)` uses.
   * @param executor - the executor, or null.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * newEventLoop().setDefaultExecutor(null);
   * ```
   */
  setDefaultExecutor(executor: Executor | null): void {
    if (executor !== null && !isExecutor(executor)) {
      throw new TypeError(
        `setDefaultExecutor() executor must be an Executor or null, received ${describe(executor)}`,
      );
    }
    this.#defaultExecutor.set(executor);
  }

  /**
   * Shuts the default executor down and waits for its jobs (asyncio
   * `shutdown_default_executor(timeout)`), at most `timeout` ms. When the
   * time runs out, a warning (`console.warn`) names the jobs still running
   * and the executor's workers are terminated, so nothing keeps the process
   * alive. `run()` calls it on exit with its `executorShutdownTimeout`
   * (default 300,000 ms, asyncio's `THREAD_JOIN_TIMEOUT`).
   * @param timeout - milliseconds, or null (the default) to wait as long as it takes.
   * @returns resolves when it is shut down, or the time ran out.
   * @throws {TypeError} (as a rejection) when `timeout` is neither a number nor null.
   * @throws {RangeError} (as a rejection) when `timeout` is NaN or negative.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * await newEventLoop().shutdownDefaultExecutor(1_000);
   * ```
   */
  async shutdownDefaultExecutor(timeout: number | null = null): Promise<void> {
    _checkMs("shutdownDefaultExecutor()", "timeout", timeout, { nullable: true, min: 0 });
    await this.#defaultExecutor.shutdown(timeout);
  }

  /**
   * Registers an async generator to be closed by {@link BaseEventLoop.shutdownAsyncgens}
   * (asyncio's firstiter hook; JavaScript has no global hook, so \@aio's own
   * async iterators register themselves and user code may too).
   * @param gen - the generator.
   * @throws {TypeError} when `gen` has no `return()` method.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * async function* ticks() { yield 1; }
   * newEventLoop().trackAsyncgen(ticks());
   * ```
   */
  trackAsyncgen(gen: AsyncGenerator<unknown, unknown, unknown>): void {
    if (typeof (gen as Partial<AsyncGenerator> | null)?.return !== "function") {
      throw new TypeError(
        `trackAsyncgen() gen must be an async generator, received ${describe(gen)}`,
      );
    }
    this.#asyncgens.add(gen);
  }

  /**
   * Closes the tracked async generators (asyncio `shutdown_asyncgens`): each
   * gets `return()`, so its `finally` blocks run. Errors go to the exception handler.
   * @returns resolves when all are closed.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * await newEventLoop().shutdownAsyncgens();
   * ```
   */
  async shutdownAsyncgens(): Promise<void> {
    const gens = [...this.#asyncgens];
    this.#asyncgens.clear();
    const results = await Promise.allSettled(gens.map((g) => g.return(undefined)));
    results.forEach((r, i) => {
      if (r.status === "rejected") {
        this.callExceptionHandler({
          message: "an error occurred during closing of asynchronous generator",
          exception: r.reason,
          asyncgen: gens[i],
        });
      }
    });
  }

  // ----- futures and tasks ------------------------------------------------

  /**
   * Makes a Future bound to this loop (asyncio `loop.create_future`).
   * @returns a pending Future.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop } from "@aio/core";
   * await run(async () => {
   *   const fut = getRunningLoop().createFuture<number>();
   *   getRunningLoop().callSoon(() => fut.setResult(1));
   *   console.log(await fut); // 1
   * });
   * ```
   */
  createFuture<T>(): Future<T> {
    return new Future<T>((this.#ownLoopOptions ??= { loop: this as unknown as EventLoop }));
  }

  /**
   * Runs `fn` in a new Task on this loop, through the task factory if one is set.
   * @param fn - the function (usually `async`).
   * @param options - `name`, `eagerStart`.
   * @returns the Task.
   * @throws {TypeError} when `fn` is not a function.
   * @throws {RuntimeError} `Event loop is closed`.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop } from "@aio/core";
   * await run(async () => { console.log(await getRunningLoop().createTask(async () => 2)); }); // 2
   * ```
   */
  createTask<T>(fn: () => Coroutine<T>, options?: TaskOptions): Task<T>;
  createTask<T>(fn: () => T | PromiseLike<T>, options?: TaskOptions): Task<Awaited<T>>;
  createTask<T>(fn: () => T | PromiseLike<T>, options?: TaskOptions): Task<Awaited<T>> {
    if (this.isClosed()) throw new RuntimeError("Event loop is closed");
    if (this.#taskFactory !== null)
      return this.#taskFactory(this as unknown as EventLoop, fn, options) as Task<Awaited<T>>;
    // Without options every task shares one `{ loop }` object: no copy per task.
    const taskOptions =
      options === undefined
        ? (this.#ownLoopOptions ??= { loop: this as unknown as EventLoop })
        : { ...options, loop: this as unknown as EventLoop };
    return new Task(fn as () => Awaited<T>, taskOptions);
  }

  /**
   * Sets the factory `createTask` uses (asyncio `set_task_factory`); `null`
   * restores plain tasks. `eagerTaskFactory` from `@aio/futures` starts tasks eagerly.
   * @param factory - the factory or null.
   * @throws {TypeError} when `factory` is neither a function nor null.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop } from "@aio/core";
   * import { eagerTaskFactory } from "@aio/futures";
   * await run(() => { getRunningLoop().setTaskFactory(eagerTaskFactory); });
   * ```
   */
  setTaskFactory(factory: TaskFactory | null): void {
    if (factory !== null && typeof factory !== "function") {
      throw new TypeError(
        `setTaskFactory() factory must be a function or null, received ${describe(factory)}`,
      );
    }
    this.#taskFactory = factory;
  }

  /**
   * The factory set by {@link BaseEventLoop.setTaskFactory}.
   * @returns the factory or null.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * console.log(newEventLoop().getTaskFactory()); // null
   * ```
   */
  getTaskFactory(): TaskFactory | null {
    return this.#taskFactory;
  }

  /**
   * Runs the loop until `fnOrAwaitable` completes (asyncio
   * `run_until_complete`). A function runs in a new task; a Future of this
   * loop is awaited; any other thenable is wrapped in a task.
   * @param fnOrAwaitable - the work.
   * @returns its result (rejects with its error).
   * @throws {RuntimeError} closed loop, already running, another loop running,
   *   or `Event loop stopped before Future completed.`
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * const loop = newEventLoop();
   * console.log(await loop.runUntilComplete(async () => 42)); // 42
   * loop.close();
   * ```
   */
  async runUntilComplete<T>(
    fnOrAwaitable: (() => T | PromiseLike<T>) | PromiseLike<T>,
  ): Promise<Awaited<T>> {
    this._checkCanRun();
    const aw = fnOrAwaitable as { then?: unknown; next?: unknown } | null;
    if (
      typeof fnOrAwaitable !== "function" &&
      (typeof aw !== "object" ||
        aw === null ||
        (typeof aw.then !== "function" && typeof aw.next !== "function"))
    ) {
      throw new TypeError(
        `runUntilComplete() expects a function or an awaitable, received ${describe(fnOrAwaitable)}`,
      );
    }
    // asyncio: `future = tasks.ensure_future(future, loop=self)` — a Future
    // of another loop is a ValueError, anything else becomes a task here.
    const future: FutureLike<Awaited<T>> = ensureFuture(
      fnOrAwaitable,
      this as unknown as EventLoop,
    );
    const newTask = future !== (fnOrAwaitable as unknown);
    const stop = () => this.stop();
    future.addDoneCallback(stop);
    try {
      await this.runForever();
    } catch (err) {
      if (newTask && future.done() && !future.cancelled()) future.exception();
      throw err;
    } finally {
      future.removeDoneCallback(stop);
    }
    if (!future.done()) throw new RuntimeError("Event loop stopped before Future completed.");
    return future.result();
  }

  // ----- description ------------------------------------------------------

  /**
   * asyncio's repr: `<BaseEventLoop running=false closed=false debug=false>`.
   * @returns the description.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * console.log(String(newEventLoop()));
   * ```
   */
  toString(): string {
    return `<${_className(this)} running=${this.isRunning()} closed=${this.isClosed()} debug=${this.getDebug()}>`;
  }

  /** The tag `Object.prototype.toString` reports. */
  get [Symbol.toStringTag](): string {
    return _className(this);
  }

  /** Node's `util.inspect` hook: the asyncio repr. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
