// The size-floor model's Future, Task and `sleep`. See `model.js`.

/* global P_CANCEL P_GEN P_SURFACE P_REPORTS P_DEBUG P_FAST P_HOOKS P_VTIME P_REPR P_BRAND P_MSG P_SYNCX */

import {
  awaitingTask,
  Call1,
  CancelledError,
  checkFunction,
  checkMs,
  checkNumber,
  context,
  current,
  describe,
  describeClass,
  getRunningLoop,
  hook,
  InvalidStateError,
  instruments,
  kFuture,
  pull,
  RuntimeError,
  running,
  runningLoop,
  setCurrent,
  stepEnded,
  stepStarted,
} from "./kernel.js";

// ---- Future ---------------------------------------------------------------------

const PENDING = 0;
const FINISHED = 1;
const FAILED = 2;
const CANCELLED = 3;

// "exception was never retrieved": reported when the future is collected, at
// the latest when its loop closes.
const registry = P_REPORTS ? new FinalizationRegistry((record) => reportUnretrieved(record)) : null;
export function reportUnretrieved(record) {
  if (!record.loop._unretrieved.delete(record)) return;
  record.loop.callExceptionHandler({
    message: `${record.kind} exception was never retrieved`,
    exception: record.exception,
    future: record.name,
  });
}

export class Future {
  constructor(loop = getRunningLoop()) {
    this._loop = loop;
    this._state = PENDING;
    this._value = undefined;
    this._callbacks = [];
    this._record = null;
  }
  getLoop() {
    return this._loop;
  }
  done() {
    return this._state !== PENDING;
  }
  cancelled() {
    return this._state === CANCELLED;
  }
  result() {
    if (this._state === PENDING) {
      throw new InvalidStateError(P_MSG ? "Result is not set." : "Result is not ready.");
    }
    this._retrieved();
    if (this._state === FINISHED) return this._value;
    throw this._error();
  }
  exception() {
    if (this._state === PENDING) throw new InvalidStateError("Exception is not set.");
    if (this._state === CANCELLED) throw this._error();
    this._retrieved();
    return this._state === FAILED ? this._value : null;
  }
  setResult(value) {
    this._settle(FINISHED, value);
  }
  setException(exception) {
    if (
      P_MSG &&
      this._state === PENDING &&
      exception instanceof CancelledError &&
      !this._failsCancelled
    ) {
      throw new TypeError("setException() exception must not be a CancelledError; use cancel()");
    }
    this._settle(FAILED, exception);
    if (P_REPORTS) {
      this._record = {
        loop: this._loop,
        exception,
        kind: this instanceof Task ? "Task" : "Future",
        name: this instanceof Task ? this.getName() : "Future",
      };
      this._loop._unretrieved.add(this._record);
      registry.register(this, this._record, this._record);
    }
  }
  cancel(msg) {
    if (this._state !== PENDING) return false;
    this._settle(CANCELLED, msg);
    return true;
  }
  _error() {
    return this._state === CANCELLED ? new CancelledError(this._value ?? "") : this._value;
  }
  _retrieved() {
    if (P_REPORTS && this._record !== null) {
      this._loop._unretrieved.delete(this._record);
      registry.unregister(this._record);
      this._record = null;
    }
  }
  _settle(state, value) {
    if (this._state !== PENDING) {
      throw new InvalidStateError(
        P_MSG
          ? `invalid state: ${this._state === CANCELLED ? "cancelled" : "finished"}`
          : "invalid state: the future is done",
      );
    }
    this._state = state;
    this._value = value;
    const callbacks = this._callbacks;
    this._callbacks = [];
    for (const cb of callbacks) {
      // P_FAST: a done callback's handle holds the future itself, no arguments array.
      if (P_FAST) this._loop._ready.push(new Call1(cb, this, this._loop));
      else this._loop.callSoon(cb, this);
    }
    if (P_FAST && callbacks.length > 0) this._loop._wake?.();
  }
  addDoneCallback(cb) {
    checkFunction(cb, P_MSG ? "addDoneCallback() callback" : "callback");
    if (this._state === PENDING) this._callbacks.push(cb);
    else this._loop.callSoon(cb, this);
  }
  removeDoneCallback(cb) {
    const before = this._callbacks.length;
    this._callbacks = this._callbacks.filter((c) => c !== cb);
    return before - this._callbacks.length;
  }
  /** `await fut`: inside a task step, the step ends here and resumes when the future is done. */
  then(onFulfilled, onRejected) {
    if (P_MSG) {
      // What @aio refuses, with its messages. (The task's step goes on, as
      // after awaiting a done future.)
      const task = awaitingTask();
      if (task !== null && (task === this || task._loop !== this._loop)) {
        const error = new RuntimeError(
          task === this
            ? `Task cannot await on itself: ${task}`
            : `Task ${task} got Future ${this} attached to a different loop`,
        );
        return Promise.reject(error).then(onFulfilled, onRejected);
      }
    }
    // Done already: the awaiting code goes on without giving up the loop.
    if (this.done()) {
      return new Promise((resolve) => resolve(this.result())).then(onFulfilled, onRejected);
    }
    const task = awaitingTask();
    if (task !== null) {
      stepEnded(task);
      if (P_CANCEL) {
        task._waitingOn = this;
        if (task._mustCancel && this.cancel(task._cancelMessage)) task._mustCancel = false;
      }
      if (P_HOOKS && instruments.length) hook("taskStepEnd", task, this);
    }
    const settled = new Promise((resolve, reject) => {
      this.addDoneCallback(() => {
        let failed = false;
        let outcome;
        try {
          outcome = this.result();
        } catch (err) {
          failed = true;
          outcome = err;
        }
        if (task !== null) {
          stepStarted(task);
          if (P_HOOKS && instruments.length) hook("taskStep", task);
          if (P_CANCEL) {
            task._waitingOn = null;
            // A pending cancellation, unless a CancelledError arrives anyway
            // (then the first one is kept, as asyncio's __step).
            if (task._mustCancel) {
              task._mustCancel = false;
              if (!(failed && outcome instanceof CancelledError)) {
                failed = true;
                outcome = new CancelledError(task._cancelMessage ?? "");
              }
            }
          }
        }
        if (!P_FAST) return (failed ? reject : resolve)(outcome);
        // P_FAST: the handler runs here, on the loop, as a done callback
        // would; an `await` gets its resumption queued with no promise between.
        const handler = failed ? onRejected : onFulfilled;
        if (typeof handler !== "function") return (failed ? reject : resolve)(outcome);
        try {
          resolve(handler(outcome));
        } catch (err) {
          reject(err);
        }
      });
    });
    const promise = P_FAST ? settled : settled.then(onFulfilled, onRejected);
    this._awaited();
    return promise;
  }
  /** The future is being awaited (`sleep(0)` completes here). */
  _awaited() {}
  *[Symbol.iterator]() {
    if (!this.done()) yield this;
    return this.result();
  }
  toString() {
    return P_REPR
      ? `<${this[Symbol.toStringTag]} ${this._info().join(" ")}>`
      : `<${this._kind()} ${["pending", "finished", "finished", "cancelled"][this._state]}>`;
  }
  _kind() {
    return "Future";
  }
}

