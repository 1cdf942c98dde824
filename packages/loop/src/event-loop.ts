import {
  _ContextScope,
  _checkFunction,
  _checkMs,
  _checkOptions,
  _className,
  _clearImmediate,
  _env,
  _getRunningLoop,
  _setImmediate,
  type ContextScope,
  type EventLoop,
  getRuntime,
  _kScheduleItem as kScheduleItem,
  _kStepEnded as kStepEnded,
  _kStepStarted as kStepStarted,
  RuntimeError,
  _SELF as SELF,
  type TaskLike,
} from "@aio/core";
import { _onLoopClose } from "@aio/futures";
import { callbackName, Handle, TimerHandle } from "./handle.js";
import { TimerHeap } from "./internal/timer-heap.js";
import { EventLoopServices } from "./loop-services.js";

const rt = getRuntime();
/** The host's clock (a global in Node, Deno, Bun and browsers), read through a module binding. */
const performance = globalThis.performance;
const newHostScope = (): ContextScope => new _ContextScope("aio.loop");

/**
 * How long (ms) the loop runs iterations back to back before it yields to the
 * host so Node can poll I/O and run its own timers. A loop iteration costs no
 * host macrotask while work is ready, which keeps chained callbacks fast; this
 * budget bounds the I/O latency a busy loop adds (plus the duration of the
 * callback running when the budget runs out).
 */
export const HOST_YIELD_BUDGET_MS = 4;

/** The loop's tuning constants (an enum: the build writes the values where they are used). */
enum Tuning {
  /**
   * How many loop iterations run between two looks at the clock for
   * {@link HOST_YIELD_BUDGET_MS}. Small, so a run of slow iterations still
   * yields soon; more than one, because reading the clock costs as much as a
   * short iteration.
   */
  BUDGET_CHECK_ITERATIONS = 4,
  /** Batches up to this size are emptied with `pop()` (keeping their backing store); larger ones are truncated. */
  SMALL_BATCH = 64,
  /**
   * Lazy deletion of cancelled timers (asyncio base_events.py): cancelled
   * timers stay in the heap until they reach the top, unless more than this
   * many are cancelled and they are over half of the heap; then it is rebuilt.
   */
  MIN_SCHEDULED_TIMER_HANDLES = 100,
  MIN_CANCELLED_TIMER_HANDLES_FRACTION = 0.5,
}

/** setTimeout's largest delay; longer waits re-arm when it fires. */
const MAX_HOST_DELAY_MS = 2 ** 31 - 1;

// The step protocol and ready items of other @aio packages (an object with
// the Handle shape whose `_args` is SELF, run as `_callback(item)`) are
// declared in @aio/core's internal contract.
const RESOLVED = Promise.resolve();

/** Options of {@link newEventLoop} and the loop constructor. */
export interface EventLoopOptions {
  /** Start in debug mode (default: `AIO_DEBUG=1` in the environment). */
  debug?: boolean;
  /** @internal Virtual time (see `@aio/loop/testing`). */
  virtualTime?: boolean;
}

/**
 * The event loop (asyncio `BaseEventLoop`), driven by Node's own event loop.
 *
 * Scheduling: `callSoon` appends to a FIFO ready queue; timers live in a
 * heap ordered by deadline, FIFO among equal deadlines. One loop iteration
 * moves the due timers to the ready queue and runs exactly the callbacks that
 * were ready when it began. Iterations run back to back while work is ready,
 * for at most {@link HOST_YIELD_BUDGET_MS}, then the loop yields to Node
 * (`setImmediate`) so sockets and host timers are never starved. When nothing
 * is ready the loop holds one host timer, for its earliest deadline — never
 * one per `callLater` — and when it is not running it holds nothing at all,
 * so it never keeps the process alive by itself.
 *
 * Tasks: when a callback resumes a task, the task's step continues in promise
 * jobs after the callback returns; the loop waits for that step to reach its
 * next \@aio `await` (or to finish) before it runs the next callback, so steps
 * and callbacks interleave exactly as in asyncio. A step blocked on a foreign
 * promise releases the loop at the next host turn.
 *
 * @example
 * ```ts
 * import { newEventLoop } from "@aio/loop";
 * const loop = newEventLoop();
 * loop.callSoon(() => console.log("first"));
 * loop.callLater(10, () => { console.log("second"); loop.stop(); });
 * await loop.runForever();
 * loop.close();
 * ```
 */
