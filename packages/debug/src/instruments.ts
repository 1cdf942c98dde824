import {
  _checkFunction,
  _checkMs,
  _checkOneOf,
  _checkOptions,
  _setImmediate,
  addInstrument,
  describeValue,
  type EventLoop,
  type ExceptionContext,
  type FutureLike,
  getRuntime,
  type Handle,
  type Instrument,
  type TaskLike,
} from "@aio/core";
import { allTasks } from "@aio/futures";
import { startInspectServer } from "./inspect.js";
import {
  creationErrors,
  creationSite,
  type InspectableTask,
  isTask,
  startedTasks,
  taskId,
  tracking,
} from "./internal/graph.js";
import { nextTick, unref } from "./internal/host.js";
import { isInternalHandle, kDebugInternal } from "./internal/probe.js";
import { takeOpenResources, trackResource } from "./resources.js";

const rt = getRuntime();
/** The host's clock (a global everywhere \@aio runs). */
const performance = globalThis.performance;

/** What a {@link DebugReport} is about. */
export type DebugReportKind =
  | "slow-callback"
  | "slow-step"
  | "loop-lag"
  | "task-pending"
  | "task-pending-at-close"
  | "exception-never-retrieved"
  | "resource-open";

/**
 * One finding of the debug instruments, handed to `onReport` (default:
 * printed with `console.warn`).
 */
export interface DebugReport {
  /** What happened. */
  kind: DebugReportKind;
  /** The headline, e.g. `Executing <Handle block()> took 150.123 ms`. */
  message: string;
  /** Further lines, e.g. `task 'worker' created at worker (app.ts:12:3)`. */
  details: string[];
  /** The loop concerned. */
  loop: EventLoop;
  /** How long the callback or step ran, or how late the lag probe ran (ms). */
  durationMs?: number;
  /** The task concerned. */
  task?: TaskLike<unknown>;
  /** Where the task or resource was created, when known. */
  createdAt?: string | null;
  /** The resource left open. */
  resource?: object;
  /** The exception never retrieved. */
  exception?: unknown;
  /**
   * Who already printed the headline: `"loop"` (the loop's own debug mode
   * printed a slow-callback line) or `"exception handler"` (the loop reported
   * it through its exception handler). The default reporter then prints only
   * what is new.
   */
  printedBy?: "loop" | "exception handler";
}

/** Options of {@link enableDebug}. */
export interface DebugOptions {
  /** Report callbacks and task steps running longer than this (ms); default: each loop's `slowCallbackDuration` (100). */
  slowCallbackDuration?: number;
  /** Report when the lag probe runs later than this (ms); default 100. `Infinity` switches lag monitoring off. */
  lagThreshold?: number;
  /** How often the lag probe is scheduled (ms); default 250. */
  lagInterval?: number;
  /** Report tasks still pending when a loop stops (a task `run()` will cancel: a lost task); default true. */
  pendingAtStop?: boolean;
  /**
   * Answer `aio-debug ps|pstree PID` on a Unix socket in a directory only
   * this user can enter (`$XDG_RUNTIME_DIR/aio-debug`, else
   * `<os.tmpdir()>/aio-debug-<uid>`, mode 0700); default false.
   */
  inspect?: boolean;
  /** Receives every report; default: print it with `console.warn`. */
  onReport?: (report: DebugReport) => void;
}

interface Settings {
  slow: number | undefined;
  lagThreshold: number;
  lagInterval: number;
  pendingAtStop: boolean;
  onReport: (report: DebugReport) => void;
}

const DEFAULT_LAG_THRESHOLD_MS = 100;
/** Often enough to catch a 100 ms stall, rare enough to cost nothing measurable. */
const DEFAULT_LAG_INTERVAL_MS = 250;

