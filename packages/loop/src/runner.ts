import {
  _checkFunction,
  _checkMs,
  _checkOptions,
  _getRunningLoop,
  brandError,
  type EventLoop,
  isCancelledError,
  isFailed,
  RuntimeError,
} from "@aio/core";
import { allTasks, type Coroutine, type Task } from "@aio/futures";
import { BaseEventLoop } from "./event-loop.js";
import { DEFAULT_EXECUTOR_SHUTDOWN_TIMEOUT_MS } from "./internal/executors.js";
import { signalHost } from "./internal/signals.js";

/**
 * Thrown by `run()`/`Runner.run()` when the main task was cancelled because
 * the process received SIGINT (Ctrl-C) — Python's `KeyboardInterrupt`.
 *
 * @example
 * ```ts
 * import { run, isKeyboardInterrupt } from "@aio/loop";
 * import { sleep } from "@aio/futures";
 * const main = () => sleep(10);
 * await run(main).catch((e) => { if (isKeyboardInterrupt(e)) process.exitCode = 130; else throw e; });
 * ```
 */
export class KeyboardInterrupt extends Error {}
/**
 * True when `value` is a {@link KeyboardInterrupt} (from any copy of `@aio/loop`).
 * @example
 * ```ts
 * import { isKeyboardInterrupt } from "@aio/loop";
 * console.log(isKeyboardInterrupt(new Error())); // false
 * ```
 */
export const isKeyboardInterrupt = brandError(
  KeyboardInterrupt,
  "KeyboardInterrupt",
  "@aio/loop.KeyboardInterrupt",
);

/** Options of {@link Runner}. */
export interface RunnerOptions {
  /** Run the loop in debug mode. */
  debug?: boolean;
  /** Makes the loop; default `new BaseEventLoop()` (asyncio 3.12 `loop_factory`). */
  loopFactory?: () => EventLoop;
  /**
   * How long closing waits for the default executor's jobs, in ms; `null`
   * waits as long as it takes. Default 300,000 (asyncio's
   * `THREAD_JOIN_TIMEOUT`). Past it, a warning names the jobs still running
   * and their workers are terminated.
   */
  executorShutdownTimeout?: number | null;
}

/** Options of {@link Runner.run}. */
export interface RunOptions {
  /** The main task's name. */
  name?: string;
}

/** A runner's state (asyncio `_State`). */
enum State {
  CREATED,
  INITIALIZED,
  CLOSED,
}

/**
 * Runs several top-level functions on one loop (asyncio 3.11 `Runner`); the
 * loop is made on first use and closed by {@link Runner.close} — or by
 * `await using`.
 *
 * @example
 * ```ts
 * import { Runner } from "@aio/loop";
 * import { sleep } from "@aio/futures";
 * await using runner = new Runner();
 * await runner.run(() => sleep(10));
 * console.log(await runner.run(async () => "same loop"));
 * ```
 */
export class Runner {
  #state = State.CREATED;
  #debug: boolean | undefined;
  #loopFactory: (() => EventLoop) | undefined;
  #loop: EventLoop | null = null;
  /** The close in progress or done, so that concurrent `close()` calls share it. */
  #closing: Promise<void> | null = null;
  #interruptCount = 0;
  #executorShutdownTimeout: number | null;

  /**
   * @param options - `debug`, `loopFactory`.
   */
  constructor(options?: RunnerOptions) {
    const o = _checkOptions("Runner", options);
    if (o.loopFactory !== undefined) _checkFunction("Runner", "loopFactory", o.loopFactory);
    const timeout = o.executorShutdownTimeout;
    if (timeout !== undefined) {
      _checkMs("Runner", "executorShutdownTimeout", timeout, { nullable: true, min: 0 });
    }
    this.#debug = o.debug;
    this.#loopFactory = o.loopFactory;
    this.#executorShutdownTimeout =
      timeout === undefined ? DEFAULT_EXECUTOR_SHUTDOWN_TIMEOUT_MS : timeout;
  }