export class BaseEventLoop extends EventLoopServices implements EventLoop {
  /** @internal The name reprs and messages show (`_className` in \@aio/core). */
  get _className(): string {
    return "BaseEventLoop";
  }

  #ready: Handle[] = [];
  #batch: Handle[] = [];
  #batchIndex = 0;
  #iterating = false;
  #timers = new TimerHeap();
  #timerSeq = 0;
  #cancelledTimers = 0;

  #running = false;
  #stopping = false;
  #closed = false;
  #debug: boolean;
  #slowCallbackDuration = 100;

  #inBatch = false;
  #suspended = false;
  /** The task steps the loop waits for: almost always one, so the first in a slot, extras in a Set. */
  #inflight1: TaskLike<unknown> | null = null;
  #inflightMore: Set<TaskLike<unknown>> | null = null;
  #inflightCount = 0;
  #stepStart = 0;
  /** Debug mode: the tasks whose steps the loop waits for, to name them in reports. */
  #stepTasks: TaskLike<unknown>[] = [];
  /** When the current host turn's budget runs out (resumed batches share it). */
  #turnDeadline = 0;
  #iterationsThisTurn = 0;
  #resumeQueued = false;
  /** The next host turn (`_setImmediate` of `@aio/core`: setImmediate, or a MessageChannel message in a browser). */
  #immediate: unknown = null;
  /** No task's context, made once: host turns start in it (`taskContext.run()` would copy every store twice). */
  readonly #hostScope = rt.taskContext.exit(newHostScope);
  #hostTimer: ReturnType<typeof setTimeout> | null = null;
  #hostTimerWhen = Infinity;
  #stopResolve: (() => void) | null = null;

  #virtual: boolean;
  #virtualNow = 0;

  /**
   * Prefer {@link newEventLoop} or `run()`.
   * @param options - `debug`.
   */
  constructor(options?: EventLoopOptions) {
    super();
    this.#debug = options?.debug ?? _env("AIO_DEBUG") === "1";
    this.#virtual = options?.virtualTime === true;
  }

  // ----- time ---------------------------------------------------------------

  /**
   * The loop's monotonic clock in milliseconds (asyncio `loop.time()`, but ms).
   * @returns the current loop time.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * console.log(newEventLoop().time() >= 0); // true
   * ```
   */
  time(): number {
    return this.#virtual ? this.#virtualNow : performance.now();
  }