/**
 * The default reporter: prints the headline and details with `console.warn`,
 * or only the details when the loop prints the headline itself (they then
 * follow the loop's line, on the next tick).
 *
 * @param report - the report.
 * @throws {TypeError} when `report` is not a report (an object with `message` and `details`).
 * @example
 * ```ts
 * import { enableDebug, printReport } from "@aio/debug";
 * enableDebug({ onReport: (r) => { if (r.kind !== "loop-lag") printReport(r); } });
 * ```
 */
export function printReport(report: DebugReport): void {
  const r = report as Partial<DebugReport> | null;
  if (
    typeof r !== "object" ||
    r === null ||
    typeof r.message !== "string" ||
    !Array.isArray(r.details)
  ) {
    throw new TypeError(
      `printReport() report must be a DebugReport (message and details), received ${describeValue(report)}`,
    );
  }
  const details = report.details.map((d) => `  ${d}`);
  if (report.printedBy === undefined) {
    console.warn([report.message, ...details].join("\n"));
  } else if (details.length !== 0) {
    // The loop prints its line when the step has ended, after the hooks ran:
    // the details follow it.
    nextTick(() => console.warn(details.join("\n")));
  }
}

function taskDetails(task: InspectableTask): { details: string[]; createdAt: string | null } {
  const createdAt = creationSite(task);
  return {
    createdAt,
    details: createdAt === null ? [] : [`task '${task.getName()}' created at ${createdAt}`],
  };
}

// ----- state ----------------------------------------------------------------

let settings: Settings | null = null;
let removeInstrument: (() => void) | null = null;
let stopInspect: (() => void) | null = null;

/** Host turns seen since the debug instruments were enabled (see `armTurnSentinel`). */
let hostTurn = 0;
let sentinelArmed = false;
/**
 * The task steps running now, innermost last (a step can start inside
 * another: an eager task's first step), with their start times: two
 * parallel arrays, so a step allocates nothing. Only steps of the current
 * host turn are timed (one that spans turns was suspended, not slow), so
 * the arrays are emptied whenever a new turn begins; a step whose end is
 * never reported cannot make them grow past one turn.
 */
const stepTasks: object[] = [];
const stepT0s: number[] = [];
let stepsTurn = -1;

function truncateSteps(n: number): void {
  while (stepTasks.length > n) {
    stepTasks.pop();
    stepT0s.pop();
  }
}

interface LoopState {
  lagTimer: ReturnType<typeof setTimeout> | null;
  probe: Handle | null;
}
const loopStates = new WeakMap<EventLoop, LoopState>();
const closeWrapped = new WeakSet<EventLoop>();
const reportedPending = new WeakSet<object>();

function report(r: DebugReport): void {
  const s = settings;
  if (s === null) return;
  try {
    s.onReport(r);
  } catch (err) {
    console.error("@aio/debug: onReport threw", err);
  }
}

/**
 * A step that awaits a foreign promise gives the host a turn before it goes
 * on; a step that blocks the loop does not. One `setImmediate` per host turn
 * (only while steps run) tells the two apart: a step that saw a host turn is
 * not reported as slow (the lag monitor still sees any blocking in it).
 */
function onHostTurn(): void {
  sentinelArmed = false;
  hostTurn++;
}
(onHostTurn as unknown as Record<symbol, boolean>)[kDebugInternal] = true;

function armTurnSentinel(): void {
  if (sentinelArmed) return;
  sentinelArmed = true;
  unref(rt.taskContext.run(undefined as never, _setImmediate, onHostTurn));
}

function slowThreshold(loop: EventLoop): number {
  return settings?.slow ?? loop.slowCallbackDuration;
}

// ----- lag monitor ------------------------------------------------------

function startLagMonitor(loop: EventLoop): void {
  const s = settings;
  if (s === null || !Number.isFinite(s.lagThreshold)) return;
  let state = loopStates.get(loop);
  if (state === undefined) loopStates.set(loop, (state = { lagTimer: null, probe: null }));
  if (state.lagTimer !== null || state.probe !== null) return;
  scheduleTick(loop, state, s.lagInterval);
}

