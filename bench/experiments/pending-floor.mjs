#!/usr/bin/env node
// Experiment (issue 17, target (b)): what a pending async-function task must
// hold beyond the engine floor of the tasks suite, built up one part at a
// time in one process, next to @aio's own figure:
//
//   1. the floor: a native async function blocked on a thenable, started in
//      AsyncLocalStorage.run() with a store of its own (as in tasks.bench.mjs);
//   2. + one object per task with a Task's fields (16 in-object fields: loop,
//      state, result, first callback, more callbacks, complete-on-await,
//      scope, name, must-cancel, cold fields, prev, next, awaited future,
//      generator flag, and the two private-method brands Future and Task
//      carry) and the task as its own store;
//   3. + the reaction a task needs to learn that its function settled
//      (`promise.then(onFulfilled, onRejected)`: a reaction and a derived
//      promise), registered inside the task's own frame as @aio does
//      (`callInTask`); registered after `run()` returned instead, the
//      reaction keeps the fresh frame `run()` leaves behind alive too (3b);
//   4. + the record that wakes the task (a Waiter: future, handlers, resolvers,
//      task, settled);
//   5. @aio: `createTask(blocked)`, the task blocked on `await fut`.
//
//   node --expose-gc bench/experiments/pending-floor.mjs [N]   (after `pnpm build`)
//
// Not a suite; prints markdown; never asserts.
import { AsyncLocalStorage } from "node:async_hooks";

const N = Number(process.argv[2] ?? 100_000);
const gc = globalThis.gc;
if (typeof gc !== "function") {
  console.error("run with --expose-gc");
  process.exit(2);
}

async function heapPerItem(make) {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const release = await make(N);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  await release();
  return (after - before) / N;
}

/** Sixteen fields, like a Task (the values are placeholders of the right kinds). */
class TaskShape {
  constructor(loop) {
    this.futureBrand = loop;
    this.taskBrand = loop;
    this.loop = loop;
    this.state = 0;
    this.result = undefined;
    this.cb0 = null;
    this.cbs = null;
    this.completeOnAwait = false;
    this.scope = null;
    this.name = 1;
    this.mustCancel = false;
    this.cold = null;
    this.prev = null;
    this.next = null;
    this.futWaiter = null;
    this.isGenerator = false;
  }
}

/** Eight fields, like a Waiter. */
class WaiterShape {
  constructor(future, onFulfilled, onRejected, task) {
    this.future = future;
    this.onFulfilled = onFulfilled;
    this.onRejected = onRejected;
    this.resolve = null;
    this.reject = null;
    this.task = task;
    this.settled = null;
  }
}

function onSettled() {}

/** Steps 1–4: `parts` adds the per-task objects to the floor; `thenOutside`: step 3's reaction is registered after `run()` returned. */
function model(parts, thenOutside = false) {
  return async (n) => {
    const als = new AsyncLocalStorage();
    let waiters = [];
    const loop = {};
    const gate = {
      then(resolve, reject) {
        const task = als.getStore();
        waiters.push(parts >= 4 ? new WaiterShape(gate, resolve, reject, task) : resolve);
      },
    };
    const blocked = async () => {
      await gate;
    };
    const started = () => {
      const p = blocked();
      if (parts >= 3 && !thenOutside) p.then(onSettled, onSettled);
      return p;
    };
    const all = new Array(n);
    for (let i = 0; i < n; i++) {
      const store = parts >= 2 ? new TaskShape(loop) : {};
      const p = als.run(store, started);
      if (parts >= 3 && thenOutside) p.then(onSettled, onSettled);
      all[i] = parts >= 2 ? store : p;
      if (parts >= 2) store.result = p;
    }
    await new Promise((r) => setImmediate(r));
    return async () => {
      for (const w of waiters) (typeof w === "function" ? w : w.onFulfilled)();
      waiters = [];
    };
  };
}

async function aio(n) {
  const { run } = await import("@aio/loop");
  const { getRunningLoop } = await import("@aio/core");
  const { createTask, gather, sleep } = await import("@aio/futures");
  let release;
  let done;
  const finished = new Promise((r) => {
    done = r;
  });
  const ready = new Promise((r) => {
    release = r;
  });
  run(async () => {
    const fut = getRunningLoop().createFuture();
    const blocked = async () => {
      await fut;
    };
    const tasks = new Array(n);
    for (let i = 0; i < n; i++) tasks[i] = createTask(blocked);
    await sleep(0);
    await sleep(0);
    const go = new Promise((r) => release(r));
    await go;
    fut.setResult(undefined);
    await gather(...tasks);
  }).then(done);
  const go = await ready;
  return async () => {
    go();
    await finished;
  };
}

const rows = [
  [
    "1. floor: async fn blocked on a thenable, in `AsyncLocalStorage.run()`",
    await heapPerItem(model(1)),
  ],
  ["2. + a Task-sized object (16 fields), the task as its own store", await heapPerItem(model(2))],
  [
    "3. + the reaction on the function's promise (`then` + derived promise), inside the task's frame",
    await heapPerItem(model(3)),
  ],
  [
    "3b. the same reaction registered after `run()` returned (not what @aio does)",
    await heapPerItem(model(3, true)),
  ],
  [
    "4. + a Waiter-sized wake-up record (7 fields) instead of the bare resolve",
    await heapPerItem(model(4)),
  ],
  ["5. @aio `createTask`, blocked on `await fut`", await heapPerItem(aio)],
];
const floor = rows[0][1];
console.log(`Node ${process.version}, N = ${N.toLocaleString("en")}\n`);
console.log("| model | bytes per pending task | ÷ floor |\n|---|---:|---:|");
for (const [name, bytes] of rows)
  console.log(`| ${name} | ${Math.round(bytes)} | ${(bytes / floor).toFixed(2)}× |`);
