// The size-floor model's kernel: errors, validators, the running loop and
// the step in flight, handles, the timer heap and the event loop. See
// `model.js`.

/* global P_SURFACE P_REPORTS P_VALIDATE P_DEBUG P_FAST P_HOOKS P_VTIME P_REPR P_BRAND P_MSG P_TIMERS */

import { Future, reportUnretrieved, Task } from "./futures.js";

// ---- errors (core) ----------------------------------------------------------

export class CancelledError extends Error {}
export class InvalidStateError extends Error {}
export class TimeoutError extends Error {}
export class RuntimeError extends Error {}
export class ValueError extends RangeError {}
for (const [C, name] of [
  [CancelledError, "CancelledError"],
  [InvalidStateError, "InvalidStateError"],
  [TimeoutError, "TimeoutError"],
  [RuntimeError, "RuntimeError"],
  [ValueError, "ValueError"],
]) {
  if (P_BRAND) brand(C, name);
  else C.prototype.name = name;
}

/**
 * P_BRAND: @aio's `brandError`. An error class of one copy of the model is
 * recognised by another: a `Symbol.for` brand on the prototype, checked by
 * `instanceof` on the class itself (a subclass keeps the prototype check),
 * and a `name` that is not enumerable, as a class's own would be.
 */
export function brand(C, name) {
  const sym = Symbol.for(`@aio/model.${name}`);
  Object.defineProperties(C.prototype, {
    [sym]: { value: true },
    name: { value: name, writable: true, configurable: true },
  });
  Object.defineProperty(C, Symbol.hasInstance, {
    value(value) {
      return this === C
        ? value?.[sym] === true
        : Function.prototype[Symbol.hasInstance].call(this, value);
    },
  });
}

export function checkFunction(value, name) {
  if (P_VALIDATE && typeof value !== "function") {
    throw new TypeError(
      P_MSG
        ? `${name} must be a function, received ${describe(value)}`
        : `${name} must be a function, got ${typeof value}`,
    );
  }
}
export function checkNumber(value, name) {
  if (P_VALIDATE && (typeof value !== "number" || Number.isNaN(value))) {
    throw new TypeError(`${name} must be a number, got ${String(value)}`);
  }
}

