// The size-floor model's other four names of the seven-name program
// (`run, createTask, gather, sleep, timeout, Lock, Queue`): the least code I
// could write for asyncio's `gather`, `timeout`, `Lock` and `Queue` as
// DESIGN.md pins them, on top of `model.js`. Measured by `size-floor.mjs`,
// checked against @aio by `seven-scenarios.mjs`; not a product.
//
// What it leaves out that @aio has (none of it pinned): `signal` options,
// the generator-task forms (`yield* lock.acquire()`), `Lock.hold()`/`run()`,
// loop binding checks, reprs, messages beyond asyncio's. The feature flag
// P_SYNCX adds the first three and the rest its tests rely on (see its section).

/* global P_CANCEL P_VALIDATE P_REPR P_BRAND P_MSG P_SYNCX */

import { brand, current, describeClass, kFuture } from "./kernel.js";
import {
  CancelledError,
  checkFunction,
  checkMs,
  checkNumber,
  createTask,
  currentTask,
  DIFFERENT_LOOP,
  describe,
  Future,
  getRunningLoop,
  RuntimeError,
  runningLoop,
  TimeoutError,
  ValueError,
} from "./model.js";

export class QueueEmpty extends Error {}
export class QueueFull extends Error {}
export class QueueShutDown extends Error {}
for (const [C, name] of [
  [QueueEmpty, "QueueEmpty"],
  [QueueFull, "QueueFull"],
  [QueueShutDown, "QueueShutDown"],
]) {
  if (P_BRAND) brand(C, name);
  else C.prototype.name = name;
}
// P_MSG, P_SYNCX: @aio's default messages.
if (P_MSG || P_SYNCX) {
  QueueEmpty.prototype.message = "Queue is empty";
  QueueFull.prototype.message = "Queue is full";
  QueueShutDown.prototype.message = "Queue is shut down";
}