// ---- Task -----------------------------------------------------------------------------

let taskCount = 0;
// P_FAST: a generator function's first call runs none of its body, so it
// needs no AsyncLocalStorage frame (a Map copy per task).
const GeneratorFunction = P_FAST ? function* () {}.constructor : null;

export class Task extends Future {
  constructor(fn, options = {}) {
    if (P_MSG) checkFunction(fn, "createTask() fn");
    const loop = options.loop ?? getRunningLoop();
    super(loop);
    if (!P_MSG) checkFunction(fn, "fn");
    this._fn = fn;
    this._started = false;
    this._gen = null;
    // P_FAST: the default name is a number until asked for (no string per task).
    this._name =
      options.name != null ? String(options.name) : P_FAST ? ++taskCount : `Task-${++taskCount}`;
    this._waitingOn = null;
    this._mustCancel = false;
    this._cancelMessage = undefined;
    this._cancelRequests = 0;
    this._abort = null;
    this._created = P_DEBUG && loop._debug ? new Error("created") : undefined;
    loop._tasks.add(this);
    if (P_BRAND) pull();
    if (P_HOOKS && instruments.length) hook("taskCreated", this);
    if (P_SURFACE && options.eagerStart && running === loop) {
      const outer = current;
      this._step(null);
      setCurrent(outer);
    } else if (P_FAST) {
      // The task is the handle of its own first step: no closure, Handle or arguments.
      loop._checkClosed();
      this._cb = this._step;
      loop._ready.push(this);
      loop._wake?.();
    } else {
      loop.callSoon(() => this._step(null));
    }
  }
  getName() {
    return P_FAST && typeof this._name === "number" ? `Task-${this._name}` : this._name;
  }
  setName(name) {
    this._name = String(name);
  }
  /** The stack where the task was created, when the loop was in debug mode then. */
  getStack() {
    return (
      this._created?.stack
        .split("\n")
        .slice(1)
        .map((line) => line.trim()) ?? []
    );
  }
  setResult() {
    throw new RuntimeError("Task does not support setResult()");
  }
  setException() {
    throw new RuntimeError("Task does not support setException()");
  }
  _kind() {
    return `Task name='${this.getName()}'`;
  }
  cancel(msg) {
    if (!P_CANCEL) return super.cancel(msg);
    if (this.done()) return false;
    this._cancelRequests++;
    this._abort?.abort(new CancelledError(msg ?? ""));
    if (this._waitingOn?.cancel(msg)) return true;
    this._mustCancel = true;
    this._cancelMessage = msg;
    return true;
  }
  cancelling() {
    return this._cancelRequests;
  }
  uncancel() {
    if (this._cancelRequests > 0) this._cancelRequests--;
    // P_SYNCX: back to none, a cancellation not yet delivered is withdrawn (a
    // timeout() whose body failed in a foreign await with its own signal's abort).
    if (P_SYNCX && this._cancelRequests === 0) this._mustCancel = false;
    return this._cancelRequests;
  }
  get signal() {
    if (this._abort === null) {
      this._abort = new AbortController();
      if (this._cancelRequests > 0)
        this._abort.abort(new CancelledError(this._cancelMessage ?? ""));
    }
    return this._abort.signal;
  }