// P_MSG: @aio's messages. A value as @aio's `describeValue` shows it.
export function describe(value) {
  if (value === null) return "null";
  const type = typeof value;
  if (type === "string") {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (type === "function") return `function ${value.name || "(anonymous)"}`;
  if (type === "object") {
    const name = value.constructor?.name;
    return name && name !== "Object" ? `an instance of ${name}` : "an object";
  }
  return type === "bigint" ? `${value}n` : String(value);
}
/** P_MSG: @aio's `_checkMs`: a number (not NaN), at least `min`, or null when `nullable`. */
export function checkMs(value, name, min, nullable) {
  if (value === null && nullable) return;
  if (typeof value !== "number" || Number.isNaN(value) || value < min) {
    throw new (typeof value === "number" ? RangeError : TypeError)(
      `${name} must be a number of milliseconds${min === undefined ? "" : ` >= ${min}`}${
        nullable ? " or null" : ""
      }, received ${describe(value)}`,
    );
  }
}
/** P_MSG: a function or null. */
export function checkHandler(value, name) {
  if (value !== null && typeof value !== "function") {
    throw new TypeError(`${name} must be a function or null, received ${describe(value)}`);
  }
}

// ---- the running loop and the running step ---------------------------------

export let running = null; // the running loop (with one loop running, code outside its steps sees it too)
export let current = null; // the task whose step is in flight

// Where the host has AsyncLocalStorage (Node, Deno, Bun), an async task's
// code is known to be the task's after a foreign await too.
const hooks = globalThis.process?.getBuiltinModule?.("node:async_hooks");
export let context = hooks ? new hooks.AsyncLocalStorage() : null;
export const contextTask = () => {
  const task = context?.getStore();
  return task === undefined || task.done() ? null : task;
};

// P_BRAND: what every copy of the model in one program shares, on
// globalThis as @aio keeps its runtime: the running loop, the task whose
// step is in flight, the steps in flight, the task context (the first
// copy's) and the default executor's factory. A copy reads the loop and
// the task into its own variables (`pull()`) before it looks at them, and
// writes them back.
export const rt = P_BRAND
  ? (globalThis[Symbol.for("@aio/model.runtime.v1")] ??= {
      loop: null,
      task: null,
      inFlight: [],
      context,
      factory: null,
    })
  : null;
if (P_BRAND) context = rt.context;
/** @aio's Future brand (set in futures.js): `isFuture` across copies. */
export const kFuture = P_BRAND ? Symbol.for("@aio/model.Future") : null;
export function pull() {
  running = rt.loop;
  current = rt.task;
}

export function getRunningLoop() {
  if (P_BRAND) pull();
  if (running === null) throw new RuntimeError("no running event loop");
  return running;
}
/** P_MSG: the running loop, for a helper that names itself and the fix when there is none. */
export function runningLoop(where) {
  if (P_BRAND) pull();
  if (running === null) {
    throw new RuntimeError(
      `no running event loop: ${where} needs one — call it inside run() from @aio/loop, or make your library's entry point ensureLoop(() => …) from @aio/loop so it also works from plain Promise code`,
    );
  }
  return running;
}
/** Puts back the task whose step the creator of an eager task was in. */
export function setCurrent(task) {
  current = task;
  if (P_BRAND) rt.task = task;
}
export function currentTask() {
  if (P_BRAND) pull();
  return current ?? contextTask();
}

/** A host turn: setImmediate where there is one, a MessageChannel message elsewhere. */
export const hostTurn =
  typeof setImmediate === "function"
    ? setImmediate
    : (fn) => {
        const { port1, port2 } = new MessageChannel();
        port1.onmessage = () => {
          port1.close();
          fn();
        };
        port2.postMessage(0);
      };

// The steps in flight, innermost last: an eager task's first step runs
// inside its creator's, and its first await comes first.
export const inFlight = P_BRAND ? rt.inFlight : [];
export function stepStarted(task) {
  task._loose = false;
  inFlight.push(task);
  current = task;
  if (P_BRAND) rt.task = task;
  task._loop._inStep = true;
}
/**
 * A host turn came with steps in flight: they await foreign promises. Their
 * tasks are let go; where the host has a task context, their code is known
 * by it (not by whichever step is in flight when it next awaits).
 */
export function releaseSteps() {
  for (const task of inFlight.splice(0)) task._loose = true;
  setCurrent(null);
}
/** The task whose code is awaiting: one let go at a host turn by the task context, else the innermost step in flight. */
export function awaitingTask() {
  const task = contextTask();
  return task?._loose ? task : (inFlight.at(-1) ?? task);
}
export function stepEnded(task) {
  const i = inFlight.lastIndexOf(task);
  if (i < 0) return;
  inFlight.splice(i, 1);
  current = inFlight.at(-1) ?? null;
  if (P_BRAND) rt.task = current;
  if (inFlight.length === 0) {
    task._loop._inStep = false;
    task._loop._resume?.();
  }
}

// ---- instruments (P_HOOKS) -------------------------------------------------------

// The hooks of the registered instruments are called by the loop (the fast
// loop's callbacks, fast.js) and tasks only when there is one: with none,
// each hook site costs one branch, as in @aio.
export const instruments = [];
export function addInstrument(instrument) {
  if (typeof instrument !== "object" || instrument === null) {
    throw new TypeError(
      `addInstrument() instrument must be an object, received ${describeValue(instrument)}`,
    );
  }
  if (!instruments.includes(instrument)) instruments.push(instrument);
  return () => removeInstrument(instrument);
}
export function removeInstrument(instrument) {
  const i = instruments.indexOf(instrument);
  if (i >= 0) instruments.splice(i, 1);
  return i >= 0;
}
/** A value in a message, as @aio's `describeValue` writes it (for what the programs do not bundle). */
export function describeValue(value) {
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  return typeof value === "bigint" ? `${value}n` : String(value);
}
/** Calls hook `name` of every instrument (callers check `instruments.length` first). */
export function hook(name, a, b, c) {
  for (const i of instruments) i[name]?.(a, b, c);
}

// ---- handles and the timer heap ---------------------------------------------

export class Handle {
  constructor(cb, args, loop) {
    this._cb = cb;
    this._args = args;
    this._loop = loop;
  }
  cancel() {
    // P_TIMERS: a timer cancelled while in the heap is counted.
    if (P_TIMERS && this._inHeap && this._cb !== null) this._loop._cancelled++;
    this._cb = null;
    this._args = null;
  }
  cancelled() {
    return this._cb === null;
  }
  _run() {
    try {
      if (P_FAST) this._call();
      else this._cb(...this._args);
    } catch (exception) {
      this._loop.callExceptionHandler({
        message: `Exception in callback ${this._cb.name || "<anonymous>"}()`,
        exception,
        handle: this,
      });
    }
  }
}

// P_FAST: a handle for a callback of one argument (a future's done callback).
export const Call1 = P_FAST
  ? class extends Handle {
      _call() {
        this._cb(this._args);
      }
    }
  : null;
if (P_FAST) {
  Handle.prototype._call = function () {
    this._cb(...this._args);
  };
}

export class TimerHandle extends Handle {
  constructor(when, cb, args, loop) {
    super(cb, args, loop);
    this._when = when;
    this._seq = loop._seq++;
    if (P_TIMERS) this._inHeap = true;
  }
  when() {
    return this._when;
  }
}

const before = (a, b) => a._when < b._when || (a._when === b._when && a._seq < b._seq);
function heapPush(heap, item) {
  let i = heap.push(item) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i], heap[parent])) break;
    [heap[i], heap[parent]] = [heap[parent], heap[i]];
    i = parent;
  }
}
export function heapPop(heap) {
  const top = heap[0];
  if (P_TIMERS) {
    // Out of the heap: a cancelled one leaves the count.
    top._inHeap = false;
    if (top._cb === null) top._loop._cancelled--;
  }
  const last = heap.pop();
  if (heap.length > 0) {
    heap[0] = last;
    for (let i = 0; ; ) {
      let min = i;
      for (const c of [2 * i + 1, 2 * i + 2])
        if (c < heap.length && before(heap[c], heap[min])) min = c;
      if (min === i) break;
      [heap[i], heap[min]] = [heap[min], heap[i]];
      i = min;
    }
  }
  return top;
}