function scheduleTick(loop: EventLoop, state: LoopState, interval: number): void {
  const expected = performance.now() + interval;
  const tick = (): void => {
    state.lagTimer = null;
    if (!loop.isRunning() || loop.isClosed()) return;
    state.probe = loop.callSoon(probe, loop, state, expected);
  };
  state.lagTimer = rt.taskContext.run(undefined as never, setTimeout, tick, interval);
  unref(state.lagTimer);
}

function probe(loop: EventLoop, state: LoopState, expected: number): void {
  state.probe = null;
  const s = settings;
  if (s === null) return;
  const lag = performance.now() - expected;
  if (lag > s.lagThreshold) {
    report({
      kind: "loop-lag",
      message: `Event loop lag: a callSoon() probe ran ${lag.toFixed(3)} ms late (threshold ${s.lagThreshold} ms)`,
      details: [],
      loop,
      durationMs: lag,
    });
  }
  scheduleTick(loop, state, s.lagInterval);
}
(probe as unknown as Record<symbol, boolean>)[kDebugInternal] = true;

function stopLagMonitor(loop: EventLoop): void {
  const state = loopStates.get(loop);
  if (state === undefined) return;
  if (state.lagTimer !== null) clearTimeout(state.lagTimer);
  state.probe?.cancel();
  state.lagTimer = null;
  state.probe = null;
}

// ----- loop close ---------------------------------------------------------

function classify(message: string): DebugReportKind | null {
  if (message === "Task was destroyed but it is pending!") return "task-pending-at-close";
  if (message.endsWith("exception was never retrieved")) return "exception-never-retrieved";
  return null;
}

/**
 * Runs while `loop.close()` runs: reports resources still open, and enriches
 * what the loop reports through its exception handler (pending tasks,
 * exceptions never retrieved) with where the task was created — reported
 * once, by the loop's handler, and passed to `onReport` for tools.
 */
function onLoopClose(loop: EventLoop, close: () => void): void {
  for (const r of takeOpenResources(loop)) {
    const createdAt = r.handle.createdAt;
    report({
      kind: "resource-open",
      message: `${r.kind} was never closed: ${String(r.resource)}`,
      details: createdAt === null ? [] : [`created at ${createdAt}`],
      loop,
      resource: r.resource,
      createdAt,
    });
    if (r.close !== undefined) {
      try {
        void Promise.resolve(r.close()).catch(() => {});
      } catch {
        // Closing a leaked resource is best effort.
      }
    }
  }
  const prev = loop.getExceptionHandler();
  loop.setExceptionHandler((l, ctx: ExceptionContext) => {
    const kind = classify(ctx.message);
    // asyncio's keys: "exception was never retrieved" names the task under
    // `future` (a plain Future there has no creation site); "Task was
    // destroyed but it is pending!" under `task`.
    const task = isTask(ctx.future) ? ctx.future : (ctx.task as InspectableTask | undefined);
    if (kind !== null) {
      const info = task === undefined ? { details: [], createdAt: null } : taskDetails(task);
      if (info.createdAt !== null && ctx.sourceTraceback === undefined)
        ctx.sourceTraceback = info.createdAt;
      const r: DebugReport = {
        kind,
        message: ctx.message,
        details: [],
        loop,
        createdAt: info.createdAt,
        printedBy: "exception handler",
      };
      if (task !== undefined) r.task = task;
      if (ctx.exception !== undefined) r.exception = ctx.exception;
      report(r);
    }
    if (prev === null) l.defaultExceptionHandler(ctx);
    else prev(l, ctx);
  });
  try {
    close();
  } finally {
    // Only if nobody replaced our wrapper meanwhile.
    loop.setExceptionHandler(prev);
  }
}

function wrapClose(loop: EventLoop): void {
  if (closeWrapped.has(loop)) return;
  closeWrapped.add(loop);
  const original = loop.close;
  Object.defineProperty(loop, "close", {
    configurable: true,
    writable: true,
    value: function close(this: EventLoop): void {
      const run = () => original.call(this);
      if (settings === null || this.isClosed() || this.isRunning()) run();
      else onLoopClose(this, run);
    },
  });
}