  /** A step: the first one starts the function; a generator's later ones resume it with `woken`'s outcome. */
  _step(woken) {
    if (this.done()) return;
    let error = null;
    let value;
    if (woken !== null) {
      try {
        value = woken.result();
      } catch (err) {
        error = err;
      }
    }
    if (P_CANCEL && this._mustCancel) {
      this._mustCancel = false;
      if (!(error instanceof CancelledError)) error = new CancelledError(this._cancelMessage ?? "");
    }
    stepStarted(this);
    // P_HOOKS: a task cancelled before its first step ends without one.
    if (P_HOOKS && instruments.length && (this._started || error === null)) hook("taskStep", this);
    if (!this._started) {
      this._started = true;
      if (error !== null) {
        if (P_HOOKS) this._stepless = true;
        return this._end(FAILED, error);
      }
      let result;
      try {
        result =
          context && !(P_FAST && this._fn instanceof GeneratorFunction)
            ? context.run(this, this._fn)
            : this._fn();
      } catch (err) {
        return this._end(FAILED, err);
      }
      if (P_GEN && typeof result?.next === "function" && typeof result.throw === "function") {
        this._gen = result;
      } else if (P_HOOKS && typeof result?.then !== "function") {
        // A function that is not async: its task ends in this step, as in @aio.
        return this._end(FINISHED, result);
      } else {
        Promise.resolve(result).then(
          (v) => this._end(FINISHED, v),
          (err) => this._end(FAILED, err),
        );
        return;
      }
    }
    if (P_GEN) this._resumeGenerator(value, error);
  }
  _resumeGenerator(value, error) {
    let r;
    try {
      r = error === null ? this._gen.next(value) : this._gen.throw(error);
    } catch (err) {
      return this._end(FAILED, err);
    }
    stepEnded(this);
    if (r.done) return this._end(FINISHED, r.value);
    const fut = r.value;
    if (!(fut instanceof Future) || fut._loop !== this._loop || (P_MSG && fut === this)) {
      const bad = new RuntimeError(
        !P_MSG
          ? `Task got bad yield: ${String(fut)}`
          : fut === this
            ? `Task cannot await on itself: ${this}`
            : fut instanceof Future
              ? `Task ${this} got Future ${fut} attached to a different loop`
              : `Task got bad yield: ${describe(fut)} (use yield* with a Future, or yield a promise)`,
      );
      const failed = new Future(this._loop);
      failed._state = FAILED;
      failed._value = bad;
      this._loop.callSoon(() => this._step(failed));
      return;
    }
    this._waitingOn = fut;
    if (P_CANCEL && this._mustCancel && fut.cancel(this._cancelMessage)) this._mustCancel = false;
    fut.addDoneCallback(() => {
      this._waitingOn = null;
      this._step(fut);
    });
    fut._awaited();
    if (P_HOOKS && instruments.length) hook("taskStepEnd", this, fut);
  }
  _end(state, value) {
    stepEnded(this);
    this._loop._tasks.delete(this);
    if (state === FAILED && value instanceof CancelledError) {
      Future.prototype.cancel.call(this, value.message);
    } else if (P_CANCEL && state === FINISHED && this._mustCancel) {
      Future.prototype.cancel.call(this, this._cancelMessage);
    } else if (state === FAILED) {
      Future.prototype.setException.call(this, value);
    } else {
      Future.prototype.setResult.call(this, value);
    }
    // P_HOOKS: the task is done, then its last step has ended (as @aio reports them).
    if (P_HOOKS && instruments.length) {
      hook("taskDone", this);
      if (!this._stepless) hook("taskStepEnd", this, null);
    }
  }
}