  /**
   * Runs `fn` in a new task on the runner's loop and resolves to its result.
   * While it runs, the first SIGINT cancels that task (it rejects with
   * {@link KeyboardInterrupt} if the cancellation propagates) and a second
   * one exits the process.
   * @param fn - the main function.
   * @param options - `name` of the task.
   * @returns the function's result.
   * @throws {TypeError} when `fn` is not a function.
   * @throws {RuntimeError} `Runner.run() cannot be called from a running event loop`; `Runner is closed`.
   * @example
   * ```ts
   * import { Runner } from "@aio/loop";
   * const runner = new Runner();
   * try { console.log(await runner.run(async () => 1)); } finally { await runner.close(); }
   * ```
   */
  run<T>(fn: () => Coroutine<T>, options?: RunOptions): Promise<T>;
  run<T>(fn: () => T | PromiseLike<T>, options?: RunOptions): Promise<Awaited<T>>;
  async run<T>(fn: () => T | PromiseLike<T>, options?: RunOptions): Promise<Awaited<T>> {
    _checkFunction("Runner.run()", "fn", fn);
    if (_getRunningLoop() !== null) {
      throw new RuntimeError("Runner.run() cannot be called from a running event loop");
    }
    const loop = this.#lazyInit();
    const task = loop.createTask(
      fn,
      options?.name === undefined ? {} : { name: options.name },
    ) as Task<Awaited<T>>;
    this.#interruptCount = 0;
    const onSigint = () => this.#onSigint(loop, task, onSigint);
    const host = signalHost();
    const installSigint =
      typeof host?.listenerCount === "function" && host.listenerCount("SIGINT") === 0;
    if (installSigint) host.on("SIGINT", onSigint);
    try {
      return await loop.runUntilComplete(task);
    } catch (err) {
      if (isCancelledError(err) && this.#interruptCount > 0 && task.uncancel() === 0) {
        const interrupt = new KeyboardInterrupt("interrupted by SIGINT");
        (interrupt as Error & { cause?: unknown }).cause = err;
        throw interrupt;
      }
      throw err;
    } finally {
      if (installSigint) host.off("SIGINT", onSigint);
    }
  }