// ----- the instrument -----------------------------------------------------

const instrument: Instrument = {
  taskCreated(task) {
    creationErrors.set(task, new Error("task created here"));
    taskId(task);
  },
  taskStep(task) {
    startedTasks.add(task);
    if (stepsTurn !== hostTurn) {
      truncateSteps(0);
      stepsTurn = hostTurn;
    }
    stepTasks.push(task);
    stepT0s.push(performance.now());
    armTurnSentinel();
  },
  taskStepEnd(task: TaskLike<unknown>, _awaiting: FutureLike<unknown> | null) {
    if (stepsTurn !== hostTurn) return; // began in an earlier host turn
    let i = stepTasks.length - 1;
    while (i >= 0 && stepTasks[i] !== task) i--;
    if (i < 0) return;
    const t0 = stepT0s[i]!;
    truncateSteps(i); // this step, and any inner one whose end never came
    const dt = performance.now() - t0;
    const loop = task.getLoop();
    if (dt < slowThreshold(loop)) return;
    const info = taskDetails(task as InspectableTask);
    const r: DebugReport = {
      kind: "slow-step",
      message: `Executing step of ${String(task)} took ${dt.toFixed(3)} ms`,
      details: info.details,
      loop,
      durationMs: dt,
      task,
      createdAt: info.createdAt,
    };
    if (loop.getDebug() && dt >= loop.slowCallbackDuration) r.printedBy = "loop";
    report(r);
  },
  callbackEnd(loop, handle, durationMs) {
    if (durationMs < slowThreshold(loop) || isInternalHandle(handle)) return;
    const r: DebugReport = {
      kind: "slow-callback",
      message: `Executing ${String(handle)} took ${durationMs.toFixed(3)} ms`,
      details: [],
      loop,
      durationMs,
    };
    if (loop.getDebug() && durationMs >= loop.slowCallbackDuration) r.printedBy = "loop";
    report(r);
  },
  resourceOpened(resource, kind, loop, close) {
    // @aio's own writers, servers and pools, reported like trackResource()'s.
    if (loop === null) return undefined;
    return trackResource(resource, { kind, loop, ...(close === undefined ? {} : { close }) })
      .closed;
  },
  loopStarted(loop) {
    wrapClose(loop);
    startLagMonitor(loop);
  },
  loopStopped(loop) {
    stopLagMonitor(loop);
    if (settings?.pendingAtStop !== true) return;
    for (const task of allTasks(loop)) {
      if (reportedPending.has(task)) continue;
      reportedPending.add(task);
      const info = taskDetails(task as unknown as InspectableTask);
      report({
        kind: "task-pending",
        message: `Task still pending when the loop stopped: ${String(task)}`,
        details: info.details,
        loop,
        task,
        createdAt: info.createdAt,
      });
    }
  },
};