// ---- the event loop ------------------------------------------------------------

export class EventLoop {
  _ready = [];
  _timers = [];
  _seq = 0;
  _running = false;
  _stopping = false;
  _closed = false;
  _inStep = false;
  _resume = null;
  _wake = null;
  _yielded = 0;
  _tasks = new Set();
  _unretrieved = new Set();
  _debug = false;
  _handler = null;
  _factory = null;
  _executor = null;
  _signals = new Map();
  _asyncgens = new Set();
  // P_MSG: a setter checks it (see below).
  [P_MSG ? "_slow" : "slowCallbackDuration"] = 100;

  time() {
    return P_VTIME && this._virtual ? this._now : performance.now();
  }
  callSoon(cb, ...args) {
    if (P_MSG) this._checkClosed();
    checkFunction(cb, P_MSG ? "callSoon() callback" : "callback");
    if (!P_MSG) this._checkClosed();
    const handle = new Handle(cb, args, this);
    this._ready.push(handle);
    this._wake?.();
    return handle;
  }
  callLater(ms, cb, ...args) {
    if (P_MSG) {
      checkMs(ms, "callLater() delay");
      this._checkClosed();
      checkFunction(cb, "callLater() callback");
    } else checkNumber(ms, "delay");
    return this.callAt(this.time() + ms, cb, ...args);
  }
  callAt(when, cb, ...args) {
    if (P_MSG) {
      checkMs(when, "callAt() when");
      this._checkClosed();
    } else checkNumber(when, "when");
    checkFunction(cb, P_MSG ? "callAt() callback" : "callback");
    if (!P_MSG) this._checkClosed();
    const handle = new TimerHandle(when, cb, args, this);
    heapPush(this._timers, handle);
    this._wake?.();
    return handle;
  }
  _checkClosed() {
    if (this._closed) throw new RuntimeError("Event loop is closed");
  }
  createFuture() {
    return new Future(this);
  }
  createTask(fn, options) {
    this._checkClosed();
    if (P_SURFACE && this._factory !== null) return this._factory(this, fn, options);
    return new Task(fn, { ...options, loop: this });
  }