function remove(list, item) {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

/** A future's result, or what it failed with (a new CancelledError when cancelled). */
function outcome(fut) {
  // P_SYNCX: a task that failed with its own signal's abort was cancelled: its reason.
  if (P_SYNCX && failedOwnAbort(fut)) return fut._abort.signal.reason;
  try {
    return fut.result();
  } catch (err) {
    return err;
  }
}

// ---- gather -----------------------------------------------------------------------

/** asyncio `_GatheringFuture`: cancelling it cancels the children. */
class GatheringFuture extends Future {
  constructor(children) {
    super();
    this._children = children;
    this._cancelRequested = false;
  }
  cancel(msg) {
    if (this.done()) return false;
    let ret = false;
    for (const child of this._children) {
      if (child.cancel(msg)) ret = true;
    }
    if (ret) this._cancelRequested = true;
    return ret;
  }
}

function isOptions(value) {
  if (typeof value !== "object" || value === null || typeof value.then === "function") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function toFuture(aw) {
  if (P_BRAND ? aw?.[kFuture] : aw instanceof Future) return aw;
  if (
    P_VALIDATE &&
    typeof aw !== "function" &&
    typeof aw?.then !== "function" &&
    // P_SYNCX: a generator runs in a generator task.
    !(P_SYNCX && typeof aw?.next === "function")
  ) {
    throw new TypeError(
      P_MSG
        ? `gather() expects a Future, a thenable, a generator or a function, received ${describe(aw)}`
        : `gather() arguments must be awaitables or functions, got ${typeof aw}`,
    );
  }
  return (P_MSG ? (fn) => runningLoop("gather()").createTask(fn) : createTask)(
    typeof aw === "function" ? aw : () => aw,
  );
}

export function gather(...aws) {
  let returnExceptions = false;
  if (isOptions(aws.at(-1))) returnExceptions = Boolean(aws.pop().returnExceptions);
  let nfinished = 0;
  const onDone = (fut) => {
    nfinished++;
    if (outer.done()) {
      if (!fut.cancelled()) fut.exception(); // retrieved: the gather failed already
      return;
    }
    if (!returnExceptions && (fut.cancelled() || fut.exception() !== null)) {
      outer.setException(outcome(fut));
      return;
    }
    if (nfinished === futures.size) {
      if (outer._cancelRequested) {
        // P_SYNCX: asyncio takes every child's outcome first (none is left unretrieved).
        if (P_SYNCX) children.map(outcome);
        // asyncio (bpo-32684): a cancelled gather fails with CancelledError
        // whatever returnExceptions says, the last child's if it was cancelled.
        const last = children.at(-1);
        outer.setException(
          last.cancelled() || (P_SYNCX && failedOwnAbort(last))
            ? outcome(last)
            : new CancelledError(),
        );
      } else {
        outer.setResult(children.map(outcome));
      }
    }
  };
  // One future per distinct argument, its done callback added in argument order.
  const futures = new Map();
  const children = aws.map((aw) => {
    // P_MSG: every Future on the first child's loop.
    if (
      P_MSG &&
      aw instanceof Future &&
      aw._loop !== (aws[0] instanceof Future ? aws[0]._loop : getRunningLoop())
    ) {
      throw new ValueError(DIFFERENT_LOOP);
    }
    let fut = futures.get(aw);
    if (fut === undefined) {
      fut = toFuture(aw);
      futures.set(aw, fut);
      fut.addDoneCallback(onDone);
    }
    return fut;
  });
  if (P_MSG && children.length === 0) runningLoop("gather()");
  const outer = new GatheringFuture(children);
  if (children.length === 0) outer.setResult([]);
  return outer;
}

// A gather fails with a child's CancelledError (asyncio's `set_exception` of its own).
if (P_MSG) GatheringFuture.prototype._failsCancelled = true;

// ---- timeout ----------------------------------------------------------------------

/** asyncio `Timeout`, entered: states "active", "expiring", "expired", "finished". */
class Timeout {
  constructor(task, when) {
    this._task = task;
    this._cancelling = task.cancelling();
    this._state = "active";
    this._handle = null;
    this.reschedule(when);
  }
  when() {
    return this._when;
  }
  reschedule(when) {
    if (P_MSG) checkMs(when, "Timeout.reschedule() when", undefined, true);
    else if (when !== null) checkNumber(when, "when");
    if (this._state !== "active") {
      throw new RuntimeError(`Cannot change state of ${this._state} Timeout`);
    }
    // P_MSG, P_SYNCX: a new deadline is named in the TimeoutError, not the duration.
    if ((P_MSG || P_SYNCX) && when !== this._when) this._what = null;
    this._when = when;
    this._handle?.cancel();
    if (when !== null) {
      const loop = getRunningLoop();
      const onTimeout = () => {
        // P_SYNCX: what the task waits on, for the TimeoutError's report.
        if (P_SYNCX) this._waitingFor = this._task._waitingOn?.toString();
        this._task.cancel();
        this._state = "expiring";
      };
      this._handle = when <= loop.time() ? loop.callSoon(onTimeout) : loop.callAt(when, onTimeout);
    }
  }
  expired() {
    return this._state === "expiring" || this._state === "expired";
  }
  /** asyncio `__aexit__`: our own cancellation, and no other request pending, becomes TimeoutError. */
  _exit(error) {
    this._handle?.cancel();
    if (this._state === "expiring") {
      this._state = "expired";
      if (
        this._task.uncancel() <= this._cancelling &&
        (error instanceof CancelledError || (P_SYNCX && ownAbort(this._task, error)))
      ) {
        if (P_SYNCX) throw timeoutError(this, error);
        throw new TimeoutError(P_MSG ? expiredMessage(this) : "", { cause: error });
      }
    } else {
      this._state = "finished";
    }
  }
}

export async function timeout(ms, fn) {
  if (P_MSG) checkMs(ms, "timeout() ms", undefined, true);
  else if (ms !== null) checkNumber(ms, "ms");
  checkFunction(fn, P_MSG ? "timeout() fn" : "fn");
  const loop = P_MSG ? runningLoop("timeout()") : getRunningLoop();
  const task = currentTask();
  if (task === null) throw new RuntimeError("Timeout should be used inside a task");
  const t = new Timeout(task, ms === null ? null : loop.time() + ms);
  if (P_MSG || P_SYNCX) t._what = ms === null ? null : `timeout of ${ms} ms`;
  if (P_SYNCX) {
    t._site = new Error();
    Error.captureStackTrace?.(t._site, timeout);
  }
  let error;
  try {
    return await fn(t);
  } catch (err) {
    error = err;
    throw err;
  } finally {
    t._exit(error);
  }
}

// ---- Lock -------------------------------------------------------------------------

/**
 * asyncio `Lock`: a waiter stays listed until its task runs, so a fresh
 * acquire() never overtakes a woken one; a cancelled waiter passes a wake-up on.
 */
export class Lock {
  _locked = false;
  _waiters = [];

  locked() {
    return this._locked;
  }
  async acquire() {
    if (!this._locked && this._waiters.every((w) => w.cancelled())) {
      this._locked = true;
      return true;
    }
    const fut = P_MSG || P_SYNCX ? new Future(loopFor("Lock.acquire()")) : new Future();
    this._waiters.push(fut);
    try {
      await fut;
    } catch (err) {
      if (P_CANCEL) {
        remove(this._waiters, fut);
        if (!this._locked) this._wakeUpFirst();
      }
      throw err;
    }
    remove(this._waiters, fut);
    this._locked = true;
    return true;
  }
  release() {
    if (!this._locked) throw new RuntimeError("Lock is not acquired.");
    this._locked = false;
    this._wakeUpFirst();
  }
  _wakeUpFirst() {
    const fut = this._waiters[0];
    if (fut !== undefined && !fut.done()) fut.setResult(true);
  }
  [Symbol.asyncDispose]() {
    this.release();
  }
}

// ---- Queue ------------------------------------------------------------------------

/**
 * A line of waiting getters or putters. `woken` counts the waiters woken and
 * not yet run: a fresh get()/put() waits behind them (no barging).
 */
function newLine() {
  return { waiters: [], woken: 0 };
}

function wakeUpNext(line) {
  while (line.waiters.length > 0) {
    const waiter = line.waiters.shift();
    if (!waiter.done()) {
      line.woken++;
      waiter.setResult();
      return;
    }
  }
}

/** asyncio `Queue` (3.13, with shutdown), FIFO. */
export class Queue {
  constructor(maxsize = 0) {
    if (P_MSG || (P_SYNCX && P_VALIDATE)) {
      if (
        typeof maxsize !== "number" ||
        !(Number.isInteger(maxsize) || Math.abs(maxsize) === Infinity)
      ) {
        throw new (typeof maxsize === "number" ? RangeError : TypeError)(
          `Queue maxsize must be an integer (0 or less: unbounded), received ${describe(maxsize)}`,
        );
      }
    } else checkNumber(maxsize, "maxsize");
    this._maxsize = maxsize;
    this._items = [];
    this._getters = newLine();
    this._putters = newLine();
    this._unfinished = 0;
    this._joiners = [];
    this._shutdown = false;
  }
  get maxsize() {
    return this._maxsize;
  }
  qsize() {
    return this._items.length;
  }
  empty() {
    return this._items.length === 0;
  }
  full() {
    return this._maxsize > 0 && this._items.length >= this._maxsize;
  }

  async put(item) {
    for (let woken = false; ; woken = true) {
      if (this._shutdown) throw new QueueShutDown();
      const free = this._maxsize > 0 ? this._maxsize - this._items.length : Infinity;
      if (woken ? free > 0 : this._putters.waiters.length === 0 && free > this._putters.woken) {
        return this.putNowait(item);
      }
      await this._wait(this._putters, woken, () => !this.full());
    }
  }
  putNowait(item) {
    if (this._shutdown) throw new QueueShutDown();
    if (this.full()) throw new QueueFull();
    this._items.push(item);
    this._unfinished++;
    wakeUpNext(this._getters);
  }

  async get() {
    for (let woken = false; ; woken = true) {
      const n = this._items.length;
      if (
        n > 0 &&
        (woken || this._shutdown || (this._getters.waiters.length === 0 && n > this._getters.woken))
      ) {
        return this.getNowait();
      }
      if (this._shutdown) throw new QueueShutDown();
      await this._wait(this._getters, woken, () => !this.empty());
    }
  }
  getNowait() {
    if (this._items.length === 0) throw this._shutdown ? new QueueShutDown() : new QueueEmpty();
    const item = this._items.shift();
    wakeUpNext(this._putters);
    return item;
  }

  /** Waits in `line` (at its head when woken before and beaten to it); a woken waiter cancelled passes its wake-up on. */
  async _wait(line, woken, nextMayGo) {
    const waiter =
      P_MSG || P_SYNCX
        ? new Future(loopFor(line === this._getters ? "Queue.get()" : "Queue.put()"))
        : new Future();
    if (woken) line.waiters.unshift(waiter);
    else line.waiters.push(waiter);
    try {
      await waiter;
    } catch (err) {
      if (P_CANCEL) {
        remove(line.waiters, waiter);
        if (!waiter.cancelled()) {
          line.woken--;
          if (nextMayGo()) wakeUpNext(line);
        }
      }
      throw err;
    }
    line.woken--;
  }

  taskDone() {
    if (this._unfinished <= 0) throw new ValueError("taskDone() called too many times");
    if (--this._unfinished === 0) this._finished();
  }
  async join() {
    if (this._unfinished > 0) {
      const fut = P_MSG || P_SYNCX ? new Future(loopFor("Queue.join()")) : new Future();
      this._joiners.push(fut);
      await fut;
    }
  }
  _finished() {
    for (const fut of this._joiners) if (!fut.done()) fut.setResult();
    this._joiners = [];
  }

  shutdown(immediate = false) {
    this._shutdown = true;
    if (immediate) {
      // The discarded items count as done.
      this._unfinished = Math.max(0, this._unfinished - this._items.length);
      this._items = [];
      if (this._unfinished === 0) this._finished();
    }
    while (this._getters.waiters.length > 0) wakeUpNext(this._getters);
    while (this._putters.waiters.length > 0) wakeUpNext(this._putters);
  }

  async *[Symbol.asyncIterator]() {
    for (;;) {
      let item;
      try {
        item = await this.get();
      } catch (err) {
        if (err instanceof QueueShutDown) return;
        throw err;
      }
      yield item;
    }
  }
}

// ---- P_REPR: asyncio's reprs -------------------------------------------------------

/** An item in a queue's repr, as @aio shows it: `1`, `'a'`, `[1, [2]]`, `{…}`. */
function formatItem(value, depth = 0) {
  if (typeof value === "string") return `'${value.replace(/'/g, "\\'")}'`;
  if (typeof value === "bigint") return `${value}n`;
  if (Array.isArray(value)) {
    return depth > 2 ? "[…]" : `[${value.map((v) => formatItem(v, depth + 1)).join(", ")}]`;
  }
  if (value === null || typeof value !== "object") return String(value);
  if (value instanceof Date) return value.toISOString();
  const s = String(value);
  return s === "[object Object]" ? "{…}" : s;
}

if (P_REPR) {
  // `<Timeout [active] when=12.000>`, `<Timeout [expired]>` (no tag, as @aio's).
  Timeout.prototype.toString = function () {
    const when = this._state === "active" ? ` when=${this._when?.toFixed(3) ?? "null"}` : "";
    return `<Timeout [${this._state}]${when}>`;
  };
  describeClass(Timeout);
  // `<Lock [unlocked]>`, `<Lock [locked, waiters:1]>`.
  Lock.prototype.toString = function () {
    const n = this._waiters.length;
    return `<Lock [${this._locked ? "locked" : "unlocked"}${n > 0 ? `, waiters:${n}` : ""}]>`;
  };
  describeClass(Lock, "Lock");
  // `<Queue maxsize=2 _queue=[1, 'a'] _getters[1] _putters[1] tasks=2 shutdown>`, 20 items at most.
  Queue.prototype.toString = function () {
    let result = `maxsize=${this._maxsize}`;
    const n = this._items.length;
    if (n > 0) {
      const items = this._items.slice(0, 20).map((v) => formatItem(v));
      if (n > 20) items.push(`… ${n - 20} more`);
      result += ` _queue=[${items.join(", ")}]`;
    }
    if (this._getters.waiters.length > 0) result += ` _getters[${this._getters.waiters.length}]`;
    if (this._putters.waiters.length > 0) result += ` _putters[${this._putters.waiters.length}]`;
    if (this._unfinished > 0) result += ` tasks=${this._unfinished}`;
    if (this._shutdown) result += " shutdown";
    return `<Queue ${result}>`;
  };
  describeClass(Queue, "Queue");
  describeClass(GatheringFuture, "GatheringFuture");
}

// ---- P_SYNCX: what @aio's gather, timeout, Lock and Queue have beyond the floor ----------
//
// `{ signal }` on every wait, the `yield*` forms of the waits in generator
// tasks (a wait is then a lazy generator, asyncio's coroutine, its task
// suspended on the waiter future itself), `Lock.hold()` and `Lock.run()`,
// the waits' "no event loop" error, the TimeoutError's report, and a task
// failed with its own signal's abort counted as cancelled.

/** True when `error` is `task`'s own signal's abort: the reason, or caused by it. */
function ownAbort(task, error) {
  const signal = task._abort?.signal;
  return signal?.aborted && (error === signal.reason || error?.cause === signal.reason);
}

/** True when `fut` (a task) failed with its own signal's abort: it was cancelled. */
const failedOwnAbort = (fut) => !fut.cancelled() && ownAbort(fut, fut.exception());

/** The frames of `stack` outside the model and the runtime's internals. */
const userFrames = (stack) =>
  stack
    .split("\n")
    .filter(
      (line) =>
        /^\s+at /.test(line) &&
        !line.includes(import.meta.url) &&
        !/\(node:|<anonymous>\)$/.test(line),
    )
    .join("\n");

/** P_MSG, P_SYNCX: @aio's TimeoutError message: the duration given, or the deadline (to the microsecond). */
function expiredMessage(t) {
  return `${t._what ?? `deadline at loop time ${+t._when.toFixed(3)} ms`} expired`;
}

/** @aio's TimeoutError: which timeout expired, where it was set, what the task was waiting for. */
function timeoutError(t, cause) {
  const err = new TimeoutError(expiredMessage(t), { cause });
  err.stack += `\n    --- the timeout was set at:\n${userFrames(t._site.stack)}`;
  if (t._waitingFor)
    err.stack += `\n    --- when it expired, the task was waiting for: ${t._waitingFor}`;
  return err;
}

/** P_MSG, P_SYNCX: the loop a wait's future is made on, with @aio's message when no loop runs. */
function loopFor(method) {
  try {
    return getRunningLoop();
  } catch {
    throw new RuntimeError(
      `${method} has to wait, but no event loop is running: call it from code started by run() or, in a library, ensureLoop() (@aio/loop)`,
    );
  }
}

function signalOf(options) {
  const signal = options?.signal;
  if (
    P_VALIDATE &&
    (typeof options !== "object" || (signal !== undefined && !(signal instanceof AbortSignal)))
  ) {
    throw new TypeError("options.signal must be an AbortSignal");
  }
  if (signal?.aborted) throw signal.reason;
  return signal;
}

/** `yield* fut`, given up when `signal` aborts: the future is cancelled (the repair runs), and `signal.reason` thrown. */
function* waitOn(fut, signal) {
  if (signal === undefined) return yield* fut;
  let aborted = false;
  const onAbort = () => {
    aborted ||= fut.cancel();
  };
  signal.addEventListener("abort", onAbort);
  if (signal.aborted) onAbort();
  try {
    return yield* fut;
  } catch (err) {
    throw aborted ? signal.reason : err;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** The promise form of a wait: its generator driven by `await`. */
async function drive(gen) {
  let r = gen.next();
  while (!r.done) {
    try {
      await r.value;
    } catch (err) {
      r = gen.throw(err);
      continue;
    }
    r = gen.next();
  }
  return r.value;
}

/** A wait in the caller's form: lazy inside a generator task's step, else a promise. */
const form = (gen) => (current?._gen ? gen : drive(gen));

function* acquireG(lock, options) {
  const signal = options === undefined ? undefined : signalOf(options);
  if (!lock._locked && lock._waiters.every((w) => w.cancelled())) {
    lock._locked = true;
    return true;
  }
  const fut = new Future(loopFor("Lock.acquire()"));
  lock._waiters.push(fut);
  try {
    yield* waitOn(fut, signal);
  } catch (err) {
    remove(lock._waiters, fut);
    if (!lock._locked) lock._wakeUpFirst();
    throw err;
  }
  remove(lock._waiters, fut);
  lock._locked = true;
  return true;
}

function* holdG(lock, options) {
  yield* acquireG(lock, options);
  return new Hold(lock);
}

/** One acquisition as a disposable: `await using _ = await lock.hold()`. */
class Hold {
  constructor(owner) {
    this._owner = owner;
  }
  held() {
    return this._owner !== null;
  }
  release() {
    const owner = this._owner;
    this._owner = null;
    owner?.release();
  }
  [Symbol.dispose]() {
    this.release();
  }
  [Symbol.asyncDispose]() {
    this.release();
    return Promise.resolve();
  }
}

async function runHeld(lock, fn) {
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

/** `Lock.run()`: a waiter that needs no loop and suspends no task, in the same line. */
function runLock(lock, fn, options) {
  if (P_VALIDATE && typeof fn !== "function") {
    throw new TypeError(`Lock.run() fn must be a function, received ${String(fn)}`);
  }
  const signal = options === undefined ? undefined : signalOf(options);
  if (!lock._locked && lock._waiters.every((w) => w.cancelled())) {
    lock._locked = true;
    return runHeld(lock, fn);
  }
  let state = 0; // 1 woken, 2 cancelled
  let open;
  const gate = new Promise((resolve) => (open = resolve));
  const settle = (s) => {
    if (state) return false;
    state = s;
    open();
    return true;
  };
  const waiter = {
    done: () => state > 0,
    cancelled: () => state > 1,
    setResult: () => settle(1),
    cancel: () => settle(2),
  };
  lock._waiters.push(waiter);
  signal?.addEventListener("abort", waiter.cancel);
  return gate.then(() => {
    signal?.removeEventListener("abort", waiter.cancel);
    remove(lock._waiters, waiter);
    if (state > 1) {
      if (!lock._locked) lock._wakeUpFirst();
      throw signal.reason;
    }
    lock._locked = true;
    return runHeld(lock, fn);
  });
}

function* getG(q, options) {
  const signal = options === undefined ? undefined : signalOf(options);
  for (let woken = false; ; woken = true) {
    const n = q._items.length;
    if (
      n > 0 &&
      (woken || q._shutdown || (q._getters.waiters.length === 0 && n > q._getters.woken))
    ) {
      return q.getNowait();
    }
    if (q._shutdown) throw new QueueShutDown();
    yield* waitG(q, q._getters, woken, () => !q.empty(), signal);
  }
}

function* putG(q, item, options) {
  const signal = options === undefined ? undefined : signalOf(options);
  for (let woken = false; ; woken = true) {
    if (q._shutdown) throw new QueueShutDown();
    const free = q._maxsize > 0 ? q._maxsize - q._items.length : Infinity;
    if (woken ? free > 0 : q._putters.waiters.length === 0 && free > q._putters.woken) {
      return q.putNowait(item);
    }
    yield* waitG(q, q._putters, woken, () => !q.full(), signal);
  }
}

/** Queue `_wait()` for both forms. */
function* waitG(q, line, woken, nextMayGo, signal) {
  const waiter = new Future(loopFor(line === q._getters ? "Queue.get()" : "Queue.put()"));
  if (woken) line.waiters.unshift(waiter);
  else line.waiters.push(waiter);
  try {
    yield* waitOn(waiter, signal);
  } catch (err) {
    remove(line.waiters, waiter);
    if (!waiter.cancelled()) {
      line.woken--;
      if (nextMayGo()) wakeUpNext(line);
    }
    throw err;
  }
  line.woken--;
}

function* joinG(q, options) {
  const signal = options === undefined ? undefined : signalOf(options);
  if (q._unfinished > 0) {
    const fut = new Future(loopFor("Queue.join()"));
    q._joiners.push(fut);
    yield* waitOn(fut, signal);
  }
}

if (P_SYNCX) {
  // An op awaited (by an async helper a generator task called) runs the promise form.
  for (const g of [acquireG, holdG, getG, putG, joinG]) {
    g.prototype.then = function (onFulfilled, onRejected) {
      return drive(this).then(onFulfilled, onRejected);
    };
  }
  // The promise forms without options stay the plain async methods above (the hot paths).
  const { acquire } = Lock.prototype;
  const { get, put, join } = Queue.prototype;
  Object.assign(Lock.prototype, {
    acquire(options) {
      return options === undefined && !current?._gen
        ? acquire.call(this)
        : form(acquireG(this, options));
    },
    hold(options) {
      return form(holdG(this, options));
    },
    run(fn, options) {
      try {
        return runLock(this, fn, options);
      } catch (err) {
        return Promise.reject(err);
      }
    },
  });
  Object.assign(Queue.prototype, {
    get(options) {
      return options === undefined && !current?._gen ? get.call(this) : form(getG(this, options));
    },
    put(item, options) {
      return options === undefined && !current?._gen
        ? put.call(this, item)
        : form(putG(this, item, options));
    },
    join(options) {
      return options === undefined && !current?._gen ? join.call(this) : form(joinG(this, options));
    },
  });
}