// P_BRAND: @aio's Future brand, by which a future of another copy is taken as a future (`isFuture`).
if (P_BRAND) Future.prototype[kFuture] = true;

/** P_REPR: a value in a repr, as @aio shows it: `1`, `'abc'`, `Array(2)`, `<Map>`, `Error('boom')`. */
const format = (value, isException) =>
  isException && value instanceof Error
    ? `${value.name}(${value.message ? `'${value.message}'` : ""})`
    : typeof value === "string"
      ? `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`
      : value === null || typeof value !== "object"
        ? String(value)
        : Array.isArray(value)
          ? `Array(${value.length})`
          : `<${value.constructor?.name ?? "Object"}>`;

if (P_REPR) {
  // asyncio's repr: `<Future pending cb=[1]>`, `<Future finished result=1>`,
  // `<Future finished exception=Error('boom')>`, `<Future cancelled>`.
  Future.prototype._info = function () {
    const info = [["pending", "finished", "finished", "cancelled"][this._state]];
    if (this._state === FAILED) info.push(`exception=${format(this._value, true)}`);
    else if (this._state === FINISHED) info.push(`result=${format(this._value)}`);
    else if (this._callbacks.length > 0) info.push(`cb=[${this._callbacks.length}]`);
    return info;
  };
  describeClass(Future, "Future"); // a sleep's future too, as @aio's says `<Future …>`
  describeClass(Task, "Task");
  // `<Task pending name='Task-1' wait_for=<Future pending cb=[1]>>`, `<Task cancelling name='t'>`.
  Task.prototype._info = function () {
    const info = Future.prototype._info.call(this);
    if (this._mustCancel && !this.done()) info[0] = "cancelling";
    info.splice(1, 0, `name='${this.getName()}'`);
    if (this._waitingOn !== null) info.push(`wait_for=${this._waitingOn}`);
    return info;
  };
}

if (P_FAST) {
  Task.prototype._run = function () {
    this._cb = null;
    this._step(null);
  };
}

// ---- the functions a program imports ------------------------------------------------

export function createTask(fn, options) {
  if (P_MSG) {
    checkFunction(fn, "createTask() fn");
    return runningLoop("createTask()").createTask(fn, options);
  }
  return getRunningLoop().createTask(fn, options);
}

export function allTasks() {
  return new Set([...getRunningLoop()._tasks].filter((t) => !t.done()));
}

/** `sleep(0)`: a future that completes when awaited, so its task wakes one loop iteration later. */
class SleepZero extends Future {
  _awaited() {
    if (!this.done()) this.setResult(this._sleepValue);
  }
}

export function sleep(ms, value) {
  if (P_MSG) {
    if (ms === undefined) ms = 0;
    checkMs(ms, "sleep() ms");
  } else checkNumber(ms, "ms");
  const loop = P_MSG ? runningLoop("sleep()") : getRunningLoop();
  if (ms <= 0) {
    const fut = new SleepZero(loop);
    fut._sleepValue = value;
    return fut;
  }
  const fut = new Future(loop);
  if (P_HOOKS || P_VTIME) {
    // A cancelled sleep cancels its timer, as @aio's does: instruments hear
    // no callback for it, and a virtual clock does not jump to its deadline.
    const timer = loop.callLater(ms, () => fut.done() || fut.setResult(value));
    fut.cancel = (msg) => {
      timer.cancel();
      return Future.prototype.cancel.call(fut, msg);
    };
  } else loop.callLater(ms, () => fut.done() || fut.setResult(value));
  return fut;
}