  #onSigint(loop: EventLoop, task: Task<unknown>, listener: () => void): void {
    // A SIGINT handler of the loop's own (loop.addSignalHandler) takes the
    // signal instead, as asyncio's replaces the runner's; when it is removed,
    // this one serves again.
    if ((loop as { _hasSignalHandler?: (sig: string) => boolean })._hasSignalHandler?.("SIGINT")) {
      return;
    }
    if (++this.#interruptCount === 1 && !task.done()) {
      task.cancel();
      return;
    }
    // Second Ctrl-C: give the signal its default meaning and exit.
    const host = signalHost()!;
    host.off("SIGINT", listener);
    host.kill!(host.pid!, "SIGINT");
  }

  /**
   * The runner's loop (made on first call).
   * @returns the loop.
   * @throws {RuntimeError} `Runner is closed`.
   * @example
   * ```ts
   * import { Runner } from "@aio/loop";
   * const runner = new Runner();
   * console.log(runner.getLoop().isClosed()); // false
   * await runner.close();
   * ```
   */
  getLoop(): EventLoop {
    return this.#lazyInit();
  }

  /**
   * Cancels the tasks still pending and waits for them, closes async
   * generators, shuts the default executor down and closes the loop.
   * Idempotent. As asyncio's, it does nothing on a runner never used (no
   * `run()`, no `getLoop()`): that runner stays usable.
   * @returns resolves once closed.
   * @example
   * ```ts
   * import { Runner } from "@aio/loop";
   * const runner = new Runner();
   * await runner.run(async () => {});
   * await runner.close();
   * ```
   */
  async close(): Promise<void> {
    // asyncio: a runner never initialised has nothing to close; it stays
    // usable. A close() while one is in progress waits for that one.
    if (this.#state === State.INITIALIZED) this.#closing ??= this.#close(this.#loop!);
    await this.#closing;
  }

  async #close(loop: EventLoop): Promise<void> {
    try {
      await cancelAllTasks(loop);
      await loop.runUntilComplete(() => loop.shutdownAsyncgens());
      await loop.runUntilComplete(() =>
        loop.shutdownDefaultExecutor(this.#executorShutdownTimeout),
      );
    } finally {
      loop.close();
      this.#loop = null;
      this.#state = State.CLOSED;
    }
  }

  /**
   * `await using runner = new Runner()` closes it at the end of the block,
   * also when it was never used (asyncio's `with Runner()` initialises it on
   * entry); `run()` then rejects with `RuntimeError('Runner is closed')`.
   */
  [Symbol.asyncDispose](): Promise<void> {
    // `with Runner()` initialises the runner on entry, so even an unused one
    // ends closed (CREATED is 0).
    if (!this.#state) this.#state = State.CLOSED;
    return this.close();
  }

  #lazyInit(): EventLoop {
    if (this.#state === State.CLOSED) throw new RuntimeError("Runner is closed");
    if (this.#state === State.INITIALIZED) return this.#loop!;
    const loop = this.#loopFactory ? this.#loopFactory() : new BaseEventLoop();
    if (this.#debug !== undefined) loop.setDebug(this.#debug);
    this.#loop = loop;
    this.#state = State.INITIALIZED;
    return loop;
  }
}

/**
 * asyncio runners._cancel_all_tasks: cancel what is left and wait for it to
 * finish. asyncio waits on `gather(*to_cancel, return_exceptions=True)`; a
 * Future completed by the last task's done callback is that wait, the same
 * callbacks in the same order, without bundling `gather` into every program
 * that calls `run()`.
 */
async function cancelAllTasks(loop: EventLoop): Promise<void> {
  const toCancel = allTasks(loop);
  if (toCancel.size === 0) return;
  for (const task of toCancel) task.cancel();
  const allDone = loop.createFuture<void>();
  let left = toCancel.size;
  const taskDone = (): void => {
    if (--left === 0) allDone.setResult(undefined);
  };
  for (const task of toCancel) task.addDoneCallback(taskDone);
  await loop.runUntilComplete(allDone);
  for (const task of toCancel) {
    if (isFailed(task)) {
      loop.callExceptionHandler({
        message: "unhandled exception during run() shutdown",
        exception: task.exception(),
        task,
      });
    }
  }
}

/**
 * Runs `main` in a task on a fresh event loop and resolves to its result
 * (asyncio `run`). At the end, tasks still pending are cancelled (their
 * `finally` blocks run) and awaited, async generators and the default
 * executor are shut down, and the loop is closed. Every call gets its own
 * loop.
 *
 * @param main - the main function: `async`, or a generator function for a
 *   generator task (see `Coroutine` in `@aio/futures`).
 * @param options - `debug`: run in debug mode; `loopFactory`: makes the
 *   loop (asyncio 3.12), e.g. a virtual-time loop; `executorShutdownTimeout`:
 *   how long the end waits for the default executor's jobs (ms, default
 *   300,000; past it a warning names the stuck jobs and their workers are
 *   terminated).
 * @returns `main`'s result (rejects with its error).
 * @throws {RuntimeError} `run() cannot be called from a running event loop` —
 *   inside a task, `await` the function or use `createTask` instead.
 * @throws {TypeError} when `main` is not a function.
 * @example
 * ```ts
 * import { run } from "@aio/loop";
 * import { sleep, gather } from "@aio/futures";
 * const result = await run(async () => {
 *   const [a, b] = await gather(() => sleep(10, 1), () => sleep(20, 2));
 *   return a + b;
 * });
 * console.log(result); // 3
 * ```
 */
export function run<T>(main: () => Coroutine<T>, options?: RunnerOptions): Promise<T>;
export function run<T>(
  main: () => T | PromiseLike<T>,
  options?: RunnerOptions,
): Promise<Awaited<T>>;
export async function run<T>(
  main: () => T | PromiseLike<T>,
  options?: RunnerOptions,
): Promise<Awaited<T>> {
  if (_getRunningLoop() !== null) {
    throw new RuntimeError("run() cannot be called from a running event loop");
  }
  _checkFunction("run()", "main", main);
  const runner = new Runner(_checkOptions("run()", options));
  try {
    return await runner.run(main);
  } finally {
    await runner.close();
  }
}