/**
 * Switches on @aio's debug instruments for every loop in this process:
 *
 * - callbacks and task steps slower than `slowCallbackDuration`, with the
 *   task's name and where it was created;
 * - event-loop lag: a probe scheduled with `callSoon()` every `lagInterval`
 *   ms that runs more than `lagThreshold` ms late;
 * - tasks still pending when a loop stops (the tasks `run()` is about to
 *   cancel: lost tasks);
 * - at loop close, resources never closed (@aio's stream writers, servers
 *   and executor pools opened inside the loop, and those registered with
 *   `trackResource()`), and — through the loop's exception handler, once —
 *   tasks still pending and exceptions never retrieved, with where the task
 *   was created;
 * - with `inspect: true`, the `aio-debug ps|pstree PID` socket.
 *
 * Calling it again replaces the options. With `AIO_DEBUG=1`, importing
 * `@aio/debug/auto` (e.g. `node --import @aio/debug/auto app.js`) calls
 * `enableDebug({ inspect: true })`.
 *
 * @param options - thresholds, `inspect`, `onReport`.
 * @returns a function that switches the instruments off again (same as {@link disableDebug}).
 * @throws {TypeError} when `options` is not an object, a threshold not a
 *   number, `inspect` or `pendingAtStop` not a boolean, `onReport` not a function.
 * @throws {RangeError} when a threshold is negative or NaN, or `lagInterval` 0 or Infinity.
 * @throws {RuntimeError} with `inspect: true`, when the socket directory
 *   (or a socket in it) is not this user's: a symlink, another owner, a
 *   mode other than 0700. Nothing is switched on then.
 * @example
 * ```ts
 * import { enableDebug } from "@aio/debug";
 * import { run } from "@aio/loop";
 * import { getRunningLoop } from "@aio/core";
 * const disable = enableDebug({ slowCallbackDuration: 50 });
 * await run(() => {
 *   getRunningLoop().callSoon(function block() { const end = Date.now() + 60; while (Date.now() < end); });
 * }); // warns: Executing <Handle block()> took 60.… ms
 * disable();
 * ```
 */
export function enableDebug(options?: DebugOptions): () => void {
  const where = "enableDebug()";
  const opts = _checkOptions(where, options);
  if (opts.slowCallbackDuration !== undefined)
    _checkMs(where, "slowCallbackDuration", opts.slowCallbackDuration, { min: 0 });
  if (opts.lagThreshold !== undefined)
    _checkMs(where, "lagThreshold", opts.lagThreshold, { min: 0 });
  if (opts.lagInterval !== undefined) {
    _checkMs(where, "lagInterval", opts.lagInterval, { min: 0, infinite: false });
    if (opts.lagInterval === 0) {
      throw new RangeError(
        "enableDebug() lagInterval must be a number of milliseconds > 0, received 0",
      );
    }
  }
  if (opts.pendingAtStop !== undefined)
    _checkOneOf(where, "pendingAtStop", opts.pendingAtStop, [true, false]);
  if (opts.inspect !== undefined) _checkOneOf(where, "inspect", opts.inspect, [true, false]);
  const onReport = opts.onReport ?? printReport;
  _checkFunction(where, "onReport", onReport);
  const next: Settings = {
    slow: opts.slowCallbackDuration,
    lagThreshold: opts.lagThreshold ?? DEFAULT_LAG_THRESHOLD_MS,
    lagInterval: opts.lagInterval ?? DEFAULT_LAG_INTERVAL_MS,
    pendingAtStop: opts.pendingAtStop ?? true,
    onReport,
  };
  // First, so a refused socket directory leaves everything as it was.
  if (opts.inspect === true) {
    stopInspect ??= startInspectServer();
  } else if (stopInspect !== null) {
    stopInspect();
    stopInspect = null;
  }
  settings = next;
  tracking.active = true;
  removeInstrument ??= addInstrument(instrument);
  for (const loop of rt.runningLoops) {
    wrapClose(loop);
    startLagMonitor(loop);
  }
  return disableDebug;
}

/**
 * Switches the debug instruments off (and closes the `aio-debug` socket).
 * Idempotent.
 *
 * @example
 * ```ts
 * import { disableDebug, enableDebug } from "@aio/debug";
 * enableDebug();
 * disableDebug();
 * ```
 */
export function disableDebug(): void {
  if (removeInstrument === null) return;
  removeInstrument();
  removeInstrument = null;
  settings = null;
  tracking.active = false;
  for (const loop of rt.runningLoops) stopLagMonitor(loop);
  if (stopInspect !== null) {
    stopInspect();
    stopInspect = null;
  }
}

/**
 * Whether {@link enableDebug} is in effect.
 *
 * @returns true between `enableDebug()` and `disableDebug()`.
 * @example
 * ```ts
 * import { isDebugEnabled } from "@aio/debug";
 * console.log(isDebugEnabled()); // false
 * ```
 */
export function isDebugEnabled(): boolean {
  return settings !== null;
}