  /** @internal Virtual time: moves the clock (never backwards). */
  _advanceClock(to: number): void {
    if (to > this.#virtualNow) this.#virtualNow = to;
  }

  // ----- scheduling ---------------------------------------------------------

  /** @internal Schedules an internal ready item (see `kScheduleItem`) like `callSoon`, with no Handle. */
  [kScheduleItem](item: Handle): void {
    if (this.#closed) throw new RuntimeError("Event loop is closed");
    this.#ready.push(item);
    if (this.#immediate === null && this.#running && !this.#inBatch) this.#ensureImmediate();
  }

  /**
   * Schedules `cb(...args)` for the next loop iteration; callbacks run in the
   * order they were scheduled.
   * @param cb - the callback.
   * @param args - its arguments.
   * @returns a Handle that can cancel it.
   * @throws {TypeError} when `cb` is not a function.
   * @throws {RuntimeError} `Event loop is closed`.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop } from "@aio/core";
   * await run(() => { getRunningLoop().callSoon((who) => console.log("hello", who), "world"); });
   * ```
   */
  callSoon<A extends unknown[]>(cb: (...args: A) => unknown, ...args: A): Handle;
  callSoon(cb: (...args: unknown[]) => unknown): Handle {
    if (this.#closed) throw new RuntimeError("Event loop is closed");
    if (typeof cb !== "function") _checkFunction("callSoon()", "callback", cb);
    // `arguments`, not a rest parameter: no array is made for the common
    // call without arguments (a million `callSoon(cb)` allocate a million
    // fewer objects).
    // biome-ignore lint/complexity/noArguments: a rest parameter allocates on every call
    const n = arguments.length;
    let args: unknown[] | null = null;
    if (n > 1) {
      args = new Array(n - 1);
      // biome-ignore lint/complexity/noArguments: see above
      for (let i = 1; i < n; i++) args[i - 1] = arguments[i];
    }
    const handle = new Handle(cb, args);
    this.#ready.push(handle);
    if (this.#immediate === null && this.#running && !this.#inBatch) this.#ensureImmediate();
    return handle;
  }

  /**
   * Schedules `cb(...args)` to run after `delay` ms. A negative delay runs it
   * as soon as possible; `Infinity` never.
   * @param delay - milliseconds.
   * @param cb - the callback.
   * @param args - its arguments.
   * @returns a TimerHandle.
   * @throws {TypeError} when `delay` is not a number or `cb` not a function.
   * @throws {RangeError} when `delay` is NaN.
   * @throws {RuntimeError} `Event loop is closed`.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop } from "@aio/core";
   * import { sleep } from "@aio/futures";
   * await run(async () => { getRunningLoop().callLater(5, () => console.log("5 ms later")); await sleep(10); });
   * ```
   */
  callLater<A extends unknown[]>(
    delay: number,
    cb: (...args: A) => unknown,
    ...args: A
  ): TimerHandle {
    _checkMs("callLater()", "delay", delay);
    return this.#schedule(this.time() + delay, cb, args, "callLater()");
  }

  /**
   * Schedules `cb(...args)` to run at loop time `when` (see {@link BaseEventLoop.time}).
   * @param when - an absolute loop time in ms.
   * @param cb - the callback.
   * @param args - its arguments.
   * @returns a TimerHandle.
   * @throws {TypeError} when `when` is not a number or `cb` not a function.
   * @throws {RangeError} when `when` is NaN.
   * @throws {RuntimeError} `Event loop is closed`.
   * @example
   * ```ts
   * import { run } from "@aio/loop";
   * import { getRunningLoop } from "@aio/core";
   * await run(() => { const l = getRunningLoop(); l.callAt(l.time(), () => console.log("now")); });
   * ```
   */
  callAt<A extends unknown[]>(when: number, cb: (...args: A) => unknown, ...args: A): TimerHandle {
    _checkMs("callAt()", "when", when);
    return this.#schedule(when, cb, args, "callAt()");
  }

  /** `where`: the method, for messages (`"callLater()"`). */
  #schedule(when: number, cb: unknown, args: unknown[], where: string): TimerHandle {
    if (this.#closed) throw new RuntimeError("Event loop is closed");
    if (typeof cb !== "function") _checkFunction(where, "callback", cb);
    const handle = new TimerHandle(
      when,
      this.#timerSeq++,
      cb as (...args: any[]) => unknown,
      args.length === 0 ? null : args,
      this,
    );
    this.#timers.push(handle);
    if (this.#running && !this.#inBatch && !this.#suspended && this.#immediate === null) {
      this.#scheduleHost();
    }
    return handle;
  }

  /** @internal A scheduled timer was cancelled. */
  _timerCancelled(_handle: TimerHandle): void {
    this.#cancelledTimers++;
  }

  // ----- task steps ---------------------------------------------------------

  /** @internal A callback of this loop resumed `task`: wait for its step to end. */
  [kStepStarted](task: TaskLike<unknown>): void {
    if (!this.#inBatch) return;
    if (this.#inflight1 === null) this.#inflight1 = task;
    else if (this.#inflight1 === task || this.#inflightMore?.has(task)) return;
    else (this.#inflightMore ??= new Set()).add(task);
    this.#inflightCount++;
  }

  /**
   * @internal `task` reached its next await or finished. With `sync` the
   * caller is a promise job that does nothing after this call, so the loop
   * resumes right away; otherwise it resumes in a microtask, after the
   * caller's synchronous code.
   */
  [kStepEnded](task: TaskLike<unknown>, sync: boolean): void {
    if (this.#inflight1 === task) this.#inflight1 = null;
    else if (this.#inflightMore === null || !this.#inflightMore.delete(task)) return;
    if (--this.#inflightCount !== 0 || !this.#suspended) return;
    if (sync && !this.#inBatch) {
      this.#resume();
    } else if (!this.#resumeQueued) {
      this.#resumeQueued = true;
      // A promise reaction, not queueMicrotask(): Node's queueMicrotask makes
      // an AsyncResource per call.
      RESOLVED.then(this.#resume);
    }
  }

  // ----- running ------------------------------------------------------------

  /** @internal asyncio `_check_closed` + `_check_running`. */
  protected _checkCanRun(): void {
    if (this.#closed) throw new RuntimeError("Event loop is closed");
    if (this.#running) throw new RuntimeError("This event loop is already running");
    const other = _getRunningLoop();
    if (other !== null && other !== this) {
      throw new RuntimeError("Cannot run the event loop while another loop is running");
    }
  }

  /**
   * Runs the loop until {@link BaseEventLoop.stop} is called (asyncio `run_forever`).
   * @returns a Promise that resolves once the loop has stopped.
   * @throws {RuntimeError} `Event loop is closed`, `This event loop is already running`.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * const loop = newEventLoop();
   * loop.callLater(10, () => loop.stop());
   * await loop.runForever();
   * loop.close();
   * ```
   */
  async runForever(): Promise<void> {
    this._checkCanRun();
    this.#running = true;
    rt.runningLoops.add(this);
    if (rt.instruments.length !== 0) for (const i of rt.instruments) i.loopStarted?.(this);
    const stopped = new Promise<void>((resolve) => {
      this.#stopResolve = resolve;
    });
    this.#ensureImmediate();
    await stopped;
  }

  /**
   * Stops the loop once the current iteration is done (asyncio `stop`):
   * callbacks already scheduled for it still run, newer ones wait for the
   * next `runForever`.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * const loop = newEventLoop();
   * loop.callSoon(() => loop.stop());
   * await loop.runForever();
   * ```
   */
  stop(): void {
    this.#stopping = true;
    if (this.#running && !this.#inBatch && !this.#suspended) this.#ensureImmediate();
  }

  /**
   * True while `runForever`/`runUntilComplete` is active.
   * @returns whether the loop runs.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * console.log(newEventLoop().isRunning()); // false
   * ```
   */
  isRunning(): boolean {
    return this.#running;
  }

  /**
   * True once closed.
   * @returns whether {@link BaseEventLoop.close} was called.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * const loop = newEventLoop(); loop.close(); console.log(loop.isClosed()); // true
   * ```
   */
  isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Closes the loop (asyncio `close`): pending callbacks are dropped, tasks
   * still pending and exceptions never retrieved are reported through the
   * exception handler, and the default executor is shut down without waiting.
   * Idempotent.
   * @throws {RuntimeError} `Cannot close a running event loop`.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * newEventLoop().close();
   * ```
   */
  close(): void {
    if (this.#running) throw new RuntimeError("Cannot close a running event loop");
    if (this.#closed) return;
    if (rt.instruments.length !== 0) for (const i of rt.instruments) i.loopClosing?.(this);
    _onLoopClose(this);
    this.#closed = true;
    this.#ready.length = 0;
    this.#batch.length = 0;
    this.#batchIndex = 0;
    this.#iterating = false;
    for (const t of this.#timers.clear()) t._scheduled = false;
    this.#cancelledTimers = 0;
    this.#clearHost();
    this._closeServices();
  }

  // ----- the driver ---------------------------------------------------------

  #resume = (): void => {
    this.#resumeQueued = false;
    if (!this.#suspended || this.#inflightCount !== 0) return;
    this.#suspended = false;
    this.#reportSlowStep();
    this.#runBatch();
  };

  #onImmediate = (): void => {
    this.#immediate = null;
    this.#turnDeadline = performance.now() + HOST_YIELD_BUDGET_MS;
    if (this.#suspended) {
      // The host got a turn, so every promise job has run: the steps still in
      // flight are blocked on foreign promises. They no longer hold the loop.
      this.#suspended = false;
      this.#reportSlowStep();
      this.#inflight1 = null;
      this.#inflightMore = null;
      this.#inflightCount = 0;
    }
    if (this.#virtual && !this.#iterating && this.#ready.length === 0 && !this.#stopping) {
      // Virtual time, idle: jump to the next timer.
      const top = this.#nextLiveTimer();
      if (top !== undefined && top._when !== Infinity) this._advanceClock(top._when);
    }
    this.#runBatch();
  };

  #onHostTimer = (): void => {
    this.#hostTimer = null;
    this.#hostTimerWhen = Infinity;
    this.#turnDeadline = performance.now() + HOST_YIELD_BUDGET_MS;
    if (!this.#inBatch && !this.#suspended) this.#runBatch();
  };

  #ensureImmediate(): void {
    if (this.#immediate === null) {
      this.#immediate = this.#hostScope.runInAsyncScope(_setImmediate, null, this.#onImmediate);
    }
  }

  #clearHost(): void {
    if (this.#immediate !== null) {
      _clearImmediate(this.#immediate);
      this.#immediate = null;
    }
    if (this.#hostTimer !== null) {
      clearTimeout(this.#hostTimer);
      this.#hostTimer = null;
      this.#hostTimerWhen = Infinity;
    }
  }

  /** Runs loop iterations until idle, stopped, suspended on a step, or out of budget. */
  #runBatch(): void {
    if (!this.#running) return;
    const prevLoop = rt.loop;
    const prevTask = rt.task;
    rt.loop = this;
    rt.task = null;
    this.#inBatch = true;
    const deadline = this.#turnDeadline;
    const slow = this.#debug || rt.instruments.length !== 0;
    let clock = slow ? performance.now() : 0;
    let suspended = false;
    try {
      for (;;) {
        if (!this.#iterating) {
          if (!this.#startIteration()) break;
        }
        const batch = this.#batch;
        while (this.#batchIndex < batch.length) {
          const handle = batch[this.#batchIndex++]!;
          if (handle._callback === null) continue; // cancelled
          if (slow) clock = this.#runHandleInstrumented(handle, clock);
          else this.#runHandle(handle);
          if (this.#inflightCount !== 0) {
            suspended = true;
            return;
          }
        }
        // Truncating with `length = 0` drops the backing store, and the next
        // push allocates a new one: ~55 ns per iteration, a quarter of a
        // one-callback iteration. Small batches are emptied in place.
        if (batch.length > Tuning.SMALL_BATCH) batch.length = 0;
        else while (batch.length !== 0) batch.pop();
        this.#batchIndex = 0;
        this.#iterating = false;
        if (this.#stopping) {
          this.#finishStop();
          return;
        }
        // The clock is read every BUDGET_CHECK_ITERATIONS iterations: reading it
        // costs as much as a short iteration.
        // (The count survives the batch being suspended and resumed for task steps.)
        if (
          ++this.#iterationsThisTurn % Tuning.BUDGET_CHECK_ITERATIONS === 0 &&
          performance.now() >= deadline
        ) {
          break;
        }
      }
    } finally {
      this.#inBatch = false;
      rt.loop = prevLoop;
      rt.task = prevTask;
      if (suspended) {
        this.#suspended = true;
        if (this.#debug) {
          this.#stepStart = performance.now();
          this.#stepTasks = [...(this.#inflightMore ?? [])];
          if (this.#inflight1 !== null) this.#stepTasks.unshift(this.#inflight1);
        }
        this.#ensureImmediate();
      }
    }
    this.#scheduleHost();
  }

  /** Begins an iteration: due timers join the ready queue; returns false when idle. */
  #startIteration(): boolean {
    const timers = this.#timers;
    if (
      this.#cancelledTimers > Tuning.MIN_SCHEDULED_TIMER_HANDLES &&
      this.#cancelledTimers / timers.size > Tuning.MIN_CANCELLED_TIMER_HANDLES_FRACTION
    ) {
      timers.filter((t) => {
        if (t._callback === null) t._scheduled = false;
        return t._callback !== null;
      });
      this.#cancelledTimers = 0;
    }
    if (timers.size !== 0) {
      const now = this.time();
      for (;;) {
        const top = this.#nextLiveTimer();
        if (top === undefined || top._when > now) break;
        timers.pop();
        top._scheduled = false;
        this.#ready.push(top);
      }
    }
    if (this.#ready.length === 0 && !this.#stopping) return false;
    const batch = this.#ready;
    this.#ready = this.#batch;
    this.#batch = batch;
    this.#batchIndex = 0;
    this.#iterating = true;
    return true;
  }

  // This is the only place where callbacks are actually *called*. All other
  // places just add them to the ready queue. (asyncio base_events.py
  // `_run_once`; note: the instrumented path below calls this one.)
  #runHandle(handle: Handle): void {
    const cb = handle._callback!;
    const args = handle._args as unknown[] | null | typeof SELF;
    let result: unknown;
    try {
      if (args === null) result = cb();
      else if (args === SELF) {
        result = cb(handle); // an internal item: undefined, or a done callback's result
        if (result === undefined) return;
      } else if (args.length === 1) result = cb(args[0]);
      else if (args.length === 2) result = cb(args[0], args[1]);
      else result = cb(...args);
    } catch (err) {
      this.#callbackFailed(handle, cb, err);
      return;
    }
    // A callback that returns a promise (an `async` callback) fails later:
    // its rejection goes to the exception handler too, never to the host's
    // unhandled-rejection handler (which ends a Node process).
    if (
      result !== undefined &&
      result !== null &&
      typeof (result as PromiseLike<unknown>).then === "function"
    ) {
      (result as PromiseLike<unknown>).then(undefined, (err: unknown) =>
        this.#callbackFailed(handle, cb, err),
      );
    }
  }

  #callbackFailed(handle: Handle, cb: (...args: never[]) => unknown, err: unknown): void {
    this.callExceptionHandler({
      message: `Exception in callback ${
        typeof handle._callbackRepr === "function" ? handle._callbackRepr() : `${cb.name}()`
      }`,
      exception: err,
      handle,
    });
  }

  /**
   * Runs a handle with the instrument hooks and debug timing. `t0` is the
   * clock read when the previous handle ended (one clock read per callback);
   * returns the clock read after this one.
   */
  #runHandleInstrumented(handle: Handle, t0: number): number {
    const instruments = rt.instruments;
    for (let k = 0; k < instruments.length; k++) {
      const instrument = instruments[k]!;
      if (instrument.callbackStart !== undefined) instrument.callbackStart(this, handle);
    }
    const cb = handle._callback;
    this.#runHandle(handle);
    const t1 = performance.now();
    const dt = t1 - t0;
    if (this.#debug && dt >= this.#slowCallbackDuration) {
      // The repr is built only for slow callbacks, from the callback kept
      // before the run (a handle may cancel itself while it runs).
      // An internal item (a task's first step, a wake-up) describes itself.
      const what =
        (handle._args as unknown) === SELF
          ? String(handle)
          : `<${_className(handle)} ${callbackName(cb)}()>`;
      console.warn(`Executing ${what} took ${dt.toFixed(3)} ms`);
    }
    for (let k = 0; k < instruments.length; k++) {
      const instrument = instruments[k]!;
      if (instrument.callbackEnd !== undefined) instrument.callbackEnd(this, handle, dt);
    }
    return t1;
  }

  #reportSlowStep(): void {
    if (!this.#debug) return;
    const dt = performance.now() - this.#stepStart;
    const tasks = this.#stepTasks;
    this.#stepTasks = [];
    if (dt >= this.#slowCallbackDuration) {
      const names = tasks.map((t) => t.toString()).join(", ");
      console.warn(`Executing step of ${names || "a task"} took ${dt.toFixed(3)} ms`);
    }
  }

  #finishStop(): void {
    this.#stopping = false;
    this.#running = false;
    rt.runningLoops.delete(this);
    if (rt.instruments.length !== 0) for (const i of rt.instruments) i.loopStopped?.(this);
    this.#clearHost();
    const resolve = this.#stopResolve;
    this.#stopResolve = null;
    resolve?.();
  }

  /** After a batch: arrange the next host turn (work ready), host timer (timers only), or nothing (idle). */
  #scheduleHost(): void {
    if (!this.#running) return;
    if (this.#ready.length !== 0 || this.#stopping || this.#iterating) {
      this.#ensureImmediate();
      return;
    }
    const top = this.#nextLiveTimer();
    if (top === undefined || top._when === Infinity) {
      if (this.#hostTimer !== null) {
        clearTimeout(this.#hostTimer);
        this.#hostTimer = null;
        this.#hostTimerWhen = Infinity;
      }
      return;
    }
    if (this.#virtual) {
      this.#ensureImmediate();
      return;
    }
    const when = top._when;
    if (this.#hostTimer !== null && this.#hostTimerWhen === when) return;
    if (this.#hostTimer !== null) clearTimeout(this.#hostTimer);
    const delay = Math.min(Math.max(Math.ceil(when - performance.now()), 1), MAX_HOST_DELAY_MS);
    this.#hostTimerWhen = when;
    this.#hostTimer = this.#hostScope.runInAsyncScope(setTimeout, null, this.#onHostTimer, delay);
  }

  /**
   * The earliest timer that is not cancelled, left in the heap. Cancelled
   * timers at the top are dropped on the way — the one place they leave the
   * heap one by one (a rebuild in #startIteration drops them in bulk).
   */
  #nextLiveTimer(): TimerHandle | undefined {
    const timers = this.#timers;
    let top = timers.peek();
    while (top !== undefined && top._callback === null) {
      timers.pop();
      top._scheduled = false;
      this.#cancelledTimers--;
      top = timers.peek();
    }
    return top;
  }

  // ----- debug --------------------------------------------------------------

  /**
   * Whether debug mode is on.
   * @returns the debug flag.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * console.log(newEventLoop({ debug: true }).getDebug()); // true
   * ```
   */
  getDebug(): boolean {
    return this.#debug;
  }

  /**
   * Switches debug mode: slow callbacks and task steps (over
   * `slowCallbackDuration` ms) are reported, tasks record where they were created.
   * @param enabled - on or off.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * const loop = newEventLoop(); loop.setDebug(true); loop.slowCallbackDuration = 50;
   * ```
   */
  setDebug(enabled: boolean): void {
    this.#debug = Boolean(enabled);
  }

  /**
   * In debug mode, callbacks and task steps taking at least this long (ms)
   * are reported (asyncio `slow_callback_duration`, in ms; default 100).
   * @throws {TypeError} when set to a non-number.
   * @throws {RangeError} when set to NaN or a negative number.
   * @example
   * ```ts
   * import { newEventLoop } from "@aio/loop";
   * const loop = newEventLoop({ debug: true });
   * loop.slowCallbackDuration = 50;
   * console.log(loop.slowCallbackDuration); // 50
   * ```
   */
  get slowCallbackDuration(): number {
    return this.#slowCallbackDuration;
  }

  set slowCallbackDuration(ms: number) {
    _checkMs("loop", "slowCallbackDuration", ms, { min: 0 });
    this.#slowCallbackDuration = ms;
  }
}

/**
 * Makes a new event loop (asyncio `new_event_loop`). Most programs use
 * `run()` instead, which makes, runs and closes one.
 * @param options - `debug`.
 * @returns the loop (not running).
 * @example
 * ```ts
 * import { newEventLoop } from "@aio/loop";
 * const loop = newEventLoop();
 * try { await loop.runUntilComplete(async () => console.log("hi")); } finally { loop.close(); }
 * ```
 */
export function newEventLoop(options?: { debug?: boolean }): BaseEventLoop {
  const { debug } = _checkOptions("newEventLoop()", options);
  return new BaseEventLoop(debug === undefined ? {} : { debug });
}
