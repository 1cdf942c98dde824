// The size-floor model's other four names of the seven-name program
// (`run, createTask, gather, sleep, timeout, Lock, Queue`): the least code I
// could write for asyncio's `gather`, `timeout`, `Lock` and `Queue` as
// DESIGN.md pins them, on top of `model.js`. Measured by `size-floor.mjs`,
// checked against @aio by `seven-scenarios.mjs`; not a product.
//
// What it leaves out that @aio has (none of it pinned): `signal` options,
// the generator-task forms (`yield* lock.acquire()`), `Lock.hold()`/`run()`,
// loop binding checks, reprs, messages beyond asyncio's.

/* global P_CANCEL P_VALIDATE P_REPR P_BRAND P_MSG */

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
  running,
  runningLoop,
  TimeoutError,
  ValueError,
} from "./model.js";
import { brand, describeClass, kFuture } from "./kernel.js";

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
if (P_MSG) {
  QueueEmpty.prototype.message = "Queue is empty";
  QueueFull.prototype.message = "Queue is full";
  QueueShutDown.prototype.message = "Queue is shut down";
}

/** P_MSG: a waiter future, with @aio's message when no loop runs. */
function newWaiter(method) {
  if (running === null) {
    throw new RuntimeError(
      `${method} has to wait, but no event loop is running: call it from code started by run() or, in a library, ensureLoop() (@aio/loop)`,
    );
  }
  return new Future();
}

function remove(list, item) {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

/** A future's result, or what it failed with (a new CancelledError when cancelled). */
function outcome(fut) {
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
  if (P_VALIDATE && typeof aw !== "function" && typeof aw?.then !== "function") {
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
        // asyncio (bpo-32684): a cancelled gather fails with CancelledError
        // whatever returnExceptions says, the last child's if it was cancelled.
        const last = children.at(-1);
        outer.setException(last.cancelled() ? outcome(last) : new CancelledError());
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
    this._when = when;
    this._handle?.cancel();
    if (when !== null) {
      const loop = getRunningLoop();
      const onTimeout = () => {
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
      if (this._task.uncancel() <= this._cancelling && error instanceof CancelledError) {
        throw new TimeoutError(
          P_MSG
            ? `${this._ms === null ? `deadline at loop time ${this._when} ms` : `timeout of ${this._ms} ms`} expired`
            : "",
          { cause: error },
        );
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
  if (P_MSG) t._ms = ms;
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
    const fut = P_MSG ? newWaiter("Lock.acquire()") : new Future();
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
    if (P_MSG) {
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
    const waiter = P_MSG
      ? newWaiter(line === this._getters ? "Queue.get()" : "Queue.put()")
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
      const fut = P_MSG ? newWaiter("Queue.join()") : new Future();
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
