#!/usr/bin/env node
// Experiment (issue 17, target (a)): what asyncio's semantics cost a spawn,
// built up from the tasks suite's floor model one required part at a time, in
// one process, beside @aio and the native peer. Not a suite: `run.mjs` does
// not run it.
//
//   node --expose-gc bench/experiments/spawn-floor.mjs [--n N] [--reps R]   (after `pnpm build`)
//
// The workload is the suite's (a): N tasks that each `await sleep(0)` once,
// then gather them. Each model keeps everything of the one above it:
//
//   1. floor model (the suite's row): a ready queue drained in one host turn,
//      one object and one AsyncLocalStorage.run() per task, a thenable yield
//      that parks the task in the queue, Promise.all over the functions'
//      promises;
//   2. + `sleep(0)` is a Future: a fresh object per call (state, result, done
//      callbacks, loop), and its `then()` keeps a wake-up record with both
//      handlers and the task (what a cancellation needs to reach the await);
//   3. + the task is a Future that learns its function's end through a
//      reaction on the function's promise, and schedules its done callbacks
//      on the loop (asyncio's `call_soon` per callback), instead of
//      Promise.all reading the promises;
//   4. + `gather` as asyncio's: one done callback per child, a count, the
//      results array built at the end, an outer Future the caller awaits;
//   5. + step tracking: the loop knows which task runs (set when a step
//      starts, read by `then()` to tell an await inside a task, cleared when
//      it suspends), which `currentTask()`, cancellation and the ordering
//      tests rely on.
//
// What no model has and @aio has: cancellation itself, names, instruments and
// debug hooks, the task list for `allTasks()`, eager start, timers, the
// exception handler, the loop's host-turn budget. Prints markdown; never
// asserts.

import { AsyncLocalStorage } from "node:async_hooks";
import { bestCpuInterleaved, numberOption } from "./interleave.mjs";

const N = numberOption("--n", 100_000);
const REPS = numberOption("--reps", 7);

const { run } = await import("@aio/loop");
const aio = await import("@aio/futures");

// ---- the mini loop every model shares -------------------------------------

let ready = [];
let queued = false;
// Model 5: a step that did not end synchronously (an async function reaches
// its `await` only in a later microtask) pauses the batch; the step's end
// resumes it in a microtask, so steps never overlap (asyncio's one step at a time).
let batch = null;
let at = 0;
let paused = false;
function drain() {
  queued = false;
  batch = ready;
  ready = [];
  at = 0;
  runBatch();
}
function runBatch() {
  paused = false;
  while (at < batch.length) {
    const fn = batch[at];
    const arg = batch[at + 1];
    at += 2;
    fn(arg);
    if (track && current !== null) {
      paused = true;
      return;
    }
  }
}
const RESOLVED = Promise.resolve();
function stepEnded() {
  current = null;
  if (paused) RESOLVED.then(runBatch);
}
function callSoon(fn, arg) {
  ready.push(fn, arg);
  if (!queued) {
    queued = true;
    setImmediate(drain);
  }
}
const als = new AsyncLocalStorage();

// ---- model 1 ----------------------------------------------------------------

const wake1 = (waiter) => waiter.resolve();
const yieldOnce = {
  then(resolve) {
    callSoon(wake1, { resolve });
  },
};
/** Models 1 and 2: `child` started in `als.run()` from the queue per task, then Promise.all. */
async function floorSpawn(child) {
  const start = (task) => {
    task.done = als.run(task, task.fn);
  };
  const tasks = new Array(N);
  for (let i = 0; i < N; i++) {
    const task = { fn: child, done: null };
    callSoon(start, task);
    tasks[i] = task;
  }
  await new Promise((r) => setImmediate(r));
  await Promise.all(tasks.map((t) => t.done));
}
const model1 = () =>
  floorSpawn(async () => {
    await yieldOnce;
    return 1;
  });

// ---- models 2 to 5: a Future, a Task, gather ---------------------------------

const PENDING = 0;
const FINISHED = 1;
const FAILED = 2;
let current = null; // the running task (model 5)
let track = false;

class Waiter {
  constructor(fut, onFulfilled, onRejected, task) {
    this.fut = fut;
    this.onFulfilled = onFulfilled;
    this.onRejected = onRejected;
    this.task = task;
  }
}
function runWaiter(w) {
  const task = w.task;
  if (track && task !== null) current = task;
  if (w.fut.state === FINISHED) w.onFulfilled(w.fut.result);
  else w.onRejected(w.fut.result);
}
function runCallback(item) {
  item.cb(item.fut);
}