  async runForever() {
    if (P_BRAND) pull();
    if (P_MSG) this._checkCanRun();
    else {
      this._checkClosed();
      if (this._running) throw new RuntimeError("This event loop is already running");
      if (running !== null) {
        throw new RuntimeError("Cannot run the event loop while another loop is running");
      }
    }
    this._running = true;
    running = this;
    if (P_BRAND) rt.loop = this;
    if (P_HOOKS && instruments.length) hook("loopStarted", this);
    try {
      if (P_FAST) await this._runFast();
      else {
        do await this._runOnce();
        while (!this._stopping);
      }
    } finally {
      this._stopping = false;
      this._running = false;
      running = null;
      if (P_BRAND) rt.loop = null;
      if (P_HOOKS && instruments.length) hook("loopStopped", this);
    }
  }
  async runUntilComplete(aw) {
    if (P_MSG) {
      this._checkCanRun();
      if (
        typeof aw !== "function" &&
        typeof aw?.then !== "function" &&
        typeof aw?.next !== "function"
      ) {
        throw new TypeError(
          `runUntilComplete() expects a function or an awaitable, received ${describe(aw)}`,
        );
      }
      if (aw instanceof Future && aw._loop !== this) throw new ValueError(DIFFERENT_LOOP);
    } else this._checkClosed();
    const fut =
      typeof aw === "function"
        ? this.createTask(aw)
        : (P_BRAND ? aw?.[kFuture] : aw instanceof Future)
          ? aw
          : this.createTask(() => aw);
    const stop = () => this.stop();
    fut.addDoneCallback(stop);
    try {
      await this.runForever();
    } finally {
      fut.removeDoneCallback(stop);
    }
    if (!fut.done()) throw new RuntimeError("Event loop stopped before Future completed.");
    return fut.result();
  }
  stop() {
    this._stopping = true;
    this._wake?.();
  }
  isRunning() {
    return this._running;
  }
  isClosed() {
    return this._closed;
  }
  close() {
    if (this._running) throw new RuntimeError("Cannot close a running event loop");
    if (this._closed) return;
    if (P_HOOKS && instruments.length) hook("loopClosing", this);
    this._closed = true;
    if (P_REPORTS) {
      for (const task of this._tasks) {
        this.callExceptionHandler({ message: "Task was destroyed but it is pending!", task });
      }
      for (const record of this._unretrieved) reportUnretrieved(record);
    }
    if (P_SURFACE) for (const sig of [...this._signals.keys()]) this.removeSignalHandler(sig);
    this._ready = [];
    this._timers = [];
  }