class MiniFuture {
  constructor(loop) {
    this.state = PENDING;
    this.result = undefined;
    this.cbs = null;
    this.loop = loop;
  }
  finish(state, result) {
    this.state = state;
    this.result = result;
    const cbs = this.cbs;
    this.cbs = null;
    if (cbs === null) return;
    if (Array.isArray(cbs)) for (const cb of cbs) schedule(cb, this);
    else schedule(cbs, this);
  }
  addDoneCallback(cb) {
    if (this.state !== PENDING) schedule(cb, this);
    else if (this.cbs === null) this.cbs = cb;
    else if (Array.isArray(this.cbs)) this.cbs.push(cb);
    else this.cbs = [this.cbs, cb];
  }
  then(onFulfilled, onRejected) {
    const task = track ? current : (als.getStore() ?? null);
    if (track && task !== null) stepEnded(); // the step ends at this await
    const w = new Waiter(this, onFulfilled, onRejected, task);
    if (task !== null) task.awaiting = this;
    this.addDoneCallback(w);
  }
}
function schedule(cb, fut) {
  if (cb instanceof Waiter) callSoon(runWaiter, cb);
  else callSoon(runCallback, { cb, fut });
}

/** sleep(0): a fresh Future completed when first awaited (one loop iteration). */
class SleepZero extends MiniFuture {
  then(onFulfilled, onRejected) {
    super.then(onFulfilled, onRejected);
    this.finish(FINISHED, undefined);
  }
}

class MiniTask extends MiniFuture {
  constructor(fn, loop) {
    super(loop);
    this.fn = fn;
    this.awaiting = null;
    callSoon(MiniTask.start, this);
  }
  static start(task) {
    if (track) current = task;
    als.run(task, MiniTask.callInTask, task);
  }
  static callInTask(task) {
    task.fn().then(
      (v) => {
        if (track) stepEnded();
        task.finish(FINISHED, v);
      },
      (e) => {
        if (track) stepEnded();
        task.finish(FAILED, e);
      },
    );
  }
}

/** asyncio's gather over tasks: one callback per child, results at the end. */
function miniGather(children, loop) {
  const outer = new MiniFuture(loop);
  const n = children.length;
  let nfinished = 0;
  const onChildDone = () => {
    if (++nfinished !== n) return;
    const results = [];
    for (const c of children) results.push(c.result);
    outer.finish(FINISHED, results);
  };
  for (const c of children) c.addDoneCallback(onChildDone);
  return outer;
}

/** Models 2 to 5; `level` says which parts are on. */
async function models(level) {
  track = level >= 5;
  const loop = {};
  const child = async () => {
    await new SleepZero(loop);
    return 1;
  };
  if (level === 2) return floorSpawn(child);
  const tasks = new Array(N);
  for (let i = 0; i < N; i++) tasks[i] = new MiniTask(child, loop);
  if (level === 3) {
    await new Promise((resolve) => {
      let left = N;
      const one = () => {
        if (--left === 0) resolve();
      };
      for (const t of tasks) t.addDoneCallback(one);
    });
    return;
  }
  await new Promise((resolve, reject) => miniGather(tasks, loop).then(resolve, reject));
}

// ---- the peers ----------------------------------------------------------------

function aioSpawn() {
  const child = async () => {
    await aio.sleep(0);
    return 1;
  };
  return run(async () => {
    const tasks = new Array(N);
    for (let i = 0; i < N; i++) tasks[i] = aio.createTask(child);
    await aio.gather(...tasks);
  });
}

async function native() {
  const child = async () => {
    await new Promise((r) => setImmediate(r));
    return 1;
  };
  const all = new Array(N);
  for (let i = 0; i < N; i++) all[i] = child();
  await Promise.all(all);
}

const variants = [
  ["1. floor model (the suite's row)", model1],
  ["2. + `sleep(0)` a Future, a wake-up record with both handlers", () => models(2)],
  [
    "3. + the task a Future: a reaction on its function, done callbacks on the loop",
    () => models(3),
  ],
  ["4. + `gather` as asyncio's (a callback per child, an outer Future)", () => models(4)],
  ["5. + step tracking (the running task, set and cleared per step)", () => models(5)],
  ["@aio `createTask` + `sleep(0)` + `gather`", aioSpawn],
  ["native: async fn + `setImmediate` promise + `Promise.all`", native],
];
const best = await bestCpuInterleaved(variants, REPS);
const nativeMs = best.get(variants.at(-1)[0]);
console.log(`Node ${process.version}, ${N.toLocaleString("en")} tasks, best of ${REPS} (CPU time)`);
console.log("");
console.log("| variant | CPU time | tasks per CPU second | ÷ native |");
console.log("|---|---:|---:|---:|");
for (const [name] of variants) {
  const ms = best.get(name);
  console.log(
    `| ${name} | ${ms.toFixed(0)} ms | ${(N / ms).toFixed(0)}k/s | ${(nativeMs / ms).toFixed(2)}× |`,
  );
}