  /** One iteration: wait for work (yielding to the host), then run what was ready. */
  async _runOnce() {
    if (P_TIMERS) this._compactTimers();
    const timers = this._timers;
    while (timers.length > 0 && timers[0]._cb === null) heapPop(timers);
    if (this._ready.length === 0 && !this._stopping) {
      await new Promise((resolve) => {
        const t = timers.length > 0 ? setTimeout(resolve, timers[0]._when - this.time()) : 0;
        this._wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this._wake = null;
    } else if (this.time() - this._yielded >= 4) {
      // Yield to the host once per 4 ms of iterations, as @aio does.
      await new Promise(hostTurn);
      this._yielded = this.time();
    }
    const now = this.time();
    while (timers.length > 0 && timers[0]._when <= now) {
      const handle = heapPop(timers);
      if (handle._cb !== null) this._ready.push(handle);
    }
    const batch = this._ready;
    this._ready = [];
    for (const handle of batch) {
      if (handle._cb === null) continue;
      const t0 = P_DEBUG && this._debug ? this.time() : 0;
      handle._run();
      // A task step that did not end synchronously runs on in promise
      // jobs: wait for its next await (or, if it awaits a foreign
      // promise, for the next host turn) before the next callback.
      if (this._inStep) {
        await new Promise((resolve) => {
          this._resume = resolve;
          hostTurn(resolve);
        });
        this._resume = null;
        if (this._inStep) {
          releaseSteps();
          this._inStep = false;
        }
      }
      if (P_DEBUG && this._debug) {
        const ms = this.time() - t0;
        if (ms >= this.slowCallbackDuration) {
          console.warn(`Executing ${handle._cb?.name || "callback"} took ${ms.toFixed(3)} ms`);
        }
      }
    }
  }

  getDebug() {
    return this._debug;
  }
  setDebug(enabled) {
    this._debug = Boolean(enabled);
  }

  callExceptionHandler(context) {
    if (!P_SURFACE || this._handler === null) return this.defaultExceptionHandler(context);
    try {
      this._handler(this, context);
    } catch (exception) {
      try {
        this.defaultExceptionHandler({
          message: "Unhandled error in exception handler",
          exception,
          context,
        });
      } catch {
        // asyncio: an error in the default handler is only logged
      }
    }
  }
  defaultExceptionHandler(context) {
    const lines = [context.message || "Unhandled exception in event loop"];
    for (const key of Object.keys(context)) {
      if (key !== "message" && key !== "exception") lines.push(`${key}: ${String(context[key])}`);
    }
    console.error(
      lines.join("\n"),
      ...(context.exception === undefined ? [] : [context.exception]),
    );
  }
}

// P_VTIME: a virtual-time loop (`_virtual`, its clock `_now`; see testing.js)
// jumps to its next timer when idle (fast.js) and moves its clock with this.
if (P_VTIME) {
  EventLoop.prototype._advanceClock = function (to) {
    if (to > this._now) this._now = to;
  };
}

// ---- P_REPR: asyncio's reprs ---------------------------------------------------------

/**
 * Node's `util.inspect` shows the asyncio repr (`toString()`), and
 * `Object.prototype.toString` the class's `name`, which the repr starts
 * with. @aio reads `constructor.name`; a minified bundle renames classes
 * (@aio's own browser bundle says `<w pending>`), so the model names them.
 */
export function describeClass(C, name) {
  Object.defineProperty(C.prototype, Symbol.for("nodejs.util.inspect.custom"), {
    value() {
      return this.toString();
    },
  });
  if (name) Object.defineProperty(C.prototype, Symbol.toStringTag, { value: name });
}

if (P_REPR) {
  // `<Handle cb()>`, `<Handle cancelled>`, `<TimerHandle when=12.000 cb()>`,
  // `<TimerHandle cancelled when=12.000>`.
  Handle.prototype.toString = function () {
    const info = [this._cb === null ? "cancelled" : `${this._cb.name || "<anonymous>"}()`];
    if (this instanceof TimerHandle) {
      info.splice(this._cb === null ? 1 : 0, 0, `when=${this._when.toFixed(3)}`);
    }
    return `<${this[Symbol.toStringTag]} ${info.join(" ")}>`;
  };
  describeClass(Handle, "Handle"); // a done callback's handle (P_FAST's Call1) too
  describeClass(TimerHandle, "TimerHandle");

  // `<BaseEventLoop running=false closed=false debug=false>`, under @aio's name for the class.
  EventLoop.prototype.toString = function () {
    return `<BaseEventLoop running=${this._running} closed=${this._closed} debug=${this._debug}>`;
  };
  describeClass(EventLoop, "BaseEventLoop");
}

// P_MSG: the checks @aio makes with its messages.
export const DIFFERENT_LOOP =
  "The future belongs to a different loop than the one specified as the loop argument";
if (P_MSG) {
  Object.defineProperty(EventLoop.prototype, "slowCallbackDuration", {
    get() {
      return this._slow;
    },
    set(ms) {
      checkMs(ms, "loop slowCallbackDuration", 0);
      this._slow = ms;
    },
  });
  /** asyncio `_check_closed` + `_check_running`. */
  EventLoop.prototype._checkCanRun = function () {
    if (P_BRAND) pull();
    this._checkClosed();
    if (this._running) throw new RuntimeError("This event loop is already running");
    if (running !== null && running !== this) {
      throw new RuntimeError("Cannot run the event loop while another loop is running");
    }
  };
}

// P_TIMERS: lazy deletion of cancelled timers (asyncio base_events.py): they
// stay in the heap until they reach its top, unless more than 100 are
// cancelled and they are over half of the heap; then it is rebuilt.
if (P_TIMERS) {
  /** How many timers in the heap are cancelled. */
  EventLoop.prototype._cancelled = 0;
  /** At the start of an iteration. */
  EventLoop.prototype._compactTimers = function () {
    const timers = this._timers;
    if (this._cancelled > 100 && this._cancelled / timers.length > 0.5) {
      const live = timers.filter((t) => t._cb !== null);
      timers.length = 0;
      for (const t of live) heapPush(timers, t);
      this._cancelled = 0;
    }
  };
}
